/* aarch64 NEON elementwise kernels (elementwise.h), 16 elements a step, tails to the portable kernels. int8
 * rows widen to int32 lanes and requantise with requant_neon.h (vqrdmulh-based, bit for bit the scalar
 * functions). The float clamp compares and selects, as ember_clamp_f32 does: vmax/vmin would turn a NaN
 * input or -0.0 against a +0.0 bound into something else. */
#include "gemm/elementwise_internal.h"

#ifdef EMBER_GEMM_NEON
#include "gemm/requant_neon.h"

typedef struct quant_neon {
    int32x4_t multiplier, left, right;
} quant_neon;

static inline quant_neon quant_neon_of(int32_t multiplier, int32_t shift) {
    quant_neon q;
    q.multiplier = vdupq_n_s32(multiplier);
    q.left = vdupq_n_s32(shift > 0 ? shift : 0);
    q.right = vdupq_n_s32(shift > 0 ? 0 : -shift);
    return q;
}

static inline int32x4_t requant_neon(int32x4_t x, const quant_neon *q) {
    return ember_requant_double_neon(x, q->multiplier, q->left, q->right);
}

/* 16 int8 to 4 x 4 int32. */
static inline void widen16(const int8_t *x, int32x4_t v[4]) {
    const int8x16_t b = vld1q_s8(x);
    const int16x8_t lo = vmovl_s8(vget_low_s8(b)), hi = vmovl_high_s8(b);
    v[0] = vmovl_s16(vget_low_s16(lo));
    v[1] = vmovl_high_s16(lo);
    v[2] = vmovl_s16(vget_low_s16(hi));
    v[3] = vmovl_high_s16(hi);
}

/* 4 x 4 int32 already within [-128, 127] to 16 bytes. */
static inline void store16(int8_t *out, const int32x4_t y[4]) {
    const int16x8_t lo = vcombine_s16(vqmovn_s32(y[0]), vqmovn_s32(y[1]));
    const int16x8_t hi = vcombine_s16(vqmovn_s32(y[2]), vqmovn_s32(y[3]));
    vst1q_s8(out, vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi)));
}

static inline int32x4_t finish(int32x4_t y, int32x4_t offset, int32x4_t lo, int32x4_t hi) {
    return vminq_s32(vmaxq_s32(vaddq_s32(y, offset), lo), hi);
}

void ember_add_i8_neon(const ember_add_i8_params *p, const int8_t *x1, int32_t s1, const int8_t *x2,
                       int32_t s2, int8_t *out, int32_t n) {
    const quant_neon q1 = quant_neon_of(p->input1_multiplier, p->input1_shift);
    const quant_neon q2 = quant_neon_of(p->input2_multiplier, p->input2_shift);
    const quant_neon qo = quant_neon_of(p->output_multiplier, p->output_shift);
    const int32x4_t offset1 = vdupq_n_s32(p->input1_offset), offset2 = vdupq_n_s32(p->input2_offset);
    const int32x4_t left_shift = vdupq_n_s32(p->left_shift), out_offset = vdupq_n_s32(p->output_offset);
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    int32x4_t fixed1, fixed2, a[4], b[4], y[4];
    int32_t i, j;
    if (n <= 0)
        return;
    fixed1 = vdupq_n_s32(p->scaled1[(uint8_t)x1[0]]);
    fixed2 = vdupq_n_s32(p->scaled2[(uint8_t)x2[0]]);
    for (j = 0; j < 4; ++j)
        a[j] = b[j] = vdupq_n_s32(0);
    for (i = 0; i + 16 <= n; i += 16) {
        if (s1)
            widen16(x1 + i, a);
        if (s2)
            widen16(x2 + i, b);
        for (j = 0; j < 4; ++j) {
            const int32x4_t u =
                s1 ? requant_neon(vshlq_s32(vaddq_s32(a[j], offset1), left_shift), &q1) : fixed1;
            const int32x4_t v =
                s2 ? requant_neon(vshlq_s32(vaddq_s32(b[j], offset2), left_shift), &q2) : fixed2;
            y[j] = finish(requant_neon(p->subtract ? vsubq_s32(u, v) : vaddq_s32(u, v), &qo), out_offset, lo,
                          hi);
        }
        store16(out + i, y);
    }
    ember_add_i8_portable(p, x1 + i * s1, s1, x2 + i * s2, s2, out + i, n - i);
}

