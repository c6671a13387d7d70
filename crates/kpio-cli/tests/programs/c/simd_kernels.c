/* Fixed-width SIMD kernels, written twice: with wasm_simd128.h intrinsics when clang builds
 * for wasm32 with -msimd128, and as plain C otherwise (the native reference build). The
 * scalar path does the same arithmetic in the same order as the vector lanes (four f32
 * accumulators, the same rounding steps), so both builds print the same bytes: the test
 * (tests/simd_guests.rs) runs the wasm build under `kpio run` and compares its stdout with
 * the native build's, exactly.
 *
 * Floats are printed as their bit patterns, never as decimal text, so libc formatting cannot
 * differ. Build both with -ffp-contract=off: no multiply-add contraction on either side. */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#define PATH "simd128"
#else
#define PATH "scalar"
#endif

#define RNG_SEED 0x2545f491u
#include "simd_check.h"

/* ---- 1. f32 dot product and matrix multiply ------------------------------------------ */

static float dot_f32(const float *a, const float *b, int n) {
    int i = 0;
    float s;
#ifdef __wasm_simd128__
    v128_t acc = wasm_f32x4_splat(0.0f);
    for (; i + 4 <= n; i += 4)
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    s = (wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1)) +
        (wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3));
#else
    float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) acc[j] = acc[j] + a[i + j] * b[i + j];
    s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
#endif
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

#define N 16
/* c = a * b for N x N row-major matrices; each c[i][j] sums a[i][k] * b[k][j] in k order. */
static void matmul_f32(const float *a, const float *b, float *c) {
    for (int i = 0; i < N; i++) {
#ifdef __wasm_simd128__
        for (int j = 0; j < N; j += 4) {
            v128_t acc = wasm_f32x4_splat(0.0f);
            for (int k = 0; k < N; k++)
                acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_splat(a[i * N + k]),
                                                         wasm_v128_load(b + k * N + j)));
            wasm_v128_store(c + i * N + j, acc);
        }
#else
        for (int j = 0; j < N; j++) {
            float acc = 0.0f;
            for (int k = 0; k < N; k++) acc = acc + a[i * N + k] * b[k * N + j];
            c[i * N + j] = acc;
        }
#endif
    }
}

static void kernel_f32(void) {
    static float a[1003], b[1003];
    for (int i = 0; i < 1003; i++) {
        a[i] = rnd_f32();
        b[i] = rnd_f32();
    }
    printf("dot_f32 1003: %08x\n", (unsigned)f32_bits(dot_f32(a, b, 1003)));
    printf("dot_f32 17 (offset 1): %08x\n", (unsigned)f32_bits(dot_f32(a + 1, b + 1, 17)));

    static float ma[N * N], mb[N * N], mc[N * N];
    for (int i = 0; i < N * N; i++) {
        ma[i] = rnd_f32();
        mb[i] = rnd_f32() * 3.0f;
    }
    matmul_f32(ma, mb, mc);
    uint32_t bits[N * N];
    for (int i = 0; i < N * N; i++) bits[i] = f32_bits(mc[i]);
    printf("matmul_f32 %dx%d: c[0][0]=%08x c[7][9]=%08x c[15][15]=%08x fnv=%08x\n", N, N,
           (unsigned)bits[0], (unsigned)bits[7 * N + 9], (unsigned)bits[N * N - 1],
           (unsigned)fnv(bits, sizeof bits));
}

/* ---- 2. byte search: compare 16 bytes at once, take the bitmask ---------------------- */

static long find_byte(const uint8_t *s, size_t n, uint8_t c) {
    size_t i = 0;
#ifdef __wasm_simd128__
    v128_t needle = wasm_i8x16_splat((int8_t)c);
    for (; i + 16 <= n; i += 16) {
        uint32_t m = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(s + i), needle));
        if (m) return (long)(i + (size_t)__builtin_ctz(m));
    }
#endif
    for (; i < n; i++)
        if (s[i] == c) return (long)i;
    return -1;
}

static size_t count_byte(const uint8_t *s, size_t n, uint8_t c) {
    size_t i = 0, count = 0;
#ifdef __wasm_simd128__
    v128_t needle = wasm_i8x16_splat((int8_t)c);
    for (; i + 16 <= n; i += 16)
        count += (size_t)__builtin_popcount(
            wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(s + i), needle)));
#endif
    for (; i < n; i++) count += s[i] == c;
    return count;
}

