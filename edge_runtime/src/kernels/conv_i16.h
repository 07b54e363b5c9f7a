/* The 16x8 forms of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: int16 input and output (zero point 0),
 * int8 weights (zero point 0, per tensor or per channel), int64 bias, or int32 where the op's
 * quantized_bias_type says so. Portable loops only (an int16 node never reaches the int8 GEMM or the
 * depthwise pixel kernels). What LiteRT's reference kernels compute, and the tests pin down:
 * - CONV_2D, DEPTHWISE_CONV_2D: an int64 accumulator, requantised per channel by
 *   ember_multiply_by_quantized_multiplier_i64 (a 16-bit multiplier, one rounding), then clamped to the fused
 *   activation's range; with an int32 bias (CONV_2D's quantized_bias_type INT32) the accumulator is int32
 *   (wrapping) and the requantisation the int8 one, ember_multiply_by_quantized_multiplier;
 * - FULLY_CONNECTED: round(acc * (s_in * s_w[c] / s_out)) in double (half away from zero; beyond int32,
 *   INT32_MIN as LiteRT's x86-64 build gives), the accumulator in the bias's width (int32 arithmetic wraps),
 *   clamped likewise. */
#ifndef EMBER_KERNELS_CONV_I16_H
#define EMBER_KERNELS_CONV_I16_H

#include "kernels/conv.h"

/* ember_conv_quant_prepare for an int16 input: checks the output (int16), filter (int8) and bias types and
 * the quantised bias type option, fills q's activation range (act_min, act_max; offsets 0) and acc32 (the
 * option says INT32: int32 accumulators, an int32 bias), and writes the
 * requantisation to ember_channel_params(node): `channels` multipliers then shifts (CONV_2D,
 * DEPTHWISE_CONV_2D), or `channels` double scales (FULLY_CONNECTED), in the same 8 bytes a channel. */
ember_status ember_conv_i16_prepare(ember_interpreter *ctx, const ember_node *node, int8_t activation,
                                    int32_t filter_axis, int32_t channels, ember_conv_quant *q);

/* bias: int64 values (bias_i64) or int32 ones (then the int32 arithmetic of q.acc32), or NULL. */
typedef void ember_conv_i16_fn(const ember_window *w, const ember_image_shape *s, int32_t depth,
                               const int16_t *input, const int8_t *filter, const void *bias, int bias_i64,
                               int16_t *output, const int32_t *multiplier, const int32_t *shift,
                               int32_t act_min, int32_t act_max);

/* Reference math; `depth` as in ember_conv_f32_fn (input channels a filter sees, or the depth multiplier). */
void ember_conv_2d_ref_i16(const ember_window *w, const ember_image_shape *s, int32_t depth,
                           const int16_t *input, const int8_t *filter, const void *bias, int bias_i64,
                           int16_t *output, const int32_t *multiplier, const int32_t *shift, int32_t act_min,
                           int32_t act_max);
void ember_depthwise_conv_2d_ref_i16(const ember_window *w, const ember_image_shape *s, int32_t depth,
                                     const int16_t *input, const int8_t *filter, const void *bias,
                                     int bias_i64, int16_t *output, const int32_t *multiplier,
                                     const int32_t *shift, int32_t act_min, int32_t act_max);
void ember_fully_connected_ref_i16(const int16_t *input, const int8_t *weights, const void *bias,
                                   int bias_i64, int16_t *output, int32_t batches, int32_t in_dim,
                                   int32_t out_dim, const double *scale, int32_t act_min, int32_t act_max);

/* Eval of an int16 CONV_2D or DEPTHWISE_CONV_2D: fn on the node's tensors and its ember_conv_data. */
ember_status ember_conv_i16_eval(ember_interpreter *ctx, const ember_node *node, ember_conv_i16_fn *fn);

#endif /* EMBER_KERNELS_CONV_I16_H */