void ember_mul_i8_neon(const ember_mul_i8_params *p, const int8_t *x1, int32_t s1, const int8_t *x2,
                       int32_t s2, int8_t *out, int32_t n) {
    const quant_neon q = quant_neon_of(p->multiplier, p->shift);
    const int32x4_t offset1 = vdupq_n_s32(p->input1_offset), offset2 = vdupq_n_s32(p->input2_offset);
    const int32x4_t out_offset = vdupq_n_s32(p->output_offset);
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    int32x4_t fixed1, fixed2, a[4], b[4], y[4];
    int32_t i, j;
    if (n <= 0)
        return;
    fixed1 = vdupq_n_s32(p->input1_offset + x1[0]);
    fixed2 = vdupq_n_s32(p->input2_offset + x2[0]);
    for (j = 0; j < 4; ++j)
        a[j] = b[j] = vdupq_n_s32(0);
    for (i = 0; i + 16 <= n; i += 16) {
        if (s1)
            widen16(x1 + i, a);
        if (s2)
            widen16(x2 + i, b);
        for (j = 0; j < 4; ++j) {
            const int32x4_t u = s1 ? vaddq_s32(a[j], offset1) : fixed1;
            const int32x4_t v = s2 ? vaddq_s32(b[j], offset2) : fixed2;
            y[j] = finish(requant_neon(vmulq_s32(u, v), &q), out_offset, lo, hi);
        }
        store16(out + i, y);
    }
    ember_mul_i8_portable(p, x1 + i * s1, s1, x2 + i * s2, s2, out + i, n - i);
}

static inline float32x4_t binary_neon(ember_binary_op op, float32x4_t a, float32x4_t b) {
    if (op == EMBER_BINARY_PRELU) /* vcge is false for NaN, which takes the product */
        return vbslq_f32(vcgeq_f32(a, vdupq_n_f32(0.0f)), a, vmulq_f32(a, b));
    return op == EMBER_BINARY_ADD ? vaddq_f32(a, b)
                                  : (op == EMBER_BINARY_SUB ? vsubq_f32(a, b) : vmulq_f32(a, b));
}

static inline float32x4_t clamp_neon(float32x4_t x, float32x4_t lo, float32x4_t hi) {
    const float32x4_t y = vbslq_f32(vcltq_f32(x, lo), lo, x);
    return vbslq_f32(vcltq_f32(hi, y), hi, y);
}

void ember_binary_f32_neon(ember_binary_op op, float act_min, float act_max, const float *x1, int32_t s1,
                           const float *x2, int32_t s2, float *out, int32_t n) {
    const float32x4_t lo = vdupq_n_f32(act_min), hi = vdupq_n_f32(act_max);
    float32x4_t fixed1, fixed2;
    int32_t i, j;
    if (n <= 0)
        return;
    fixed1 = vdupq_n_f32(x1[0]);
    fixed2 = vdupq_n_f32(x2[0]);
    for (i = 0; i + 16 <= n; i += 16)
        for (j = 0; j < 16; j += 4) {
            const float32x4_t a = s1 ? vld1q_f32(x1 + i + j) : fixed1;
            const float32x4_t b = s2 ? vld1q_f32(x2 + i + j) : fixed2;
            vst1q_f32(out + i + j, clamp_neon(binary_neon(op, a, b), lo, hi));
        }
    ember_binary_f32_portable(op, act_min, act_max, x1 + i * s1, s1, x2 + i * s2, s2, out + i, n - i);
}

