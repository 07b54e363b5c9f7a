/* The aarch64 int8 families, 4 x 16 register tiles (16 accumulators). NEON: smull of pairs of k (each product
 * exact in int16) and sadalp into int32; two products never share an int16, as (-128)^2 * 2 overflows it.
 * Dot product: sdot on quadruples of k, signed by signed, exact. Both wrap in int32 as the reference. */
#include "gemm/gemm_internal.h"

#ifdef EMBER_GEMM_NEON
#include <string.h>

#include "gemm/requant_neon.h"

#define MR 4
#define NR 16
#define KC 512 /* k per activation block on the stack */

#if defined(__ARM_FEATURE_DOTPROD)
#define EMBER_DOTPROD_TARGET
#else
#define EMBER_DOTPROD_TARGET __attribute__((target("arch=armv8.2-a+dotprod")))
#endif

/* Rows of the tile from k0 on, zero past k. */
static void load_block(const int8_t *const rows[MR], int32_t k0, int32_t kc, int32_t k,
                       int8_t block[MR][KC]) {
    const int32_t valid = k - k0 < kc ? k - k0 : kc;
    int32_t r;
    for (r = 0; r < MR; ++r) {
        memcpy(block[r], rows[r] + k0, (size_t)valid);
        memset(block[r] + valid, 0, (size_t)(kc - valid));
    }
}

typedef struct panel_quant {
    int32x4_t multiplier[4], left[4], right[4];
} panel_quant;

static panel_quant load_quant(const ember_gemm_i8_view *v, int32_t p) {
    panel_quant q;
    int i;
    for (i = 0; i < 4; ++i) {
        q.multiplier[i] = vld1q_s32(v->multiplier + p + 4 * i);
        q.left[i] = vld1q_s32(v->left + p + 4 * i);
        q.right[i] = vld1q_s32(v->right + p + 4 * i);
    }
    return q;
}

/* Requantises one row of 16 accumulators and stores its first `count` channels. */
static inline void store_row(int32x4_t c0, int32x4_t c1, int32x4_t c2, int32x4_t c3, const panel_quant *q,
                             const ember_gemm_header *h, int8_t *dst, int32_t count) {
    const int32x4_t offset = vdupq_n_s32(h->output_offset);
    const int32x4_t lo = vdupq_n_s32(h->act_min), hi = vdupq_n_s32(h->act_max);
    int32x4_t y[4];
    int16x8_t s01, s23;
    int8x16_t bytes;
    int i;
    y[0] = c0, y[1] = c1, y[2] = c2, y[3] = c3;
    for (i = 0; i < 4; ++i) {
        y[i] = h->rounding == EMBER_REQUANT_SINGLE
                   ? ember_requant_single_neon(y[i], q->multiplier[i], q->right[i])
                   : ember_requant_double_neon(y[i], q->multiplier[i], q->left[i], q->right[i]);
        y[i] = vminq_s32(vmaxq_s32(vaddq_s32(y[i], offset), lo), hi);
    }
    /* Within [-128, 127] already: the saturating narrows are exact. */
    s01 = vcombine_s16(vqmovn_s32(y[0]), vqmovn_s32(y[1]));
    s23 = vcombine_s16(vqmovn_s32(y[2]), vqmovn_s32(y[3]));
    bytes = vcombine_s8(vqmovn_s16(s01), vqmovn_s16(s23));
    if (count >= NR) {
        vst1q_s8(dst, bytes);
    } else {
        int8_t tmp[NR];
        vst1q_s8(tmp, bytes);
        memcpy(dst, tmp, (size_t)count);
    }
}

