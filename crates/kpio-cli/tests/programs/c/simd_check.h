/* What the SIMD test programs (simd_kernels.c, simd_relaxed.c) share: float bit patterns
 * for printing (libc's decimal formatting could differ between builds), a pseudo-random
 * source that gives every build the same inputs, exactly representable random floats, and a
 * checksum standing for a whole output buffer. Define RNG_SEED before including it. */

#ifndef SIMD_CHECK_H
#define SIMD_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline uint64_t f64_bits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* xorshift32: the same pseudo-random inputs on every build. */
static uint32_t rng_state = RNG_SEED;
static inline uint32_t rnd(void) {
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* A float in [-1, 1) with 24 significant bits: exactly representable. */
static inline float rnd_f32(void) { return (float)((int32_t)rnd() >> 8) / 8388608.0f; }

/* FNV-1a over bytes: one number standing for a whole output buffer. */
static inline uint32_t fnv(const void *p, size_t n) {
    const uint8_t *b = p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
    return h;
}

#endif