/* Four 64-entry look-ups: tbl gives 0 and tbx keeps the lane for indices past 63, so each quarter of the
 * table fills its own lanes. */
void ember_lut_i8_neon(const int8_t table[256], const int8_t *x, int8_t *out, int32_t n) {
    const uint8_t *t = (const uint8_t *)table;
    uint8x16x4_t q0, q1, q2, q3;
    const uint8x16_t quarter = vdupq_n_u8(64);
    int32_t i, k;
    for (k = 0; k < 4; ++k) {
        q0.val[k] = vld1q_u8(t + 16 * k);
        q1.val[k] = vld1q_u8(t + 64 + 16 * k);
        q2.val[k] = vld1q_u8(t + 128 + 16 * k);
        q3.val[k] = vld1q_u8(t + 192 + 16 * k);
    }
    for (i = 0; i + 16 <= n; i += 16) {
        const uint8x16_t v = vld1q_u8((const uint8_t *)x + i);
        uint8x16_t y = vqtbl4q_u8(q0, v);
        y = vqtbx4q_u8(y, q1, vsubq_u8(v, quarter));
        y = vqtbx4q_u8(y, q2, vsubq_u8(v, vaddq_u8(quarter, quarter)));
        y = vqtbx4q_u8(y, q3, vsubq_u8(v, vdupq_n_u8(192)));
        vst1q_u8((uint8_t *)out + i, y);
    }
    ember_lut_i8_portable(table, x + i, out + i, n - i);
}

void ember_hard_swish_f32_neon(const float *x, float *out, int32_t n) {
    const float32x4_t three = vdupq_n_f32(3.0f), six = vdupq_n_f32(6.0f), zero = vdupq_n_f32(0.0f);
    int32_t i;
    for (i = 0; i + 4 <= n; i += 4) {
        const float32x4_t v = vld1q_f32(x + i), r = vaddq_f32(v, three);
        const float32x4_t c = vbslq_f32(vcltq_f32(r, zero), zero, vbslq_f32(vcgtq_f32(r, six), six, r));
        vst1q_f32(out + i, vdivq_f32(vmulq_f32(v, c), six));
    }
    ember_hard_swish_f32_portable(x + i, out + i, n - i);
}

/* 16 channels a block, 4 accumulators of 4. */
void ember_column_sums_i8_neon(const int8_t *x, size_t stride, int32_t rows, int32_t channels, int32_t *sum) {
    int32_t c, r, j;
    for (c = 0; c + 16 <= channels; c += 16) {
        int32x4_t acc[4], v[4];
        const int8_t *row = x + c;
        for (j = 0; j < 4; ++j)
            acc[j] = vdupq_n_s32(0);
        for (r = 0; r < rows; ++r, row += stride) {
            widen16(row, v);
            for (j = 0; j < 4; ++j)
                acc[j] = vaddq_s32(acc[j], v[j]);
        }
        for (j = 0; j < 4; ++j)
            vst1q_s32(sum + c + 4 * j, acc[j]);
    }
    if (c < channels)
        ember_column_sums_i8_portable(x + c, stride, rows, channels - c, sum + c);
}

void ember_column_sums_f32_neon(const float *x, size_t stride, int32_t rows, int32_t channels, float *sum) {
    int32_t c, r, j;
    for (c = 0; c + 16 <= channels; c += 16) {
        float32x4_t acc[4];
        const float *row = x + c;
        for (j = 0; j < 4; ++j)
            acc[j] = vdupq_n_f32(0.0f);
        for (r = 0; r < rows; ++r, row += stride)
            for (j = 0; j < 4; ++j)
                acc[j] = vaddq_f32(acc[j], vld1q_f32(row + 4 * j));
        for (j = 0; j < 4; ++j)
            vst1q_f32(sum + c + 4 * j, acc[j]);
    }
    if (c < channels)
        ember_column_sums_f32_portable(x + c, stride, rows, channels - c, sum + c);
}
#else
typedef int ember_elementwise_neon_unused; /* ISO C forbids an empty translation unit */
#endif
