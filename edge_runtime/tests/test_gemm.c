/* The GEMM micro-kernels (src/gemm/): the portable family against a naive triple loop over quantization.h's
 * scalar requantisation (the reference kernels' arithmetic), and every SIMD level this machine has (capped by
 * EMBER_ISA) bit-identical to the portable family over many shapes, offsets, multipliers and clamps. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "cpu_features.h"
#include "gemm/gemm.h"
#include "kernels/kernels.h"
#include "quantization.h"
#include "test_util.h"

static const int32_t sizes[] = {1, 2, 3, 7, 8, 15, 16, 17, 31, 64, 100};
#define SIZE_COUNT ((int)(sizeof sizes / sizeof sizes[0]))

static int32_t rand_i32(unsigned *s) {
    uint32_t u = ((uint32_t)test_rand(s) << 17) ^ ((uint32_t)test_rand(s) << 2) ^ (uint32_t)test_rand(s);
    return ember_wrap_i32(u);
}

static int32_t rand_range(unsigned *s, int32_t lo, int32_t hi) {
    return lo + (int32_t)(((uint32_t)test_rand(s) << 15 | test_rand(s)) % (uint32_t)(hi - lo + 1));
}

/* The levels to check: portable, then each level of this architecture up to the detected one. */
static int test_levels(ember_isa levels[EMBER_ISA_COUNT]) {
    const ember_isa top = ember_isa_from_env(ember_cpu_detect());
    int count = 0, i;
    levels[count++] = EMBER_ISA_PORTABLE;
    for (i = 1; i < EMBER_ISA_COUNT; ++i)
        if (ember_isa_cap((ember_isa)i, top) == (ember_isa)i)
            levels[count++] = (ember_isa)i;
    return count;
}

static void test_cpu_features(void) {
    const ember_isa detected = ember_cpu_detect();
    int i;
    CHECK(ember_cpu_detect() == detected);
    for (i = 0; i < EMBER_ISA_COUNT; ++i)
        CHECK(strcmp(ember_isa_name((ember_isa)i), "unknown") != 0);
    CHECK(strcmp(ember_isa_name((ember_isa)99), "unknown") == 0);
    CHECK(ember_isa_cap(EMBER_ISA_AVX512_VNNI, EMBER_ISA_AVX2) == EMBER_ISA_AVX2);
    CHECK(ember_isa_cap(EMBER_ISA_SSE41, EMBER_ISA_AVX512) == EMBER_ISA_SSE41);
    CHECK(ember_isa_cap(EMBER_ISA_NEON_DOTPROD, EMBER_ISA_NEON) == EMBER_ISA_NEON);
    CHECK(ember_isa_cap(EMBER_ISA_AVX2, EMBER_ISA_NEON_DOTPROD) == EMBER_ISA_PORTABLE);
    CHECK(ember_isa_cap(EMBER_ISA_NEON, EMBER_ISA_PORTABLE) == EMBER_ISA_PORTABLE);
#ifdef EMBER_PORTABLE_ONLY
    CHECK(detected == EMBER_ISA_PORTABLE);
#endif
}

