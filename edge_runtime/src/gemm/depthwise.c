/* The portable depthwise pixel kernels (gemm.h: ember_dw_*_pixel) and their dispatch. The channel loops of
 * depth multiplier 1 run in blocks, tap by tap over a block of accumulators, so that compilers can vectorise
 * them; the per-channel loops serve other multipliers and the SIMD families' tails. */
#include "gemm/gemm_internal.h"

/* GCC never contracts in ISO C mode (-std=c99); clang needs telling. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define DW_BLOCK 64

static int8_t finish_i8(const ember_dw_i8_params *p, int32_t c, uint32_t acc) {
    int32_t y = ember_multiply_by_quantized_multiplier(ember_wrap_i32(acc), p->multiplier[c], p->shift[c]);
    /* The output offset wraps as on the reference's two's complement hardware (and in the SIMD families). */
    y = ember_wrap_i32((uint32_t)y + (uint32_t)p->output_offset);
    return ember_clamp_i8(y, p->act_min, p->act_max);
}

/* ember_clamp_f32's comparisons, so NaN and signed zeros come out as in the reference. */
static float finish_f32(const ember_dw_f32_params *p, int32_t c, float total) {
    float y = total + (p->bias ? p->bias[c] : 0.0f);
    y = y < p->act_min ? p->act_min : y;
    return p->act_max < y ? p->act_max : y;
}

void ember_dw_i8_channels(const ember_dw_i8_params *p, const int8_t *const *x, const int8_t *const *w,
                          int32_t taps, int32_t c0, int32_t c1, int8_t *out) {
    const int32_t mult = p->depth_multiplier;
    int32_t c, t;
    for (c = c0; c < c1; ++c) {
        uint32_t acc = p->bias ? (uint32_t)p->bias[c] : 0u;
        for (t = 0; t < taps; ++t)
            acc += (uint32_t)(w[t][c] * (x[t][c / mult] + p->input_offset));
        out[c] = finish_i8(p, c, acc);
    }
}

void ember_dw_f32_channels(const ember_dw_f32_params *p, const float *const *x, const float *const *w,
                           int32_t taps, int32_t c0, int32_t c1, float *out) {
    const int32_t mult = p->depth_multiplier;
    int32_t c, t;
    for (c = c0; c < c1; ++c) {
        float total = 0.0f;
        for (t = 0; t < taps; ++t)
            total += x[t][c / mult] * w[t][c];
        out[c] = finish_f32(p, c, total);
    }
}

void ember_dw_i8_portable(const ember_dw_i8_params *p, const int8_t *const *x, const int8_t *const *w,
                          int32_t taps, int8_t *out) {
    uint32_t acc[DW_BLOCK];
    int32_t c0, c, t, n;
    for (c0 = 0; c0 < p->channels; c0 += DW_BLOCK) {
        n = p->channels - c0 < DW_BLOCK ? p->channels - c0 : DW_BLOCK;
        for (c = 0; c < n; ++c)
            acc[c] = p->bias ? (uint32_t)p->bias[c0 + c] : 0u;
        for (t = 0; t < taps; ++t) {
            const int8_t *xt = x[t] + c0, *wt = w[t] + c0;
            for (c = 0; c < n; ++c)
                acc[c] += (uint32_t)(wt[c] * (xt[c] + p->input_offset));
        }
        for (c = 0; c < n; ++c)
            out[c0 + c] = finish_i8(p, c0 + c, acc[c]);
    }
}

void ember_dw_f32_portable(const ember_dw_f32_params *p, const float *const *x, const float *const *w,
                           int32_t taps, float *out) {
    float total[DW_BLOCK];
    int32_t c0, c, t, n;
    for (c0 = 0; c0 < p->channels; c0 += DW_BLOCK) {
        n = p->channels - c0 < DW_BLOCK ? p->channels - c0 : DW_BLOCK;
        for (c = 0; c < n; ++c)
            total[c] = 0.0f;
        for (t = 0; t < taps; ++t) {
            const float *xt = x[t] + c0, *wt = w[t] + c0;
            for (c = 0; c < n; ++c)
                total[c] += xt[c] * wt[c];
        }
        for (c = 0; c < n; ++c)
            out[c0 + c] = finish_f32(p, c0 + c, total[c]);
    }
}

void ember_dw_i8_pixel(ember_isa isa, const ember_dw_i8_params *p, const int8_t *const *x,
                       const int8_t *const *w, int32_t taps, int8_t *out) {
    ember_dw_i8_kernel *kernel = ember_dw_i8_portable;
    if (p->depth_multiplier != 1) {
        ember_dw_i8_channels(p, x, w, taps, 0, p->channels, out);
        return;
    }
    switch (ember_gemm_i8_kernel_isa(isa)) {
#ifdef EMBER_GEMM_X86
    case EMBER_ISA_AVX2:
        kernel = ember_dw_i8_avx2;
        break;
    case EMBER_ISA_AVX512:
    case EMBER_ISA_AVX512_VNNI:
        kernel = ember_dw_i8_avx512;
        break;
#endif
#ifdef EMBER_GEMM_NEON
    case EMBER_ISA_NEON:
    case EMBER_ISA_NEON_DOTPROD:
        kernel = ember_dw_i8_neon;
        break;
#endif
    default:
        break;
    }
    kernel(p, x, w, taps, out);
}

void ember_dw_f32_pixel(ember_isa isa, const ember_dw_f32_params *p, const float *const *x,
                        const float *const *w, int32_t taps, float *out) {
    ember_dw_f32_kernel *kernel = ember_dw_f32_portable;
    if (p->depth_multiplier != 1) {
        ember_dw_f32_channels(p, x, w, taps, 0, p->channels, out);
        return;
    }
    switch (ember_gemm_f32_kernel_isa(isa)) {
#ifdef EMBER_GEMM_X86_F32
    case EMBER_ISA_AVX2:
        kernel = ember_dw_f32_avx2;
        break;
    case EMBER_ISA_AVX512:
        kernel = ember_dw_f32_avx512;
        break;
#endif
#ifdef EMBER_GEMM_NEON
    case EMBER_ISA_NEON:
        kernel = ember_dw_f32_neon;
        break;
#endif
    default:
        break;
    }
    kernel(p, x, w, taps, out);
}
