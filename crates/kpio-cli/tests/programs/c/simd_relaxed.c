/* Relaxed SIMD kernels: relaxed_* intrinsics when clang builds for wasm32 with
 * -mrelaxed-simd, plain C otherwise (the native reference build). The scalar path computes
 * what the relaxed operators compute under KPIO's documented choices (docs/relaxed-simd.md,
 * the WebAssembly 3.0 deterministic profile): unfused multiply-add (two roundings), signed
 * dot products, out-of-range swizzle indices giving 0, saturating truncation and Q15
 * multiply. Some inputs are ones where hardware choices differ (fused vs unfused, x86's
 * index wrap, INT_MIN for NaN), so the comparison checks the choices, not just arithmetic;
 * the rest (a quantised int8 dot product with 7-bit weights, lane selects with whole-lane
 * masks) give the same result under every allowed choice.
 *
 * Floats are printed as bit patterns. Build both with -ffp-contract=off. */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __wasm_relaxed_simd__
#include <wasm_simd128.h>
#define PATH "relaxed-simd"
#else
#define PATH "scalar"
#endif

#define RNG_SEED 0x9e3779b9u
#include "simd_check.h"

/* ---- multiply-add: axpy and a polynomial, f32 and f64 -------------------------------- */

#define LEN 512

/* y = a * x + y, then y = -(x * x) + y, lane by lane. */
static void axpy_f32(float a, const float *x, float *y) {
    int i = 0;
#ifdef __wasm_relaxed_simd__
    v128_t va = wasm_f32x4_splat(a);
    for (; i + 4 <= LEN; i += 4) {
        v128_t vx = wasm_v128_load(x + i);
        v128_t vy = wasm_f32x4_relaxed_madd(va, vx, wasm_v128_load(y + i));
        wasm_v128_store(y + i, wasm_f32x4_relaxed_nmadd(vx, vx, vy));
    }
#endif
    for (; i < LEN; i++) {
        float t = a * x[i] + y[i];
        y[i] = -(x[i] * x[i]) + t;
    }
}

/* Horner's rule for 1 + x + x^2/2 + x^3/6 + x^4/24, two lanes at a time. */
static void poly_f64(const double *x, double *out, int n) {
    const double c[5] = {1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0};
    int i = 0;
#ifdef __wasm_relaxed_simd__
    for (; i + 2 <= n; i += 2) {
        v128_t vx = wasm_v128_load(x + i), acc = wasm_f64x2_splat(c[0]);
        for (int k = 1; k < 5; k++) acc = wasm_f64x2_relaxed_madd(acc, vx, wasm_f64x2_splat(c[k]));
        wasm_v128_store(out + i, acc);
    }
#endif
    for (; i < n; i++) {
        double acc = c[0];
        for (int k = 1; k < 5; k++) acc = acc * x[i] + c[k];
        out[i] = acc;
    }
}

static void kernel_madd(void) {
    static float x[LEN], y[LEN];
    for (int i = 0; i < LEN; i++) {
        x[i] = rnd_f32();
        y[i] = rnd_f32();
    }
    /* -(1 + 2^-12)^2 + (1 + 2^-11) is -2^-24 fused, 0 unfused. */
    x[0] = 1.0f + 1.0f / 4096.0f;
    y[0] = 1.0f + 1.0f / 2048.0f;
    axpy_f32(0.0f, x, y);
    printf("axpy f32: y[0]=%08x y[1]=%08x y[511]=%08x fnv=%08x\n", (unsigned)f32_bits(y[0]),
           (unsigned)f32_bits(y[1]), (unsigned)f32_bits(y[LEN - 1]), (unsigned)fnv(y, sizeof y));
    axpy_f32(1.5f, x, y);
    printf("axpy f32 again: fnv=%08x\n", (unsigned)fnv(y, sizeof y));

    double px[10], pout[10];
    for (int i = 0; i < 10; i++) px[i] = (double)((int32_t)rnd()) / 1073741824.0;
    px[0] = 1.0;
    poly_f64(px, pout, 10);
    for (int i = 0; i < 10; i += 3)
        printf("poly f64[%d]: %016llx\n", i, (unsigned long long)f64_bits(pout[i]));
}