static void kernel_search(void) {
    static uint8_t text[5000];
    for (int i = 0; i < 5000; i++) text[i] = (uint8_t)('a' + rnd() % 26);
    text[4321] = '!';
    text[4990] = 0xff;
    const uint8_t needles[] = {'q', 'z', '!', 0xff, '#', 'a'};
    const size_t starts[] = {0, 1, 7, 100, 4000};
    for (size_t k = 0; k < sizeof needles; k++) {
        printf("search %02x:", needles[k]);
        for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++)
            printf(" %ld", find_byte(text + starts[s], sizeof text - starts[s], needles[k]));
        printf(" count=%zu\n", count_byte(text + 3, sizeof text - 3, needles[k]));
    }
}

/* ---- 3. u8 image blending: saturating add/sub, rounding average, alpha blend ----------- */

#define PIXELS 4100 /* not a multiple of 16: the tail takes the scalar loop */

static void blend(const uint8_t *a, const uint8_t *b, uint8_t alpha, uint8_t *add, uint8_t *sub,
                  uint8_t *avg, uint8_t *mix) {
    size_t i = 0;
#ifdef __wasm_simd128__
    v128_t wa = wasm_i16x8_splat(alpha), wb = wasm_i16x8_splat((int16_t)(256 - alpha));
    for (; i + 16 <= PIXELS; i += 16) {
        v128_t x = wasm_v128_load(a + i), y = wasm_v128_load(b + i);
        wasm_v128_store(add + i, wasm_u8x16_add_sat(x, y));
        wasm_v128_store(sub + i, wasm_u8x16_sub_sat(x, y));
        wasm_v128_store(avg + i, wasm_u8x16_avgr(x, y));
        /* (x * alpha + y * (256 - alpha)) >> 8 in 16-bit lanes, then narrowed back. */
        v128_t lo = wasm_u16x8_shr(wasm_i16x8_add(wasm_i16x8_mul(wasm_u16x8_extend_low_u8x16(x), wa),
                                                  wasm_i16x8_mul(wasm_u16x8_extend_low_u8x16(y), wb)),
                                   8);
        v128_t hi =
            wasm_u16x8_shr(wasm_i16x8_add(wasm_i16x8_mul(wasm_u16x8_extend_high_u8x16(x), wa),
                                          wasm_i16x8_mul(wasm_u16x8_extend_high_u8x16(y), wb)),
                           8);
        wasm_v128_store(mix + i, wasm_u8x16_narrow_i16x8(lo, hi));
    }
#endif
    for (; i < PIXELS; i++) {
        unsigned x = a[i], y = b[i];
        add[i] = (uint8_t)(x + y > 255 ? 255 : x + y);
        sub[i] = (uint8_t)(x > y ? x - y : 0);
        avg[i] = (uint8_t)((x + y + 1) / 2);
        mix[i] = (uint8_t)((x * alpha + y * (256u - alpha)) >> 8);
    }
}

static void kernel_blend(void) {
    static uint8_t a[PIXELS], b[PIXELS], add[PIXELS], sub[PIXELS], avg[PIXELS], mix[PIXELS];
    for (int i = 0; i < PIXELS; i++) {
        a[i] = (uint8_t)rnd();
        b[i] = (uint8_t)(i % 64 * 4 + (rnd() & 3));
    }
    const uint8_t alphas[] = {0, 1, 128, 200, 255};
    for (size_t k = 0; k < sizeof alphas; k++) {
        blend(a, b, alphas[k], add, sub, avg, mix);
        printf("blend alpha=%u: add=%08x sub=%08x avg=%08x mix=%08x mix[4099]=%u\n", alphas[k],
               (unsigned)fnv(add, PIXELS), (unsigned)fnv(sub, PIXELS), (unsigned)fnv(avg, PIXELS),
               (unsigned)fnv(mix, PIXELS), mix[PIXELS - 1]);
    }
}

/* ---- 4. Q15 fixed point: rounding saturating multiply, a small FIR filter -------------- */

static int16_t q15mul(int16_t x, int16_t y) {
    int32_t p = ((int32_t)x * y + 0x4000) >> 15;
    return (int16_t)(p > 32767 ? 32767 : p);
}

static int16_t sat16(int32_t x) { return (int16_t)(x > 32767 ? 32767 : x < -32768 ? -32768 : x); }

#define SAMPLES 1024
#define TAPS 8

/* y[n] = sum over t of x[n + t] * h[t] in Q15, accumulated with saturation in tap order. */
static void fir_q15(const int16_t *x, const int16_t *h, int16_t *y) {
    int n = 0;
#ifdef __wasm_simd128__
    for (; n + 8 <= SAMPLES; n += 8) {
        v128_t acc = wasm_i16x8_splat(0);
        for (int t = 0; t < TAPS; t++)
            acc = wasm_i16x8_add_sat(
                acc, wasm_i16x8_q15mulr_sat(wasm_v128_load(x + n + t), wasm_i16x8_splat(h[t])));
        wasm_v128_store(y + n, acc);
    }
#endif
    for (; n < SAMPLES; n++) {
        int16_t acc = 0;
        for (int t = 0; t < TAPS; t++) acc = sat16((int32_t)acc + q15mul(x[n + t], h[t]));
        y[n] = acc;
    }
}

