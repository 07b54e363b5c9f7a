/* The aarch64 NEON float32 family: 4 x 16 register tiles, vectorised across output channels only, each lane
 * the reference's sequence with separate multiplies and adds (EMBER_NO_CONTRACT keeps fmla out). The clamp
 * is compare-and-select, as fmax/fmin differ from ember_clamp_f32 on NaN and signed zeros. */
#include "gemm/gemm_internal.h"

#ifdef EMBER_GEMM_NEON
#include <arm_neon.h>
#include <string.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define MR 4
#define NR 16

static inline void store_row(float32x4_t c0, float32x4_t c1, float32x4_t c2, float32x4_t c3,
                             const float *bias, float32x4_t lo, float32x4_t hi, float *dst, int32_t count) {
    float32x4_t y[4];
    float tmp[NR];
    int i;
    y[0] = c0, y[1] = c1, y[2] = c2, y[3] = c3;
    for (i = 0; i < 4; ++i) {
        y[i] = vaddq_f32(y[i], vld1q_f32(bias + 4 * i));
        y[i] = vbslq_f32(vcltq_f32(y[i], lo), lo, y[i]);
        y[i] = vbslq_f32(vcltq_f32(hi, y[i]), hi, y[i]);
        vst1q_f32(tmp + 4 * i, y[i]);
    }
    memcpy(dst, tmp, sizeof(float) * (size_t)(count < NR ? count : NR));
}

void ember_gemm_f32_neon(const ember_gemm_header *h, const float *a, size_t lda, float *out, size_t ldo,
                         int32_t m0, int32_t m1) {
    const float *bias = ember_gemm_f32_bias(h), *weights = ember_gemm_f32_weights(h);
    const float32x4_t lo = vdupq_n_f32(h->act_min_f), hi = vdupq_n_f32(h->act_max_f);
    int32_t m, p, k, r;
    for (m = m0; m < m1; m += MR) {
        const int32_t mr = m1 - m < MR ? m1 - m : MR;
        const float *rows[MR];
        for (r = 0; r < MR; ++r)
            rows[r] = a + (size_t)(m + (r < mr ? r : mr - 1)) * lda;
        for (p = 0; p < h->n_pad; p += NR) {
            const float *w = weights + (size_t)p * (size_t)h->k;
            float32x4_t c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
            float32x4_t w0, w1, w2, w3, x, t;
            c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = vdupq_n_f32(0.0f);
            c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = vdupq_n_f32(0.0f);
            for (k = 0; k < h->k; ++k, w += NR) {
                w0 = vld1q_f32(w), w1 = vld1q_f32(w + 4), w2 = vld1q_f32(w + 8), w3 = vld1q_f32(w + 12);
/* total += a[k] * w[k] for one row and 16 channels, multiply then add. */
#define MAC(acc, wv)                                                                                         \
    t = vmulq_f32(x, wv);                                                                                    \
    EMBER_NO_CONTRACT(t);                                                                                    \
    acc = vaddq_f32(acc, t)
#define ROW(r)                                                                                               \
    x = vdupq_n_f32(rows[r][k]);                                                                             \
    MAC(c##r##0, w0);                                                                                        \
    MAC(c##r##1, w1);                                                                                        \
    MAC(c##r##2, w2);                                                                                        \
    MAC(c##r##3, w3)
                ROW(0);
                ROW(1);
                ROW(2);
                ROW(3);
#undef ROW
#undef MAC
            }
            store_row(c00, c01, c02, c03, bias + p, lo, hi, out + (size_t)m * ldo + (size_t)p, h->n - p);
            if (mr > 1)
                store_row(c10, c11, c12, c13, bias + p, lo, hi, out + (size_t)(m + 1) * ldo + (size_t)p,
                          h->n - p);
            if (mr > 2)
                store_row(c20, c21, c22, c23, bias + p, lo, hi, out + (size_t)(m + 2) * ldo + (size_t)p,
                          h->n - p);
            if (mr > 3)
                store_row(c30, c31, c32, c33, bias + p, lo, hi, out + (size_t)(m + 3) * ldo + (size_t)p,
                          h->n - p);
        }
    }
}
#else
typedef int ember_gemm_f32_neon_unused; /* ISO C forbids an empty translation unit */
#endif