/* Requantisation alone on edge and random values, every level against the scalar functions. */
static void test_requant(const ember_isa *levels, int level_count) {
    enum { COUNT = 20000 };
    static const int32_t edge_acc[] = {
        INT32_MIN, INT32_MIN + 1, -1073741824, -65536,        -3,       -2, -1, 0, 1, 2, 3,
        65535,     1073741823,    1073741824,  INT32_MAX - 1, INT32_MAX};
    static const int32_t edge_mult[] = {
        0, 1, 1073741824, 1073741825, 1518500250, INT32_MAX - 1, INT32_MAX, INT32_MIN};
    int32_t *acc = malloc(sizeof(int32_t) * COUNT), *mult = malloc(sizeof(int32_t) * COUNT);
    int32_t *shift = malloc(sizeof(int32_t) * COUNT), *out = malloc(sizeof(int32_t) * COUNT);
    unsigned s = 7;
    int i, l, rounding;
    for (rounding = 0; rounding < 2; ++rounding) {
        const int32_t max_shift = rounding == EMBER_REQUANT_SINGLE ? 30 : 31;
        for (i = 0; i < COUNT; ++i) {
            const int kind = i % 4;
            acc[i] = kind == 0 ? edge_acc[test_rand(&s) % (sizeof edge_acc / sizeof edge_acc[0])]
                               : (kind == 1 ? rand_i32(&s) >> (test_rand(&s) % 31) : rand_i32(&s));
            /* Ties of the rounding divide: x = q * 2^e + 2^(e-1). */
            if (kind == 3) {
                const int e = 1 + test_rand(&s) % 20;
                acc[i] = (int32_t)((uint32_t)(rand_i32(&s) >> 12) << e) + (1 << (e - 1));
            }
            mult[i] = i % 3 == 0 ? edge_mult[test_rand(&s) % (sizeof edge_mult / sizeof edge_mult[0])]
                                 : rand_range(&s, 1 << 30, INT32_MAX);
            shift[i] = i % 5 == 0 ? (i / 5) % (max_shift + 32) - 31 : rand_range(&s, -31, max_shift);
        }
        for (l = 0; l < level_count; ++l) {
            int bad = 0;
            ember_requant_i32(levels[l], (ember_requant_rounding)rounding, acc, mult, shift, COUNT, out);
            for (i = 0; i < COUNT; ++i) {
                const int32_t want = rounding == EMBER_REQUANT_SINGLE
                                         ? ember_multiply_single_rounding(acc[i], mult[i], shift[i])
                                         : ember_multiply_by_quantized_multiplier(acc[i], mult[i], shift[i]);
                if (out[i] != want && bad++ < 5)
                    fprintf(stderr, "requant %s rounding %d: x=%ld m=%ld s=%ld: %ld, want %ld\n",
                            ember_isa_name(levels[l]), rounding, (long)acc[i], (long)mult[i], (long)shift[i],
                            (long)out[i], (long)want);
            }
            CHECK(bad == 0);
        }
    }
    free(acc), free(mult), free(shift), free(out);
}

typedef struct i8_case {
    int32_t m, n, k;
    size_t lda, ldo;
    int8_t *a, *w, *out, *want;
    int32_t *bias, *mult, *shift;
    ember_gemm_i8_params p;
} i8_case;

static void make_i8_case(i8_case *c, int32_t m, int32_t n, int32_t k, unsigned *s, int variant) {
    int32_t i;
    c->m = m, c->n = n, c->k = k, c->lda = (size_t)k + (size_t)(variant % 3), c->ldo = (size_t)n + 1;
    c->a = malloc(c->lda * (size_t)m), c->w = malloc((size_t)n * (size_t)k);
    c->out = malloc(c->ldo * (size_t)m), c->want = malloc(c->ldo * (size_t)m);
    c->bias = malloc(sizeof(int32_t) * (size_t)n), c->mult = malloc(sizeof(int32_t) * (size_t)n);
    c->shift = malloc(sizeof(int32_t) * (size_t)n);
    for (i = 0; i < (int32_t)(c->lda * (size_t)m); ++i)
        c->a[i] = (int8_t)(test_rand(s) & 0xff);
    for (i = 0; i < n * k; ++i)
        c->w[i] = (int8_t)(test_rand(s) & 0xff);
    for (i = 0; i < n; ++i) {
        /* Realistic scales mostly; now and then bias near the int32 limits (wrapping) and extreme shifts. */
        const double real = ldexp(1.0 + test_rand(s) / 32768.0, -(int)(test_rand(s) % 16) - 4);
        int sh;
        ember_quantize_multiplier(real, &c->mult[i], &sh);
        c->shift[i] = sh;
        c->bias[i] = rand_i32(s) >> (variant % 5 == 4 ? 0 : 14);
        if (variant % 7 == 6) {
            c->mult[i] = rand_range(s, 1 << 30, INT32_MAX);
            c->shift[i] = rand_range(s, -31, 30);
        }
        if (variant & 2) /* per-tensor */
            c->mult[i] = c->mult[0], c->shift[i] = c->shift[0];
    }
    c->p.n = n, c->p.k = k, c->p.weights = c->w, c->p.bias = variant % 4 == 3 ? NULL : c->bias;
    c->p.multiplier = c->mult, c->p.shift = c->shift;
    c->p.input_offset = variant % 5 == 0 ? 128 : rand_range(s, -127, 128);
    c->p.output_offset = rand_range(s, -128, 127);
    c->p.act_min = variant % 3 == 1 ? c->p.output_offset : -128;
    c->p.act_max = variant % 6 == 5 ? rand_range(s, c->p.act_min, 127) : 127;
    c->p.rounding = (ember_requant_rounding)(variant & 1);
}

static void free_i8_case(i8_case *c) {
    free(c->a), free(c->w), free(c->out), free(c->want), free(c->bias), free(c->mult), free(c->shift);
}

