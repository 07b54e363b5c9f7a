/* Elementwise micro-kernels of ADD, SUB and MUL (one broadcast row at a time) and of MEAN over a run of
 * rows (global average pooling), one family per instruction set like the GEMM's (gemm.h), every family
 * giving the bits of the portable one, which gives the bits of the reference loops in kernels/.
 *
 * Rows: out[i] = f(x1[i * s1], x2[i * s2]) for i < n with s1, s2 in {0, 1} (0: that operand is one value
 * broadcast along the row), which covers equal shapes (one row), a scalar on either side and a channel
 * vector on either side (rows of the channel count); kernels/broadcast.c collapses the axes so that rows are
 * as long as the broadcast allows.
 * int8 ADD / SUB (TFLite's reference): v_k = (x_k + input_offset_k) * 2^left_shift, scaled_k =
 *   requant(v_k, multiplier_k, shift_k), out = clamp(requant(scaled1 +- scaled2, output_multiplier,
 *   output_shift) + output_offset), requant being ember_multiply_by_quantized_multiplier (double rounding).
 * int8 MUL: out = clamp(requant((x1 + input1_offset) * (x2 + input2_offset), multiplier, shift)
 *   + output_offset), the output offset added in wrapping int32 arithmetic.
 * float32: out = ember_clamp_f32(x1 op x2, act_min, act_max), one IEEE operation an element.
 * Table look-up (int8 HARD_SWISH): out[i] = table[(uint8_t)x[i]], 256 entries.
 * float32 HARD_SWISH (the reference's expression): r = x + 3.0f, out = x * (r < 0 ? 0 : (r > 6 ? 6 : r))
 * / 6.0f. Column sums (MEAN): sum[c] = x[c] + x[stride + c] + ... + x[(rows - 1) * stride + c] for c <
 * channels, added in row order starting from 0 (float32: 0.0f, then one IEEE add a row, as the reference's
 * loop; int8: exact int32, rows <= 2^23). */
#ifndef EMBER_ELEMENTWISE_H
#define EMBER_ELEMENTWISE_H

#include <stddef.h>
#include <stdint.h>

#include "cpu_features.h"

typedef struct ember_add_i8_params {
    int32_t input1_offset, input2_offset, output_offset; /* -zp1, -zp2, zp_out */
    int32_t left_shift;                                  /* 20 in TFLite's kernels */
    int32_t input1_multiplier, input1_shift, input2_multiplier, input2_shift;
    int32_t output_multiplier, output_shift; /* all three multipliers below 1: shifts <= 0 */
    int32_t act_min, act_max;
    int32_t subtract; /* SUB: scaled1 - scaled2 */
    /* scaled_k of every int8 value, indexed by (uint8_t)x: ember_add_i8_init fills them; the portable
     * family and broadcast (stride 0) operands read them. */
    int32_t scaled1[256], scaled2[256];
} ember_add_i8_params;

/* Fills p->scaled1 and p->scaled2 from the other fields. */
void ember_add_i8_init(ember_add_i8_params *p);

void ember_add_i8_row(ember_isa isa, const ember_add_i8_params *p, const int8_t *x1, int32_t s1,
                      const int8_t *x2, int32_t s2, int8_t *out, int32_t n);

typedef struct ember_mul_i8_params {
    int32_t input1_offset, input2_offset, output_offset;
    int32_t multiplier, shift; /* shift <= 31 */
    int32_t act_min, act_max;
} ember_mul_i8_params;

void ember_mul_i8_row(ember_isa isa, const ember_mul_i8_params *p, const int8_t *x1, int32_t s1,
                      const int8_t *x2, int32_t s2, int8_t *out, int32_t n);

/* PRELU: x1 >= 0 ? x1 : x1 * x2 (TFLite's reference expression; NaN takes the product, -0.0 stays). */
typedef enum ember_binary_op {
    EMBER_BINARY_ADD = 0,
    EMBER_BINARY_SUB,
    EMBER_BINARY_MUL,
    EMBER_BINARY_PRELU
} ember_binary_op;

void ember_binary_f32_row(ember_isa isa, ember_binary_op op, float act_min, float act_max, const float *x1,
                          int32_t s1, const float *x2, int32_t s2, float *out, int32_t n);

void ember_lut_i8(ember_isa isa, const int8_t table[256], const int8_t *x, int8_t *out, int32_t n);

void ember_hard_swish_f32(ember_isa isa, const float *x, float *out, int32_t n);

void ember_column_sums_i8(ember_isa isa, const int8_t *x, size_t stride, int32_t rows, int32_t channels,
                          int32_t *sum);
void ember_column_sums_f32(ember_isa isa, const float *x, size_t stride, int32_t rows, int32_t channels,
                           float *sum);

#endif /* EMBER_ELEMENTWISE_H */
