/* aarch64 NEON depthwise pixel kernels (gemm.h: ember_dw_*_pixel, depth multiplier 1): 16 channels per step
 * for int8, 4 x 4 for float32, then the scalar per-channel loop for the tail. int8 products
 * w * (x + input_offset) fit int16 exactly (|x + offset| <= 255, |w| <= 128), so they are formed with 16-bit
 * multiplies and widened into int32 accumulators, which wrap as the reference's; requantisation is
 * requant_neon.h's, bit for bit the scalar one. Float lanes keep the reference's separate multiply and add
 * (EMBER_NO_CONTRACT keeps fmla out) and clamp by compare-and-select like ember_clamp_f32. */
#include "gemm/gemm_internal.h"

#ifdef EMBER_GEMM_NEON
#include "gemm/requant_neon.h"

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

static int32x4_t requant4(int32x4_t acc, const ember_dw_i8_params *p, int32_t c, int32x4_t out_offset,
                          int32x4_t lo, int32x4_t hi) {
    const int32x4_t zero = vdupq_n_s32(0);
    const int32x4_t s = vld1q_s32(p->shift + c);
    const int32x4_t y = ember_requant_double_neon(acc, vld1q_s32(p->multiplier + c), vmaxq_s32(s, zero),
                                                  vmaxq_s32(vnegq_s32(s), zero));
    /* The output offset wraps (vaddq) as on the reference's two's complement hardware, then the clamp. */
    return vminq_s32(vmaxq_s32(vaddq_s32(y, out_offset), lo), hi);
}

void ember_dw_i8_neon(const ember_dw_i8_params *p, const int8_t *const *x, const int8_t *const *w,
                      int32_t taps, int8_t *out) {
    const int16x8_t offset = vdupq_n_s16((int16_t)p->input_offset);
    const int32x4_t out_offset = vdupq_n_s32(p->output_offset);
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    int32_t c, t, i;
    for (c = 0; c + 16 <= p->channels; c += 16) {
        int32x4_t acc[4];
        int16x8_t lo16, hi16;
        for (i = 0; i < 4; ++i)
            acc[i] = p->bias ? vld1q_s32(p->bias + c + 4 * i) : vdupq_n_s32(0);
        for (t = 0; t < taps; ++t) {
            const int8x16_t xv = vld1q_s8(x[t] + c), wv = vld1q_s8(w[t] + c);
            const int16x8_t p0 =
                vmulq_s16(vaddq_s16(vmovl_s8(vget_low_s8(xv)), offset), vmovl_s8(vget_low_s8(wv)));
            const int16x8_t p1 = vmulq_s16(vaddq_s16(vmovl_high_s8(xv), offset), vmovl_high_s8(wv));
            acc[0] = vaddw_s16(acc[0], vget_low_s16(p0));
            acc[1] = vaddw_high_s16(acc[1], p0);
            acc[2] = vaddw_s16(acc[2], vget_low_s16(p1));
            acc[3] = vaddw_high_s16(acc[3], p1);
        }
        for (i = 0; i < 4; ++i)
            acc[i] = requant4(acc[i], p, c + 4 * i, out_offset, lo, hi);
        /* Clamped to int8 already, so the saturating narrows are exact. */
        lo16 = vcombine_s16(vqmovn_s32(acc[0]), vqmovn_s32(acc[1]));
        hi16 = vcombine_s16(vqmovn_s32(acc[2]), vqmovn_s32(acc[3]));
        vst1q_s8(out + c, vcombine_s8(vqmovn_s16(lo16), vqmovn_s16(hi16)));
    }
    ember_dw_i8_channels(p, x, w, taps, c, p->channels, out);
}

void ember_dw_f32_neon(const ember_dw_f32_params *p, const float *const *x, const float *const *w,
                       int32_t taps, float *out) {
    const float32x4_t lo = vdupq_n_f32(p->act_min), hi = vdupq_n_f32(p->act_max);
    int32_t c, t, i;
    for (c = 0; c + 16 <= p->channels; c += 16) {
        float32x4_t total[4];
        for (i = 0; i < 4; ++i)
            total[i] = vdupq_n_f32(0.0f);
        for (t = 0; t < taps; ++t)
            for (i = 0; i < 4; ++i) {
                float32x4_t prod = vmulq_f32(vld1q_f32(x[t] + c + 4 * i), vld1q_f32(w[t] + c + 4 * i));
                EMBER_NO_CONTRACT(prod);
                total[i] = vaddq_f32(total[i], prod);
            }
        for (i = 0; i < 4; ++i) {
            float32x4_t y = vaddq_f32(total[i], p->bias ? vld1q_f32(p->bias + c + 4 * i) : vdupq_n_f32(0.0f));
            y = vbslq_f32(vcltq_f32(y, lo), lo, y);
            y = vbslq_f32(vcltq_f32(hi, y), hi, y);
            vst1q_f32(out + c + 4 * i, y);
        }
    }
    ember_dw_f32_channels(p, x, w, taps, c, p->channels, out);
}
#else
typedef int ember_depthwise_neon_unused; /* ISO C forbids an empty translation unit */
#endif