/* The reference kernels' loop (fully_connected.c, conv_2d.c) with their scalar requantisation. */
static void naive_i8(const i8_case *c) {
    int32_t m, n, k;
    for (m = 0; m < c->m; ++m)
        for (n = 0; n < c->n; ++n) {
            uint32_t acc = 0;
            int32_t y;
            for (k = 0; k < c->k; ++k)
                acc += (uint32_t)(c->w[(size_t)n * (size_t)c->k + (size_t)k] *
                                  (c->a[(size_t)m * c->lda + (size_t)k] + c->p.input_offset));
            if (c->p.bias)
                acc += (uint32_t)c->p.bias[n];
            y = c->p.rounding == EMBER_REQUANT_SINGLE
                    ? ember_multiply_single_rounding(ember_wrap_i32(acc), c->mult[n], c->shift[n])
                    : ember_multiply_by_quantized_multiplier(ember_wrap_i32(acc), c->mult[n], c->shift[n]);
            y = ember_wrap_i32((uint32_t)y + (uint32_t)c->p.output_offset);
            c->want[(size_t)m * c->ldo + (size_t)n] = ember_clamp_i8(y, c->p.act_min, c->p.act_max);
        }
}

/* Runs c packed for isa, rows split at `split`, into c->out; 0 where every output equals c->want. */
static int run_i8(i8_case *c, ember_isa isa, int32_t split) {
    void *packed = malloc(ember_gemm_i8_packed_bytes(c->n, c->k, isa));
    int32_t m, bad = 0;
    memset(c->out, 0x5a, c->ldo * (size_t)c->m);
    ember_gemm_i8_pack(&c->p, isa, packed);
    ember_gemm_i8_run(packed, c->a, c->lda, c->out, c->ldo, 0, split);
    ember_gemm_i8_run(packed, c->a, c->lda, c->out, c->ldo, split, c->m);
    for (m = 0; m < c->m; ++m)
        bad += memcmp(c->out + (size_t)m * c->ldo, c->want + (size_t)m * c->ldo, (size_t)c->n) != 0;
    /* The stride gap is never written. */
    for (m = 0; m < c->m; ++m)
        bad += c->out[(size_t)m * c->ldo + (size_t)c->n] != 0x5a;
    free(packed);
    return bad;
}

static void test_gemm_i8(const ember_isa *levels, int level_count) {
    unsigned s = 11;
    int mi, ni, ki, l, variant = 0;
    for (mi = 0; mi < SIZE_COUNT; ++mi)
        for (ni = 0; ni < SIZE_COUNT; ++ni)
            for (ki = 0; ki < SIZE_COUNT; ++ki, ++variant) {
                i8_case c;
                make_i8_case(&c, sizes[mi], sizes[ni], sizes[ki], &s, variant);
                naive_i8(&c);
                for (l = 0; l < level_count; ++l) {
                    const int32_t split = (int32_t)(test_rand(&s) % (unsigned)(c.m + 1));
                    if (run_i8(&c, levels[l], split)) {
                        fprintf(stderr, "gemm_i8 %s: m=%ld n=%ld k=%ld variant %d differs\n",
                                ember_isa_name(levels[l]), (long)c.m, (long)c.n, (long)c.k, variant);
                        ++test_failures;
                    }
                }
                free_i8_case(&c);
            }
    /* A long reduction (several activation blocks in the SIMD families). */
    for (variant = 0; variant < 4; ++variant) {
        i8_case c;
        make_i8_case(&c, 9, 40, 1500 + variant * 333, &s, variant);
        naive_i8(&c);
        for (l = 0; l < level_count; ++l)
            CHECK(run_i8(&c, levels[l], 5) == 0);
        free_i8_case(&c);
    }
}

static float rand_f32(unsigned *s) {
    const unsigned kind = test_rand(s) % 64;
    if (kind == 0)
        return 0.0f;
    if (kind == 1)
        return -0.0f;
    if (kind == 2)
        return FLT_MIN / 8.0f * (float)(test_rand(s) % 9); /* denormals */
    if (kind == 3)
        return 3e38f;
    return ((float)test_rand(s) - 16384.0f) / 4096.0f;
}

typedef struct f32_case {
    int32_t m, n, k;
    size_t lda, ldo;
    float *a, *w, *bias, *out, *want;
    ember_gemm_f32_params p;
} f32_case;