static void kernel_q15(void) {
    static int16_t x[SAMPLES + TAPS], y[SAMPLES];
    for (int i = 0; i < SAMPLES + TAPS; i++) x[i] = (int16_t)rnd();
    /* The one product that overflows: -1.0 * -1.0. */
    x[0] = x[1] = -32768;
    const int16_t h[TAPS] = {-32768, 16384, -8192, 32767, 1, -1, 12345, -32768};
    fir_q15(x, h, y);
    printf("fir_q15: y[0]=%d y[1]=%d y[500]=%d y[1023]=%d fnv=%08x\n", y[0], y[1], y[500],
           y[SAMPLES - 1], (unsigned)fnv(y, sizeof y));
}

/* ---- 5. f64x2: square root, min and max (WebAssembly's: -0 below +0) ------------------- */

#ifndef __wasm_simd128__
/* The scalar twins of f64x2.min and f64x2.max (no NaN inputs here). */
static double wasm_min(double a, double b) {
    if (a < b) return a;
    if (b < a) return b;
    return signbit(a) ? a : b;
}

static double wasm_max(double a, double b) {
    if (a > b) return a;
    if (b > a) return b;
    return signbit(a) ? b : a;
}
#endif

static void kernel_f64(void) {
    enum { M = 12 };
    /* Read through volatile: the compiler must not fold the kernel into constants. */
    static volatile const double in_a[M] = {2.0,  0.0, -0.0, 1e-310, 1e300, INFINITY,
                                            0.25, 3.0, 0.0,  -0.0,   7.5,   1e-5};
    static volatile const double in_b[M] = {1.5,  -0.0, 0.0, 5e-324, 2.0,  1.0,
                                            0.5,  3.0,  0.0, -0.0,   -7.5, 1e5};
    double a[M], b[M], r[M], lo[M], hi[M], h[M];
    for (int i = 0; i < M; i++) {
        a[i] = in_a[i];
        b[i] = in_b[i];
    }
    for (int i = 0; i < M; i += 2) {
#ifdef __wasm_simd128__
        v128_t x = wasm_v128_load(a + i), y = wasm_v128_load(b + i);
        wasm_v128_store(r + i, wasm_f64x2_sqrt(x));
        wasm_v128_store(lo + i, wasm_f64x2_min(x, y));
        wasm_v128_store(hi + i, wasm_f64x2_max(x, y));
        /* hypot-like: sqrt(x*x + y*y), rounded step by step. */
        wasm_v128_store(h + i, wasm_f64x2_sqrt(wasm_f64x2_add(wasm_f64x2_mul(x, x),
                                                              wasm_f64x2_mul(y, y))));
#else
        for (int j = i; j < i + 2; j++) {
            r[j] = sqrt(a[j]);
            lo[j] = wasm_min(a[j], b[j]);
            hi[j] = wasm_max(a[j], b[j]);
            double xx = a[j] * a[j], yy = b[j] * b[j];
            h[j] = sqrt(xx + yy);
        }
#endif
    }
    for (int i = 0; i < M; i++)
        printf("f64[%d]: sqrt=%016llx min=%016llx max=%016llx hyp=%016llx\n", i,
               (unsigned long long)f64_bits(r[i]), (unsigned long long)f64_bits(lo[i]),
               (unsigned long long)f64_bits(hi[i]), (unsigned long long)f64_bits(h[i]));
}

/* ---- 6. shuffles: hex encoding by table lookup, byte swapping -------------------------- */

