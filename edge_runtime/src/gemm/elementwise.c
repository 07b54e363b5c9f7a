/* The portable elementwise kernels (elementwise.h) and their dispatch. int8 ADD looks each input's scaled
 * value up in the tables ember_add_i8_init fills with the scalar requantisation, so one requantisation an
 * element is left; the float loops are written one per operation and stride pattern so that compilers can
 * vectorise them. */
#include "gemm/elementwise_internal.h"

#include "quantization.h"

/* GCC never contracts in ISO C mode (-std=c99); clang needs telling (nothing here multiplies and adds, but a
 * future edit might). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* The families: AVX-512 (F, BW, VL) for both AVX-512 levels, AVX2, NEON for both aarch64 levels. */
typedef enum family { FAMILY_PORTABLE, FAMILY_AVX2, FAMILY_AVX512, FAMILY_NEON } family;

static family family_of(ember_isa isa, int is_float) {
    (void)is_float;
    switch (isa) {
#ifdef EMBER_GEMM_X86
    case EMBER_ISA_AVX2:
#ifndef EMBER_GEMM_X86_F32
        if (is_float)
            return FAMILY_PORTABLE;
#endif
        return FAMILY_AVX2;
    case EMBER_ISA_AVX512:
    case EMBER_ISA_AVX512_VNNI:
#ifndef EMBER_GEMM_X86_F32
        if (is_float)
            return FAMILY_PORTABLE;
#endif
        return FAMILY_AVX512;
#endif
#ifdef EMBER_GEMM_NEON
    case EMBER_ISA_NEON:
    case EMBER_ISA_NEON_DOTPROD:
        return FAMILY_NEON;
#endif
    default:
        return FAMILY_PORTABLE;
    }
}

void ember_add_i8_init(ember_add_i8_params *p) {
    int32_t q;
    for (q = -128; q < 128; ++q) {
        const uint8_t i = (uint8_t)(int8_t)q;
        p->scaled1[i] = ember_multiply_by_quantized_multiplier((p->input1_offset + q) * (1 << p->left_shift),
                                                               p->input1_multiplier, p->input1_shift);
        p->scaled2[i] = ember_multiply_by_quantized_multiplier((p->input2_offset + q) * (1 << p->left_shift),
                                                               p->input2_multiplier, p->input2_shift);
    }
}

void ember_add_i8_portable(const ember_add_i8_params *p, const int8_t *x1, int32_t s1, const int8_t *x2,
                           int32_t s2, int8_t *out, int32_t n) {
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t a = p->scaled1[(uint8_t)x1[i * s1]], b = p->scaled2[(uint8_t)x2[i * s2]];
        const int32_t raw = ember_multiply_by_quantized_multiplier(p->subtract ? a - b : a + b,
                                                                   p->output_multiplier, p->output_shift) +
                            p->output_offset;
        out[i] = ember_clamp_i8(raw, p->act_min, p->act_max);
    }
}

void ember_mul_i8_portable(const ember_mul_i8_params *p, const int8_t *x1, int32_t s1, const int8_t *x2,
                           int32_t s2, int8_t *out, int32_t n) {
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t product = (p->input1_offset + x1[i * s1]) * (p->input2_offset + x2[i * s2]);
        const int32_t y = ember_multiply_by_quantized_multiplier(product, p->multiplier, p->shift);
        /* Wrapping, as the SIMD families (only a hostile shift gets near INT32_MAX). */
        out[i] =
            ember_clamp_i8(ember_wrap_i32((uint32_t)y + (uint32_t)p->output_offset), p->act_min, p->act_max);
    }
}

/* ember_clamp_f32's comparisons (kernels/kernels.h), so NaN and signed zeros come out as in the reference. */
static inline float clamp_f32(float x, float lo, float hi) {
    const float y = x < lo ? lo : x;
    return hi < y ? hi : y;
}

#define ADD_F32(a, b) ((a) + (b))
#define SUB_F32(a, b) ((a) - (b))
#define MUL_F32(a, b) ((a) * (b))
#define PRELU_F32(a, b) ((a) >= 0.0f ? (a) : (a) * (b))

