/* The portable float32 family: the reference's order of operations (total from 0.0f, += a * w over k, then
 * + bias, then the clamp), which the SIMD families reproduce lane by lane. */
#include "gemm/gemm_internal.h"

/* GCC never contracts in ISO C mode (-std=c99); clang needs telling. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

void ember_gemm_f32_portable(const ember_gemm_header *h, const float *a, size_t lda, float *out, size_t ldo,
                             int32_t m0, int32_t m1) {
    const float *bias = ember_gemm_f32_bias(h), *weights = ember_gemm_f32_weights(h);
    int32_t m, n, k;
    for (m = m0; m < m1; ++m) {
        const float *x = a + (size_t)m * lda;
        for (n = 0; n < h->n; ++n) {
            const float *w = weights + (size_t)n * (size_t)h->k;
            float total = 0.0f, y;
            for (k = 0; k < h->k; ++k)
                total += x[k] * w[k];
            /* ember_clamp_f32's comparisons, so NaN and signed zeros come out as in the kernels. */
            y = total + bias[n];
            y = y < h->act_min_f ? h->act_min_f : y;
            out[(size_t)m * ldo + (size_t)n] = h->act_max_f < y ? h->act_max_f : y;
        }
    }
}