static void make_f32_case(f32_case *c, int32_t m, int32_t n, int32_t k, unsigned *s, int variant) {
    int32_t i;
    c->m = m, c->n = n, c->k = k, c->lda = (size_t)k + (size_t)(variant % 3), c->ldo = (size_t)n + 1;
    c->a = malloc(sizeof(float) * c->lda * (size_t)m), c->w = malloc(sizeof(float) * (size_t)n * (size_t)k);
    c->bias = malloc(sizeof(float) * (size_t)n);
    c->out = malloc(sizeof(float) * c->ldo * (size_t)m), c->want = malloc(sizeof(float) * c->ldo * (size_t)m);
    for (i = 0; i < (int32_t)(c->lda * (size_t)m); ++i)
        c->a[i] = rand_f32(s);
    for (i = 0; i < n * k; ++i)
        c->w[i] = rand_f32(s);
    for (i = 0; i < n; ++i)
        c->bias[i] = rand_f32(s);
    c->p.n = n, c->p.k = k, c->p.weights = c->w, c->p.bias = variant % 4 == 3 ? NULL : c->bias;
    c->p.act_min = variant % 3 == 0 ? -FLT_MAX : (variant % 3 == 1 ? 0.0f : -1.0f);
    c->p.act_max = variant % 3 == 0 ? FLT_MAX : (variant % 3 == 1 ? 6.0f : 1.0f);
}

static void free_f32_case(f32_case *c) {
    free(c->a), free(c->w), free(c->bias), free(c->out), free(c->want);
}

/* fully_connected.c's float loop. */
static void naive_f32(const f32_case *c) {
    int32_t m, n, k;
    for (m = 0; m < c->m; ++m)
        for (n = 0; n < c->n; ++n) {
            float total = 0.0f;
            for (k = 0; k < c->k; ++k)
                total += c->a[(size_t)m * c->lda + (size_t)k] * c->w[(size_t)n * (size_t)c->k + (size_t)k];
            c->want[(size_t)m * c->ldo + (size_t)n] =
                ember_clamp_f32(total + (c->p.bias ? c->p.bias[n] : 0.0f), c->p.act_min, c->p.act_max);
        }
}

static int run_f32(f32_case *c, ember_isa isa, int32_t split) {
    void *packed = malloc(ember_gemm_f32_packed_bytes(c->n, c->k, isa));
    int32_t m, bad = 0;
    memset(c->out, 0x5a, sizeof(float) * c->ldo * (size_t)c->m);
    ember_gemm_f32_pack(&c->p, isa, packed);
    ember_gemm_f32_run(packed, c->a, c->lda, c->out, c->ldo, 0, split);
    ember_gemm_f32_run(packed, c->a, c->lda, c->out, c->ldo, split, c->m);
    for (m = 0; m < c->m; ++m)
        bad += memcmp(c->out + (size_t)m * c->ldo, c->want + (size_t)m * c->ldo,
                      sizeof(float) * (size_t)c->n) != 0;
    free(packed);
    return bad;
}

static void test_gemm_f32(const ember_isa *levels, int level_count) {
    unsigned s = 13;
    int mi, ni, ki, l, variant = 0;
    for (mi = 0; mi < SIZE_COUNT; ++mi)
        for (ni = 0; ni < SIZE_COUNT; ++ni)
            for (ki = 0; ki < SIZE_COUNT; ++ki, ++variant) {
                f32_case c;
                make_f32_case(&c, sizes[mi], sizes[ni], sizes[ki], &s, variant);
                naive_f32(&c);
                for (l = 0; l < level_count; ++l) {
                    const int32_t split = (int32_t)(test_rand(&s) % (unsigned)(c.m + 1));
                    if (run_f32(&c, levels[l], split)) {
                        fprintf(stderr, "gemm_f32 %s: m=%ld n=%ld k=%ld variant %d differs\n",
                                ember_isa_name(levels[l]), (long)c.m, (long)c.n, (long)c.k, variant);
                        ++test_failures;
                    }
                }
                free_f32_case(&c);
            }
}

/* Depthwise pixel kernels (depth multiplier 1 and 2), every level against a naive loop over quantization.h's
 * scalar arithmetic: channel counts across the SIMD widths and tails, 1 to 25 taps. */