static void hex_encode(const uint8_t *in, size_t n, char *out) {
    static const char digits[16] = "0123456789abcdef";
    size_t i = 0;
#ifdef __wasm_simd128__
    v128_t table = wasm_v128_load(digits), low4 = wasm_i8x16_splat(0x0f);
    for (; i + 16 <= n; i += 16) {
        v128_t v = wasm_v128_load(in + i);
        v128_t hi = wasm_i8x16_swizzle(table, wasm_u8x16_shr(v, 4));
        v128_t lo = wasm_i8x16_swizzle(table, wasm_v128_and(v, low4));
        wasm_v128_store(out + 2 * i, wasm_i8x16_shuffle(hi, lo, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20,
                                                        5, 21, 6, 22, 7, 23));
        wasm_v128_store(out + 2 * i + 16,
                        wasm_i8x16_shuffle(hi, lo, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29,
                                           14, 30, 15, 31));
    }
#endif
    for (; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = 0;
}

static void bswap32_all(uint32_t *v, size_t n) {
    size_t i = 0;
#ifdef __wasm_simd128__
    for (; i + 4 <= n; i += 4)
        wasm_v128_store(v + i, wasm_i8x16_shuffle(wasm_v128_load(v + i), wasm_v128_load(v + i),
                                                  3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14,
                                                  13, 12));
#endif
    for (; i < n; i++) v[i] = __builtin_bswap32(v[i]);
}

static void kernel_shuffle(void) {
    uint8_t bytes[37];
    for (int i = 0; i < 37; i++) bytes[i] = (uint8_t)(rnd() >> 3);
    bytes[0] = 0x00;
    bytes[1] = 0xff;
    char hex[2 * 37 + 1];
    hex_encode(bytes, 37, hex);
    printf("hex: %s\n", hex);
    uint32_t words[10];
    for (int i = 0; i < 10; i++) words[i] = rnd();
    bswap32_all(words, 10);
    printf("bswap32: %08x %08x %08x fnv=%08x\n", (unsigned)words[0], (unsigned)words[5],
           (unsigned)words[9], (unsigned)fnv(words, sizeof words));
}

/* ---- 7. integer widening and narrowing, a 16-bit dot product ---------------------------- */

static void kernel_widen_narrow(void) {
    enum { L = 256 };
    static int16_t w[L];
    static int8_t s8[L];
    static uint8_t u8[L];
    for (int i = 0; i < L; i++) w[i] = (int16_t)((int32_t)rnd() >> 20); /* [-2048, 2047] */
    w[0] = 32767;
    w[1] = -32768;
    w[2] = 127;
    w[3] = -129;
    /* Sums wrap (unsigned), like the i32x4 lanes. */
    uint32_t sum_widened = 0, dot = 0;
    int i = 0;
#ifdef __wasm_simd128__
    v128_t acc = wasm_i32x4_splat(0), dacc = wasm_i32x4_splat(0);
    for (; i + 16 <= L; i += 16) {
        v128_t a = wasm_v128_load(w + i), b = wasm_v128_load(w + i + 8);
        wasm_v128_store(s8 + i, wasm_i8x16_narrow_i16x8(a, b));
        wasm_v128_store(u8 + i, wasm_u8x16_narrow_i16x8(a, b));
        /* Widen the saturated bytes back and sum them in 32-bit lanes. */
        v128_t n = wasm_v128_load(s8 + i);
        acc = wasm_i32x4_add(acc, wasm_i32x4_extadd_pairwise_i16x8(wasm_i16x8_extend_low_i8x16(n)));
        acc = wasm_i32x4_add(acc, wasm_i32x4_extadd_pairwise_i16x8(wasm_i16x8_extend_high_i8x16(n)));
        dacc = wasm_i32x4_add(dacc, wasm_i32x4_dot_i16x8(a, b));
    }
    for (int k = 0; k < 4; k++) {
        uint32_t lanes[4], dlanes[4];
        wasm_v128_store(lanes, acc);
        wasm_v128_store(dlanes, dacc);
        sum_widened += lanes[k];
        dot += dlanes[k];
    }
#endif
    for (; i < L; i += 16) {
        for (int j = 0; j < 16; j++) {
            int32_t v = w[i + j];
            s8[i + j] = (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v);
            u8[i + j] = (uint8_t)(v > 255 ? 255 : v < 0 ? 0 : v);
            sum_widened += (uint32_t)(int32_t)s8[i + j];
        }
        /* i32x4.dot_i16x8_s pairs lanes k of the two halves: w[i+k] * w[i+8+k]. */
        for (int k = 0; k < 8; k++) dot += (uint32_t)((int32_t)w[i + k] * w[i + 8 + k]);
    }
    printf("narrow: s8 fnv=%08x [0..4]=%d %d %d %d u8 fnv=%08x [0..4]=%u %u %u %u\n",
           (unsigned)fnv(s8, L), s8[0], s8[1], s8[2], s8[3], (unsigned)fnv(u8, L), u8[0], u8[1],
           u8[2], u8[3]);
    printf("widen sum=%d dot_i16=%d\n", (int32_t)sum_widened, (int32_t)dot);
}

int main(void) {
    /* Which path this build took, on stderr: stdout must be the same for both. */
    fprintf(stderr, "path: %s\n", PATH);
    kernel_f32();
    kernel_search();
    kernel_blend();
    kernel_q15();
    kernel_f64();
    kernel_shuffle();
    kernel_widen_narrow();
    return 0;
}