#define BINARY_LOOPS(F)                                                                                      \
    do {                                                                                                     \
        if (s1 && s2) {                                                                                      \
            for (i = 0; i < n; ++i)                                                                          \
                out[i] = clamp_f32(F(x1[i], x2[i]), act_min, act_max);                                       \
        } else if (s1) {                                                                                     \
            const float b = x2[0];                                                                           \
            for (i = 0; i < n; ++i)                                                                          \
                out[i] = clamp_f32(F(x1[i], b), act_min, act_max);                                           \
        } else {                                                                                             \
            const float a = x1[0];                                                                           \
            for (i = 0; i < n; ++i)                                                                          \
                out[i] = clamp_f32(F(a, x2[i * s2]), act_min, act_max);                                      \
        }                                                                                                    \
    } while (0)

void ember_binary_f32_portable(ember_binary_op op, float act_min, float act_max, const float *x1, int32_t s1,
                               const float *x2, int32_t s2, float *out, int32_t n) {
    int32_t i;
    if (n <= 0)
        return;
    if (op == EMBER_BINARY_ADD)
        BINARY_LOOPS(ADD_F32);
    else if (op == EMBER_BINARY_SUB)
        BINARY_LOOPS(SUB_F32);
    else if (op == EMBER_BINARY_MUL)
        BINARY_LOOPS(MUL_F32);
    else
        BINARY_LOOPS(PRELU_F32);
}

void ember_lut_i8_portable(const int8_t table[256], const int8_t *x, int8_t *out, int32_t n) {
    int32_t i;
    for (i = 0; i < n; ++i)
        out[i] = table[(uint8_t)x[i]];
}

void ember_hard_swish_f32_portable(const float *x, float *out, int32_t n) {
    int32_t i;
    for (i = 0; i < n; ++i) {
        const float r = x[i] + 3.0f;
        out[i] = x[i] * (r < 0.0f ? 0.0f : (r > 6.0f ? 6.0f : r)) / 6.0f;
    }
}

void ember_column_sums_i8_portable(const int8_t *x, size_t stride, int32_t rows, int32_t channels,
                                   int32_t *sum) {
    int32_t r, c;
    for (c = 0; c < channels; ++c)
        sum[c] = 0;
    for (r = 0; r < rows; ++r, x += stride)
        for (c = 0; c < channels; ++c)
            sum[c] += x[c];
}

void ember_column_sums_f32_portable(const float *x, size_t stride, int32_t rows, int32_t channels,
                                    float *sum) {
    int32_t r, c;
    for (c = 0; c < channels; ++c)
        sum[c] = 0.0f;
    for (r = 0; r < rows; ++r, x += stride)
        for (c = 0; c < channels; ++c)
            sum[c] += x[c];
}

void ember_add_i8_row(ember_isa isa, const ember_add_i8_params *p, const int8_t *x1, int32_t s1,
                      const int8_t *x2, int32_t s2, int8_t *out, int32_t n) {
    ember_add_i8_kernel *kernel = ember_add_i8_portable;
    switch (family_of(isa, 0)) {
#ifdef EMBER_GEMM_X86
    case FAMILY_AVX2:
        kernel = ember_add_i8_avx2;
        break;
    case FAMILY_AVX512:
        kernel = ember_add_i8_avx512;
        break;
#endif
#ifdef EMBER_GEMM_NEON
    case FAMILY_NEON:
        kernel = ember_add_i8_neon;
        break;
#endif
    default:
        break;
    }
    kernel(p, x1, s1, x2, s2, out, n);
}

void ember_mul_i8_row(ember_isa isa, const ember_mul_i8_params *p, const int8_t *x1, int32_t s1,
                      const int8_t *x2, int32_t s2, int8_t *out, int32_t n) {
    ember_mul_i8_kernel *kernel = ember_mul_i8_portable;
    switch (family_of(isa, 0)) {
#ifdef EMBER_GEMM_X86
    case FAMILY_AVX2:
        kernel = ember_mul_i8_avx2;
        break;
    case FAMILY_AVX512:
        kernel = ember_mul_i8_avx512;
        break;
#endif
#ifdef EMBER_GEMM_NEON
    case FAMILY_NEON:
        kernel = ember_mul_i8_neon;
        break;
#endif
    default:
        break;
    }
    kernel(p, x1, s1, x2, s2, out, n);
}