/* ---- int8 dot product with 7-bit weights (the quantised-inference case) --------------- */

#define K 256
static int32_t dot_i8_i7(const int8_t *a, const int8_t *w) {
    int i = 0;
    int32_t s = 0;
#ifdef __wasm_relaxed_simd__
    v128_t acc = wasm_i32x4_splat(0);
    for (; i + 16 <= K; i += 16)
        acc = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wasm_v128_load(a + i), wasm_v128_load(w + i),
                                                     acc);
    int32_t lanes[4];
    wasm_v128_store(lanes, acc);
    s = lanes[0] + lanes[1] + lanes[2] + lanes[3];
#endif
    for (; i < K; i++) s += a[i] * w[i];
    return s;
}

static void kernel_dot(void) {
    static int8_t a[K], w[K];
    for (int i = 0; i < K; i++) {
        a[i] = (int8_t)rnd();
        w[i] = (int8_t)(rnd() & 0x7f); /* [0, 127]: 7 bits, the same signed or unsigned */
    }
    a[0] = a[1] = -128;
    w[0] = w[1] = 127;
    printf("dot i8 x i7: %d\n", dot_i8_i7(a, w));
    int16_t pairs[8];
#ifdef __wasm_relaxed_simd__
    wasm_v128_store(pairs, wasm_i16x8_relaxed_dot_i8x16_i7x16(wasm_v128_load(a), wasm_v128_load(w)));
#else
    for (int k = 0; k < 8; k++) pairs[k] = (int16_t)(a[2 * k] * w[2 * k] + a[2 * k + 1] * w[2 * k + 1]);
#endif
    printf("dot i16 pairs:");
    for (int k = 0; k < 8; k++) printf(" %d", pairs[k]);
    printf("\n");
}

/* ---- swizzle, lane select, truncation, min/max, Q15 ------------------------------------ */