static void test_depthwise(const ember_isa *levels, int level_count) {
    enum { MAX_C = 100, MAX_T = 25 };
    static const int32_t tap_counts[] = {1, 2, 4, 9, 25};
    unsigned s = 17;
    int ci, ti, l, variant = 0;
    for (ci = 0; ci < SIZE_COUNT; ++ci)
        for (ti = 0; ti < 5; ++ti)
            for (variant = 0; variant < 4; ++variant) {
                const int32_t channels = sizes[ci], taps = tap_counts[ti], mult = variant == 3 ? 2 : 1;
                static int8_t xi[MAX_T][MAX_C], wi[MAX_T][MAX_C], out8[MAX_C], want8[MAX_C];
                static float xf[MAX_T][MAX_C], wf[MAX_T][MAX_C], outf[MAX_C], wantf[MAX_C], biasf[MAX_C];
                int32_t bias[MAX_C], multiplier[MAX_C], shift[MAX_C], c, t;
                const int8_t *xp[MAX_T], *wp[MAX_T];
                const float *xfp[MAX_T], *wfp[MAX_T];
                ember_dw_i8_params p;
                ember_dw_f32_params pf;
                if (channels % mult)
                    continue;
                for (t = 0; t < taps; ++t) {
                    for (c = 0; c < channels; ++c) {
                        xi[t][c] = (int8_t)rand_range(&s, -128, 127),
                        wi[t][c] = (int8_t)rand_range(&s, -128, 127);
                        xf[t][c] = rand_f32(&s), wf[t][c] = rand_f32(&s);
                    }
                    xp[t] = xi[t], wp[t] = wi[t], xfp[t] = xf[t], wfp[t] = wf[t];
                }
                for (c = 0; c < channels; ++c) {
                    bias[c] = rand_range(&s, -100000, 100000), biasf[c] = rand_f32(&s);
                    multiplier[c] = rand_range(&s, 1 << 30, INT32_MAX), shift[c] = rand_range(&s, -14, 1);
                }
                p.channels = channels, p.depth_multiplier = mult, p.bias = variant == 2 ? NULL : bias;
                p.multiplier = multiplier, p.shift = shift;
                p.input_offset = rand_range(&s, -127, 128), p.output_offset = rand_range(&s, -128, 127);
                p.act_min = variant == 1 ? 0 : -128, p.act_max = variant == 1 ? 100 : 127;
                pf.channels = channels, pf.depth_multiplier = mult, pf.bias = variant == 2 ? NULL : biasf;
                pf.act_min = variant == 1 ? 0.0f : -FLT_MAX, pf.act_max = variant == 1 ? 6.0f : FLT_MAX;
                for (c = 0; c < channels; ++c) {
                    uint32_t acc = p.bias ? (uint32_t)bias[c] : 0u;
                    float total = 0.0f;
                    int32_t y;
                    for (t = 0; t < taps; ++t) {
                        acc += (uint32_t)(wi[t][c] * (xi[t][c / mult] + p.input_offset));
                        total += xf[t][c / mult] * wf[t][c];
                    }
                    y = ember_multiply_by_quantized_multiplier(ember_wrap_i32(acc), multiplier[c], shift[c]);
                    want8[c] = ember_clamp_i8(ember_wrap_i32((uint32_t)y + (uint32_t)p.output_offset),
                                              p.act_min, p.act_max);
                    wantf[c] = ember_clamp_f32(total + (pf.bias ? biasf[c] : 0.0f), pf.act_min, pf.act_max);
                }
                for (l = 0; l < level_count; ++l) {
                    ember_dw_i8_pixel(levels[l], &p, xp, wp, taps, out8);
                    ember_dw_f32_pixel(levels[l], &pf, xfp, wfp, taps, outf);
                    if (memcmp(out8, want8, (size_t)channels) != 0 ||
                        memcmp(outf, wantf, sizeof(float) * (size_t)channels) != 0) {
                        fprintf(stderr, "depthwise %s: channels=%ld taps=%ld variant %d differs\n",
                                ember_isa_name(levels[l]), (long)channels, (long)taps, variant);
                        ++test_failures;
                    }
                }
            }
}

void test_gemm(void) {
    ember_isa levels[EMBER_ISA_COUNT];
    const int level_count = test_levels(levels);
    int l;
    printf("gemm: levels");
    for (l = 0; l < level_count; ++l)
        printf(" %s(i8:%s,f32:%s)", ember_isa_name(levels[l]),
               ember_isa_name(ember_gemm_i8_kernel_isa(levels[l])),
               ember_isa_name(ember_gemm_f32_kernel_isa(levels[l])));
    printf("\n");
    test_cpu_features();
    test_requant(levels, level_count);
    test_gemm_i8(levels, level_count);
    test_gemm_f32(levels, level_count);
    test_depthwise(levels, level_count);
}
