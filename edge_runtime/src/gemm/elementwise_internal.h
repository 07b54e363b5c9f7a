/* The elementwise families (elementwise.h): which this build compiles and their entry points. The portable
 * ones also finish the SIMD families' row tails. */
#ifndef EMBER_ELEMENTWISE_INTERNAL_H
#define EMBER_ELEMENTWISE_INTERNAL_H

#include "gemm/elementwise.h"
#include "gemm/gemm_internal.h"

typedef void ember_add_i8_kernel(const ember_add_i8_params *p, const int8_t *x1, int32_t s1, const int8_t *x2,
                                 int32_t s2, int8_t *out, int32_t n);
typedef void ember_mul_i8_kernel(const ember_mul_i8_params *p, const int8_t *x1, int32_t s1, const int8_t *x2,
                                 int32_t s2, int8_t *out, int32_t n);
typedef void ember_binary_f32_kernel(ember_binary_op op, float act_min, float act_max, const float *x1,
                                     int32_t s1, const float *x2, int32_t s2, float *out, int32_t n);
typedef void ember_lut_i8_kernel(const int8_t table[256], const int8_t *x, int8_t *out, int32_t n);
typedef void ember_hard_swish_f32_kernel(const float *x, float *out, int32_t n);
typedef void ember_column_sums_i8_kernel(const int8_t *x, size_t stride, int32_t rows, int32_t channels,
                                         int32_t *sum);
typedef void ember_column_sums_f32_kernel(const float *x, size_t stride, int32_t rows, int32_t channels,
                                          float *sum);

ember_add_i8_kernel ember_add_i8_portable;
ember_mul_i8_kernel ember_mul_i8_portable;
ember_binary_f32_kernel ember_binary_f32_portable;
ember_lut_i8_kernel ember_lut_i8_portable;
ember_hard_swish_f32_kernel ember_hard_swish_f32_portable;
ember_column_sums_i8_kernel ember_column_sums_i8_portable;
ember_column_sums_f32_kernel ember_column_sums_f32_portable;
#ifdef EMBER_GEMM_X86
ember_add_i8_kernel ember_add_i8_avx2, ember_add_i8_avx512;
ember_mul_i8_kernel ember_mul_i8_avx2, ember_mul_i8_avx512;
ember_lut_i8_kernel ember_lut_i8_avx2, ember_lut_i8_avx512;
ember_column_sums_i8_kernel ember_column_sums_i8_avx2, ember_column_sums_i8_avx512;
#endif
#ifdef EMBER_GEMM_X86_F32
ember_binary_f32_kernel ember_binary_f32_avx2, ember_binary_f32_avx512;
ember_column_sums_f32_kernel ember_column_sums_f32_avx2, ember_column_sums_f32_avx512;
ember_hard_swish_f32_kernel ember_hard_swish_f32_avx2, ember_hard_swish_f32_avx512;
#endif
#ifdef EMBER_GEMM_NEON
ember_add_i8_kernel ember_add_i8_neon;
ember_mul_i8_kernel ember_mul_i8_neon;
ember_binary_f32_kernel ember_binary_f32_neon;
ember_lut_i8_kernel ember_lut_i8_neon;
ember_hard_swish_f32_kernel ember_hard_swish_f32_neon;
ember_column_sums_i8_kernel ember_column_sums_i8_neon;
ember_column_sums_f32_kernel ember_column_sums_f32_neon;
#endif

#endif /* EMBER_ELEMENTWISE_INTERNAL_H */