static void kernel_misc(void) {
    /* A 16-entry table lookup; indices 16..127 are where x86 (pshufb) would wrap. */
    uint8_t table[16], idx[16], out[16];
    for (int i = 0; i < 16; i++) table[i] = (uint8_t)(0xa0 + i);
    static volatile const uint8_t ids[16] = {0,   15,  3,   16, 17, 31, 100, 127,
                                             128, 200, 255, 5,  32, 7,  64,  9};
    for (int i = 0; i < 16; i++) idx[i] = ids[i];
#ifdef __wasm_relaxed_simd__
    wasm_v128_store(out, wasm_i8x16_relaxed_swizzle(wasm_v128_load(table), wasm_v128_load(idx)));
#else
    for (int i = 0; i < 16; i++) out[i] = idx[i] < 16 ? table[idx[i]] : 0;
#endif
    printf("swizzle:");
    for (int i = 0; i < 16; i++) printf(" %02x", out[i]);
    printf("\n");

    /* Clamp negatives to zero with a compare mask: whole lanes, any laneselect agrees. */
    static volatile const int32_t in_v[8] = {5, -3, 0, -2147483647 - 1, 2147483647, -1, 42, -42};
    int32_t v[8], r[8];
    for (int i = 0; i < 8; i++) v[i] = in_v[i];
    for (int i = 0; i < 8; i += 4) {
#ifdef __wasm_relaxed_simd__
        v128_t x = wasm_v128_load(v + i);
        v128_t neg = wasm_i32x4_lt(x, wasm_i32x4_splat(0));
        wasm_v128_store(r + i, wasm_i32x4_relaxed_laneselect(wasm_i32x4_splat(0), x, neg));
#else
        for (int j = i; j < i + 4; j++) r[j] = v[j] < 0 ? 0 : v[j];
#endif
    }
    printf("laneselect:");
    for (int i = 0; i < 8; i++) printf(" %d", r[i]);
    printf("\n");

    /* NaN and out-of-range lanes: 0 and saturation (x86's cvttps2dq would give INT_MIN). */
    static volatile const float in_f[8] = {1.9f, -1.9f, 3e9f, -3e9f, 0.0f, 65536.5f, -0.5f, 4e9f};
    float f[8];
    for (int i = 0; i < 8; i++) f[i] = in_f[i];
    f[4] = f[4] / f[4]; /* NaN */
    int32_t ts[8];
    uint32_t tu[8];
    for (int i = 0; i < 8; i += 4) {
#ifdef __wasm_relaxed_simd__
        wasm_v128_store(ts + i, wasm_i32x4_relaxed_trunc_f32x4(wasm_v128_load(f + i)));
        wasm_v128_store(tu + i, wasm_u32x4_relaxed_trunc_f32x4(wasm_v128_load(f + i)));
#else
        for (int j = i; j < i + 4; j++) {
            float x = f[j];
            ts[j] = x != x ? 0 : x >= 2147483648.0f ? 2147483647 : x < -2147483648.0f ? (-2147483647 - 1) : (int32_t)x;
            tu[j] = x != x || x <= -1.0f ? 0 : x >= 4294967296.0f ? 4294967295u : (uint32_t)x;
        }
#endif
    }
    printf("trunc:");
    for (int i = 0; i < 8; i++) printf(" %d/%u", ts[i], tu[i]);
    printf("\n");

    /* min/max of ordinary numbers (no NaN, no zeroes of both signs): every choice agrees. */
    static volatile const float in_m[8] = {1.5f, -2.0f, 3.25f, 1e-40f, -1.5f, 2.0f, 3.0f, 2e-40f};
    float m1[4], m2[4], lo[4], hi[4];
    for (int i = 0; i < 4; i++) {
        m1[i] = in_m[i];
        m2[i] = in_m[4 + i];
    }
#ifdef __wasm_relaxed_simd__
    wasm_v128_store(lo, wasm_f32x4_relaxed_min(wasm_v128_load(m1), wasm_v128_load(m2)));
    wasm_v128_store(hi, wasm_f32x4_relaxed_max(wasm_v128_load(m1), wasm_v128_load(m2)));
#else
    for (int i = 0; i < 4; i++) {
        lo[i] = m1[i] < m2[i] ? m1[i] : m2[i];
        hi[i] = m1[i] > m2[i] ? m1[i] : m2[i];
    }
#endif
    printf("min/max:");
    for (int i = 0; i < 4; i++) printf(" %08x/%08x", (unsigned)f32_bits(lo[i]), (unsigned)f32_bits(hi[i]));
    printf("\n");

    /* Q15: -1.0 * -1.0 saturates to 32767 (x86's pmulhrsw gives -32768). */
    static volatile const int16_t in_q[16] = {-32768, -32768, 16384, 32767, -1, 100, -20000, 12345,
                                              -32768, 32767,  16384, 32767, 1,  -100, 30000, -54};
    int16_t qa[8], qb[8], q[8];
    for (int i = 0; i < 8; i++) {
        qa[i] = in_q[i];
        qb[i] = in_q[8 + i];
    }
#ifdef __wasm_relaxed_simd__
    wasm_v128_store(q, wasm_i16x8_relaxed_q15mulr(wasm_v128_load(qa), wasm_v128_load(qb)));
#else
    for (int i = 0; i < 8; i++) {
        int32_t p = ((int32_t)qa[i] * qb[i] + 0x4000) >> 15;
        q[i] = (int16_t)(p > 32767 ? 32767 : p);
    }
#endif
    printf("q15mulr:");
    for (int i = 0; i < 8; i++) printf(" %d", q[i]);
    printf("\n");
}

int main(void) {
    fprintf(stderr, "path: %s\n", PATH);
    kernel_madd();
    kernel_dot();
    kernel_misc();
    return 0;
}
