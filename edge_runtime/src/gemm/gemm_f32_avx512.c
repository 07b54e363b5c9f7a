/* The AVX-512 float32 family: 6 x 32 register tiles, the AVX2 family's lane-wise reference order (separate
 * multiply and add, never across k) on 16 lanes, with masked stores for the last channels. */
#include "gemm/gemm_internal.h"

#ifdef EMBER_GEMM_X86_F32
#include <immintrin.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define MR 6
#define NR 32
#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

/* ember_clamp_f32: y < lo ? lo : y is maxps(lo, y), hi < y ? hi : y is minps(hi, y), NaN included. */
static inline AVX512 __attribute__((always_inline)) void
store_row(__m512 acc0, __m512 acc1, const float *bias, __m512 lo, __m512 hi, float *dst, int32_t count) {
    const __mmask16 lanes0 = (__mmask16)(count >= 16 ? 0xffff : (1u << count) - 1);
    const __mmask16 lanes1 = (__mmask16)(count >= 32 ? 0xffff : (count > 16 ? (1u << (count - 16)) - 1 : 0));
    __m512 y0 = _mm512_add_ps(acc0, _mm512_loadu_ps(bias)),
           y1 = _mm512_add_ps(acc1, _mm512_loadu_ps(bias + 16));
    y0 = _mm512_min_ps(hi, _mm512_max_ps(lo, y0));
    y1 = _mm512_min_ps(hi, _mm512_max_ps(lo, y1));
    _mm512_mask_storeu_ps(dst, lanes0, y0);
    _mm512_mask_storeu_ps(dst + 16, lanes1, y1);
}

AVX512 void ember_gemm_f32_avx512(const ember_gemm_header *h, const float *a, size_t lda, float *out,
                                  size_t ldo, int32_t m0, int32_t m1) {
    const float *bias = ember_gemm_f32_bias(h), *weights = ember_gemm_f32_weights(h);
    const __m512 lo = _mm512_set1_ps(h->act_min_f), hi = _mm512_set1_ps(h->act_max_f);
    int32_t m, p, k, r;
    for (m = m0; m < m1; m += MR) {
        const int32_t mr = m1 - m < MR ? m1 - m : MR;
        const float *rows[MR];
        for (r = 0; r < MR; ++r)
            rows[r] = a + (size_t)(m + (r < mr ? r : mr - 1)) * lda;
        for (p = 0; p < h->n_pad; p += NR) {
            const float *w = weights + (size_t)p * (size_t)h->k;
            __m512 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, w0, w1, x, t;
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = _mm512_setzero_ps();
            for (k = 0; k < h->k; ++k, w += NR) {
                w0 = _mm512_loadu_ps(w);
                w1 = _mm512_loadu_ps(w + 16);
#define ROW(r)                                                                                               \
    x = _mm512_set1_ps(rows[r][k]);                                                                          \
    t = _mm512_mul_ps(x, w0);                                                                                \
    EMBER_NO_CONTRACT(t);                                                                                    \
    c##r##0 = _mm512_add_ps(c##r##0, t);                                                                     \
    t = _mm512_mul_ps(x, w1);                                                                                \
    EMBER_NO_CONTRACT(t);                                                                                    \
    c##r##1 = _mm512_add_ps(c##r##1, t)
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
typedef int ember_gemm_f32_avx512_unused; /* ISO C forbids an empty translation unit */
#endif
