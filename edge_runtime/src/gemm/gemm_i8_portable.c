/* The portable int8 family: one output at a time in wrapping int32, the reference every SIMD family matches
 * (packed with nr = kg = 1, so the weights are the [n][k] rows and the bias has the input offset folded in).
 */
#include "gemm/gemm_internal.h"

static int32_t requant(ember_requant_rounding rounding, int32_t x, int32_t multiplier, int32_t shift) {
    return rounding == EMBER_REQUANT_SINGLE ? ember_multiply_single_rounding(x, multiplier, shift)
                                            : ember_multiply_by_quantized_multiplier(x, multiplier, shift);
}

void ember_requant_portable(ember_requant_rounding rounding, const int32_t *acc, const int32_t *multiplier,
                            const int32_t *shift, int32_t count, int32_t *out) {
    int32_t i;
    for (i = 0; i < count; ++i)
        out[i] = requant(rounding, acc[i], multiplier[i], shift[i]);
}

void ember_gemm_i8_portable(const ember_gemm_header *h, const int8_t *a, size_t lda, int8_t *out, size_t ldo,
                            int32_t m0, int32_t m1) {
    const ember_gemm_i8_view v = ember_gemm_i8_unpack(h);
    const ember_requant_rounding rounding = (ember_requant_rounding)h->rounding;
    int32_t m, n, k;
    for (m = m0; m < m1; ++m) {
        const int8_t *x = a + (size_t)m * lda;
        for (n = 0; n < h->n; ++n) {
            const int8_t *w = v.weights + (size_t)n * (size_t)h->k_pad;
            uint32_t acc = (uint32_t)v.bias[n];
            int32_t y;
            for (k = 0; k < h->k; ++k)
                acc += (uint32_t)(w[k] * x[k]);
            y = requant(rounding, ember_wrap_i32(acc), v.multiplier[n], v.shift[n]);
            /* The output offset wraps as on the reference's two's complement hardware. */
            y = ember_wrap_i32((uint32_t)y + (uint32_t)h->output_offset);
            out[(size_t)m * ldo + (size_t)n] = ember_clamp_i8(y, h->act_min, h->act_max);
        }
    }
}
