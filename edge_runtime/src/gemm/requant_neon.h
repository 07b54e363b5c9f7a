/* TFLite's requantisation on 4 int32 lanes of aarch64 NEON, bit for bit quantization.h's scalar functions:
 * vqrdmulh is srdhm exactly (round half up of a * b / 2^31 is gemmlowp's nudged truncation, and it
 * saturates INT32_MIN * INT32_MIN), vrshl by a negative count rounds half up, and gemmlowp's fix-up (minus
 * one for negatives) turns that into rdbpot's half away from zero. Included by the NEON files only. */
#ifndef EMBER_REQUANT_NEON_H
#define EMBER_REQUANT_NEON_H

#include <arm_neon.h>

/* rdbpot(x, e) with neg_e = -e: vqadd keeps INT32_MIN - 1 at INT32_MIN, which rounds the same. */
static inline int32x4_t ember_rdbpot_neon(int32x4_t x, int32x4_t neg_e) {
    const int32x4_t fixup = vshrq_n_s32(vandq_s32(x, neg_e), 31);
    return vrshlq_s32(vqaddq_s32(x, fixup), neg_e);
}

/* ember_multiply_by_quantized_multiplier; vshl by a non-negative count wraps like the scalar left shift. */
static inline int32x4_t ember_requant_double_neon(int32x4_t x, int32x4_t multiplier, int32x4_t left,
                                                  int32x4_t right) {
    return ember_rdbpot_neon(vqrdmulhq_s32(vshlq_s32(x, left), multiplier), vnegq_s32(right));
}

/* ember_multiply_single_rounding, total = 31 - shift: one rounding shift of the 64-bit product. */
static inline int32x4_t ember_requant_single_neon(int32x4_t x, int32x4_t multiplier, int32x4_t total) {
    const int32x4_t neg = vnegq_s32(total);
    const int64x2_t lo =
        vrshlq_s64(vmull_s32(vget_low_s32(x), vget_low_s32(multiplier)), vmovl_s32(vget_low_s32(neg)));
    const int64x2_t hi = vrshlq_s64(vmull_high_s32(x, multiplier), vmovl_high_s32(neg));
    return vcombine_s32(vmovn_s64(lo), vmovn_s64(hi));
}

#endif /* EMBER_REQUANT_NEON_H */