void ember_binary_f32_row(ember_isa isa, ember_binary_op op, float act_min, float act_max, const float *x1,
                          int32_t s1, const float *x2, int32_t s2, float *out, int32_t n) {
    ember_binary_f32_kernel *kernel = ember_binary_f32_portable;
    switch (family_of(isa, 1)) {
#ifdef EMBER_GEMM_X86_F32
    case FAMILY_AVX2:
        kernel = ember_binary_f32_avx2;
        break;
    case FAMILY_AVX512:
        kernel = ember_binary_f32_avx512;
        break;
#endif
#ifdef EMBER_GEMM_NEON
    case FAMILY_NEON:
        kernel = ember_binary_f32_neon;
        break;
#endif
    default:
        break;
    }
    kernel(op, act_min, act_max, x1, s1, x2, s2, out, n);
}

void ember_lut_i8(ember_isa isa, const int8_t table[256], const int8_t *x, int8_t *out, int32_t n) {
    ember_lut_i8_kernel *kernel = ember_lut_i8_portable;
    switch (family_of(isa, 0)) {
#ifdef EMBER_GEMM_X86
    case FAMILY_AVX2:
        kernel = ember_lut_i8_avx2;
        break;
    case FAMILY_AVX512:
        kernel = ember_lut_i8_avx512;
        break;
#endif
#ifdef EMBER_GEMM_NEON
    case FAMILY_NEON:
        kernel = ember_lut_i8_neon;
        break;
#endif
    default:
        break;
    }
    kernel(table, x, out, n);
}

void ember_hard_swish_f32(ember_isa isa, const float *x, float *out, int32_t n) {
    ember_hard_swish_f32_kernel *kernel = ember_hard_swish_f32_portable;
    switch (family_of(isa, 1)) {
#ifdef EMBER_GEMM_X86_F32
    case FAMILY_AVX2:
        kernel = ember_hard_swish_f32_avx2;
        break;
    case FAMILY_AVX512:
        kernel = ember_hard_swish_f32_avx512;
        break;
#endif
#ifdef EMBER_GEMM_NEON
    case FAMILY_NEON:
        kernel = ember_hard_swish_f32_neon;
        break;
#endif
    default:
        break;
    }
    kernel(x, out, n);
}

void ember_column_sums_i8(ember_isa isa, const int8_t *x, size_t stride, int32_t rows, int32_t channels,
                          int32_t *sum) {
    ember_column_sums_i8_kernel *kernel = ember_column_sums_i8_portable;
    switch (family_of(isa, 0)) {
#ifdef EMBER_GEMM_X86
    case FAMILY_AVX2:
        kernel = ember_column_sums_i8_avx2;
        break;
    case FAMILY_AVX512:
        kernel = ember_column_sums_i8_avx512;
        break;
#endif
#ifdef EMBER_GEMM_NEON
    case FAMILY_NEON:
        kernel = ember_column_sums_i8_neon;
        break;
#endif
    default:
        break;
    }
    kernel(x, stride, rows, channels, sum);
}

void ember_column_sums_f32(ember_isa isa, const float *x, size_t stride, int32_t rows, int32_t channels,
                           float *sum) {
    ember_column_sums_f32_kernel *kernel = ember_column_sums_f32_portable;
    switch (family_of(isa, 1)) {
#ifdef EMBER_GEMM_X86_F32
    case FAMILY_AVX2:
        kernel = ember_column_sums_f32_avx2;
        break;
    case FAMILY_AVX512:
        kernel = ember_column_sums_f32_avx512;
        break;
#endif
#ifdef EMBER_GEMM_NEON
    case FAMILY_NEON:
        kernel = ember_column_sums_f32_neon;
        break;
#endif
    default:
        break;
    }
    kernel(x, stride, rows, channels, sum);
}