static inline int32_t load_i32(const int8_t *p) {
    int32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline int16_t load_i16(const int8_t *p) {
    int16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* The tile loop both families share: LOAD_W reads one k group of the panel into w0 .. w3, STEP(r) accumulates
 * it against row r into cr0 .. cr3 (channels 4j .. 4j+3 in crj). */
#define GEMM_I8_NEON(KG, LOAD_W, STEP)                                                                       \
    const ember_gemm_i8_view v = ember_gemm_i8_unpack(h);                                                    \
    const int32_t k_pad = h->k_pad, one_block = k_pad <= KC;                                                 \
    int8_t block[MR][KC];                                                                                    \
    int32_t m, p, k0, kk, r;                                                                                 \
    for (m = m0; m < m1; m += MR) {                                                                          \
        const int32_t mr = m1 - m < MR ? m1 - m : MR;                                                        \
        const int8_t *rows[MR];                                                                              \
        for (r = 0; r < MR; ++r)                                                                             \
            rows[r] = a + (size_t)(m + (r < mr ? r : mr - 1)) * lda;                                         \
        if (one_block)                                                                                       \
            load_block(rows, 0, k_pad, h->k, block);                                                         \
        for (p = 0; p < h->n_pad; p += NR) {                                                                 \
            const int8_t *w = v.weights + (size_t)p * (size_t)k_pad;                                         \
            int32x4_t c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;        \
            int8x16_t w0, w1, w2, w3;                                                                        \
            panel_quant q;                                                                                   \
            c00 = c10 = c20 = c30 = vld1q_s32(v.bias + p);                                                   \
            c01 = c11 = c21 = c31 = vld1q_s32(v.bias + p + 4);                                               \
            c02 = c12 = c22 = c32 = vld1q_s32(v.bias + p + 8);                                               \
            c03 = c13 = c23 = c33 = vld1q_s32(v.bias + p + 12);                                              \
            for (k0 = 0; k0 < k_pad; k0 += KC) {                                                             \
                const int32_t kc = k_pad - k0 < KC ? k_pad - k0 : KC;                                        \
                if (!one_block)                                                                              \
                    load_block(rows, k0, kc, h->k, block);                                                   \
                for (kk = 0; kk < kc; kk += KG, w += KG * NR) {                                              \
                    LOAD_W;                                                                                  \
                    STEP(0);                                                                                 \
                    STEP(1);                                                                                 \
                    STEP(2);                                                                                 \
                    STEP(3);                                                                                 \
                }                                                                                            \
            }                                                                                                \
            q = load_quant(&v, p);                                                                           \
            store_row(c00, c01, c02, c03, &q, h, out + (size_t)m * ldo + (size_t)p, h->n - p);               \
            if (mr > 1)                                                                                      \
                store_row(c10, c11, c12, c13, &q, h, out + (size_t)(m + 1) * ldo + (size_t)p, h->n - p);     \
            if (mr > 2)                                                                                      \
                store_row(c20, c21, c22, c23, &q, h, out + (size_t)(m + 2) * ldo + (size_t)p, h->n - p);     \
            if (mr > 3)                                                                                      \
                store_row(c30, c31, c32, c33, &q, h, out + (size_t)(m + 3) * ldo + (size_t)p, h->n - p);     \
        }                                                                                                    \
    }

/* w0: channels 0-7 as (k, k+1) pairs, w1: channels 8-15. */
#define LOAD_W_PAIRS w0 = vld1q_s8(w), w1 = vld1q_s8(w + 16), (void)w2, (void)w3
#define STEP_PAIRS(r)                                                                                        \
    do {                                                                                                     \
        const int8x16_t x = vreinterpretq_s8_s16(vdupq_n_s16(load_i16(block[r] + kk)));                      \
        c##r##0 = vpadalq_s16(c##r##0, vmull_s8(vget_low_s8(w0), vget_low_s8(x)));                           \
        c##r##1 = vpadalq_s16(c##r##1, vmull_high_s8(w0, x));                                                \
        c##r##2 = vpadalq_s16(c##r##2, vmull_s8(vget_low_s8(w1), vget_low_s8(x)));                           \
        c##r##3 = vpadalq_s16(c##r##3, vmull_high_s8(w1, x));                                                \
    } while (0)

void ember_gemm_i8_neon(const ember_gemm_header *h, const int8_t *a, size_t lda, int8_t *out, size_t ldo,
                        int32_t m0, int32_t m1) {
    GEMM_I8_NEON(2, LOAD_W_PAIRS, STEP_PAIRS);
}

#ifdef EMBER_GEMM_NEON_DOTPROD
/* wj: channels 4j .. 4j+3, four k each. */
#define LOAD_W_QUADS w0 = vld1q_s8(w), w1 = vld1q_s8(w + 16), w2 = vld1q_s8(w + 32), w3 = vld1q_s8(w + 48)
#define STEP_QUADS(r)                                                                                        \
    do {                                                                                                     \
        const int8x16_t x = vreinterpretq_s8_s32(vdupq_n_s32(load_i32(block[r] + kk)));                      \
        c##r##0 = vdotq_s32(c##r##0, w0, x);                                                                 \
        c##r##1 = vdotq_s32(c##r##1, w1, x);                                                                 \
        c##r##2 = vdotq_s32(c##r##2, w2, x);                                                                 \
        c##r##3 = vdotq_s32(c##r##3, w3, x);                                                                 \
    } while (0)

EMBER_DOTPROD_TARGET void ember_gemm_i8_neon_dotprod(const ember_gemm_header *h, const int8_t *a, size_t lda,
                                                     int8_t *out, size_t ldo, int32_t m0, int32_t m1) {
    GEMM_I8_NEON(4, LOAD_W_QUADS, STEP_QUADS);
}
#endif

void ember_requant_neon(ember_requant_rounding rounding, const int32_t *acc, const int32_t *multiplier,
                        const int32_t *shift, int32_t count, int32_t *out) {
    int32_t i;
    for (i = 0; i < count; i += 4) {
        int32_t x[4] = {0}, m[4] = {0}, s[4] = {0}, y[4];
        const int32_t lanes = count - i < 4 ? count - i : 4;
        int32x4_t vs, r;
        memcpy(x, acc + i, sizeof(int32_t) * (size_t)lanes);
        memcpy(m, multiplier + i, sizeof(int32_t) * (size_t)lanes);
        memcpy(s, shift + i, sizeof(int32_t) * (size_t)lanes);
        vs = vld1q_s32(s);
        if (rounding == EMBER_REQUANT_SINGLE)
            r = ember_requant_single_neon(vld1q_s32(x), vld1q_s32(m), vsubq_s32(vdupq_n_s32(31), vs));
        else
            r = ember_requant_double_neon(vld1q_s32(x), vld1q_s32(m), vmaxq_s32(vs, vdupq_n_s32(0)),
                                          vmaxq_s32(vnegq_s32(vs), vdupq_n_s32(0)));
        vst1q_s32(y, r);
        memcpy(out + i, y, sizeof(int32_t) * (size_t)lanes);
    }
}
#else
typedef int ember_gemm_i8_neon_unused; /* ISO C forbids an empty translation unit */
#endif
