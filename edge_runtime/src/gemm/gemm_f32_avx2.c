/* The AVX2 float32 family: 6 x 16 register tiles, vectorised across output channels only, so every lane runs
 * the reference's sequence (0.0f, then += a[k] * w[k] in k order, then + bias, then the clamp) with separate
 * multiplies and adds: bit-identical to the portable family. No FMA in the target, and EMBER_NO_CONTRACT. */
#include "gemm/gemm_internal.h"

#ifdef EMBER_GEMM_X86_F32
#include <immintrin.h>
#include <string.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define MR 6
#define NR 16
#define AVX2 __attribute__((target("avx2")))

/* ember_clamp_f32: y < lo ? lo : y is maxps(lo, y), hi < y ? hi : y is minps(hi, y), NaN included. */
static inline AVX2 __attribute__((always_inline)) void
store_row(__m256 acc0, __m256 acc1, const float *bias, __m256 lo, __m256 hi, float *dst, int32_t count) {
    float tmp[NR];
    __m256 y0 = _mm256_add_ps(acc0, _mm256_loadu_ps(bias)),
           y1 = _mm256_add_ps(acc1, _mm256_loadu_ps(bias + 8));

    y0 = _mm256_min_ps(hi, _mm256_max_ps(lo, y0));
    y1 = _mm256_min_ps(hi, _mm256_max_ps(lo, y1));
    if (count >= NR) {
        _mm256_storeu_ps(dst, y0);
        _mm256_storeu_ps(dst + 8, y1);
    } else {
        _mm256_storeu_ps(tmp, y0);
        _mm256_storeu_ps(tmp + 8, y1);
        memcpy(dst, tmp, sizeof(float) * (size_t)count);
    }
}

AVX2 void ember_gemm_f32_avx2(const ember_gemm_header *h, const float *a, size_t lda, float *out, size_t ldo,
                              int32_t m0, int32_t m1) {
    const float *bias = ember_gemm_f32_bias(h), *weights = ember_gemm_f32_weights(h);
    const __m256 lo = _mm256_set1_ps(h->act_min_f), hi = _mm256_set1_ps(h->act_max_f);
    int32_t m, p, k, r;
    for (m = m0; m < m1; m += MR) {
        const int32_t mr = m1 - m < MR ? m1 - m : MR;
        const float *rows[MR];
        for (r = 0; r < MR; ++r)
            rows[r] = a + (size_t)(m + (r < mr ? r : mr - 1)) * lda;
        for (p = 0; p < h->n_pad; p += NR) {
            const float *w = weights + (size_t)p * (size_t)h->k;
            __m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, w0, w1, x, t;
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = _mm256_setzero_ps();
            for (k = 0; k < h->k; ++k, w += NR) {
                w0 = _mm256_loadu_ps(w);
                w1 = _mm256_loadu_ps(w + 8);
/* total += a[k] * w[k] for one row and 16 channels, multiply then add. */
#define ROW(r)                                                                                               \
    x = _mm256_set1_ps(rows[r][k]);                                                                          \
    t = _mm256_mul_ps(x, w0);                                                                                \
    EMBER_NO_CONTRACT(t);                                                                                    \
    c##r##0 = _mm256_add_ps(c##r##0, t);                                                                     \
    t = _mm256_mul_ps(x, w1);                                                                                \
    EMBER_NO_CONTRACT(t);                                                                                    \
    c##r##1 = _mm256_add_ps(c##r##1, t)
                ROW(0);
                ROW(1);
                ROW(2);
                ROW(3);
                ROW(4);
                ROW(5);
#undef ROW
            }
            store_row(c00, c01, bias + p, lo, hi, out + (size_t)m * ldo + (size_t)p, h->n - p);
            if (mr > 1)
                store_row(c10, c11, bias + p, lo, hi, out + (size_t)(m + 1) * ldo + (size_t)p, h->n - p);
            if (mr > 2)
                store_row(c20, c21, bias + p, lo, hi, out + (size_t)(m + 2) * ldo + (size_t)p, h->n - p);
            if (mr > 3)
                store_row(c30, c31, bias + p, lo, hi, out + (size_t)(m + 3) * ldo + (size_t)p, h->n - p);
            if (mr > 4)
                store_row(c40, c41, bias + p, lo, hi, out + (size_t)(m + 4) * ldo + (size_t)p, h->n - p);
            if (mr > 5)
                store_row(c50, c51, bias + p, lo, hi, out + (size_t)(m + 5) * ldo + (size_t)p, h->n - p);
        }
    }
}
#else
typedef int ember_gemm_f32_avx2_unused; /* ISO C forbids an empty translation unit */
#endif
