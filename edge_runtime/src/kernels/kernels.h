/* Kernel registrations, the option readers kernels use in prepare, and the reference math of each op (exposed
 * so unit tests and future optimised paths can be checked against it). */
#ifndef EMBER_KERNELS_H
#define EMBER_KERNELS_H

#include "ember_internal.h"

extern const ember_kernel ember_kernel_fully_connected;
extern const ember_kernel ember_kernel_reshape;
extern const ember_kernel ember_kernel_softmax;
/* Convolution, pooling, reduction (conv_2d.c, depthwise_conv_2d.c, average_pool_2d.c, max_pool_2d.c, mean.c,
 * batch_matmul.c); the window geometry lives in kernels/window.h, what pooling shares in kernels/pool.h, what
 * the convolutions and FULLY_CONNECTED share (prepare, reference math, eval) in kernels/conv.h. */
extern const ember_kernel ember_kernel_conv_2d;
extern const ember_kernel ember_kernel_depthwise_conv_2d;
extern const ember_kernel ember_kernel_average_pool_2d;
extern const ember_kernel ember_kernel_max_pool_2d;
extern const ember_kernel ember_kernel_mean;
extern const ember_kernel ember_kernel_batch_matmul;
/* Elementwise, activation, quantisation and layout ops (add.c, sub.c, mul.c, relu.c, ..., gather.c);
 * broadcasting lives in kernels/broadcast.h, operand checks and constant shape operands in
 * kernels/operands.h, int8 arithmetic in quantization.h. */
extern const ember_kernel ember_kernel_add;
extern const ember_kernel ember_kernel_sub;
extern const ember_kernel ember_kernel_mul;
extern const ember_kernel ember_kernel_relu;
extern const ember_kernel ember_kernel_relu6;
extern const ember_kernel ember_kernel_leaky_relu;
extern const ember_kernel ember_kernel_logistic;
/* Control flow (while.c, if.c, call_once.c: run other subgraphs, checked by ember_verify_calls in
 * subgraph.c); their conditions' LESS is comparisons.c's. */
extern const ember_kernel ember_kernel_while;
extern const ember_kernel ember_kernel_if;
extern const ember_kernel ember_kernel_call_once;
/* Resource variables (var_handle.c, read_variable.c, assign_variable.c; resolved by variables.c). */
extern const ember_kernel ember_kernel_var_handle;
extern const ember_kernel ember_kernel_read_variable;
extern const ember_kernel ember_kernel_assign_variable;
/* Recurrent ops (unidirectional_sequence_lstm.c, bidirectional_sequence_lstm.c,
 * unidirectional_sequence_rnn.c): state in variable tensors kept between invokes. */
extern const ember_kernel ember_kernel_unidirectional_sequence_lstm;
extern const ember_kernel ember_kernel_bidirectional_sequence_lstm;
extern const ember_kernel ember_kernel_unidirectional_sequence_rnn;
extern const ember_kernel ember_kernel_tanh;
extern const ember_kernel ember_kernel_hard_swish;
extern const ember_kernel ember_kernel_gelu;
extern const ember_kernel ember_kernel_rsqrt;
extern const ember_kernel ember_kernel_quantize;
extern const ember_kernel ember_kernel_dequantize;
extern const ember_kernel ember_kernel_densify;
extern const ember_kernel ember_kernel_squeeze;
extern const ember_kernel ember_kernel_concatenation;
extern const ember_kernel ember_kernel_pad;
extern const ember_kernel ember_kernel_resize_nearest_neighbor;
extern const ember_kernel ember_kernel_transpose;
extern const ember_kernel ember_kernel_shape;
extern const ember_kernel ember_kernel_strided_slice;
extern const ember_kernel ember_kernel_pack;
extern const ember_kernel ember_kernel_space_to_batch_nd;
extern const ember_kernel ember_kernel_batch_to_space_nd;
extern const ember_kernel ember_kernel_gather;
/* Reductions beyond MEAN (reduce.c, sharing kernels/reduce.h with mean.c), DIV (div.c), MAXIMUM and MINIMUM
 * (maximum_minimum.c), float32 ABS, EXP, LOG, SQRT (elementwise_math.c) and LOG_SOFTMAX (log_softmax.c). */
extern const ember_kernel ember_kernel_sum;
extern const ember_kernel ember_kernel_reduce_max;
extern const ember_kernel ember_kernel_reduce_min;
extern const ember_kernel ember_kernel_div;
extern const ember_kernel ember_kernel_maximum;
extern const ember_kernel ember_kernel_minimum;
extern const ember_kernel ember_kernel_abs;
extern const ember_kernel ember_kernel_exp;
extern const ember_kernel ember_kernel_log;
extern const ember_kernel ember_kernel_sqrt;
extern const ember_kernel ember_kernel_log_softmax;
/* Spatial ops (prelu.c, resize_bilinear.c, depth_to_space.c and space_to_depth.c sharing
 * kernels/depth_space.h, transpose_conv.c, mirror_pad.c, padv2.c sharing kernels/pad.h with pad.c,
 * l2_normalization.c, local_response_normalization.c). */
extern const ember_kernel ember_kernel_prelu;
extern const ember_kernel ember_kernel_resize_bilinear;
extern const ember_kernel ember_kernel_depth_to_space;
extern const ember_kernel ember_kernel_space_to_depth;
extern const ember_kernel ember_kernel_transpose_conv;
extern const ember_kernel ember_kernel_mirror_pad;
extern const ember_kernel ember_kernel_padv2;
extern const ember_kernel ember_kernel_l2_normalization;
extern const ember_kernel ember_kernel_local_response_normalization;
/* Shape and indexing ops (slice.c, split.c, split_v.c, unpack.c, tile.c, broadcast_to.c, reverse_v2.c,
 * expand_dims.c, gather_nd.c, arg_min_max.c, reduce_prod.c, range.c); strided copies and axis splits live in
 * kernels/layout.h. */
extern const ember_kernel ember_kernel_split;
extern const ember_kernel ember_kernel_split_v;
extern const ember_kernel ember_kernel_slice;
extern const ember_kernel ember_kernel_expand_dims;
extern const ember_kernel ember_kernel_tile;
extern const ember_kernel ember_kernel_broadcast_to;
extern const ember_kernel ember_kernel_gather_nd;
extern const ember_kernel ember_kernel_arg_max;
extern const ember_kernel ember_kernel_arg_min;
extern const ember_kernel ember_kernel_reduce_prod;
extern const ember_kernel ember_kernel_unpack;
extern const ember_kernel ember_kernel_reverse_v2;
extern const ember_kernel ember_kernel_range;
/* New elementwise, comparison, logic and fill ops: FLOOR, SIN, COS, NEG (elementwise_math.c), FLOOR_DIV and
 * FLOOR_MOD (floor_div_mod.c), SQUARED_DIFFERENCE, POW, ELU, the comparisons (comparisons.c), the logical ops
 * (logical.c), SELECT and SELECT_V2 (select.c), CAST, ZEROS_LIKE, FILL. */
extern const ember_kernel ember_kernel_floor;
extern const ember_kernel ember_kernel_sin;
extern const ember_kernel ember_kernel_cos;
extern const ember_kernel ember_kernel_neg;
extern const ember_kernel ember_kernel_floor_div;
extern const ember_kernel ember_kernel_floor_mod;
extern const ember_kernel ember_kernel_squared_difference;
extern const ember_kernel ember_kernel_pow;
extern const ember_kernel ember_kernel_elu;
extern const ember_kernel ember_kernel_less;
extern const ember_kernel ember_kernel_less_equal;
extern const ember_kernel ember_kernel_greater;
extern const ember_kernel ember_kernel_greater_equal;
extern const ember_kernel ember_kernel_equal;
extern const ember_kernel ember_kernel_not_equal;
extern const ember_kernel ember_kernel_logical_and;
extern const ember_kernel ember_kernel_logical_or;
extern const ember_kernel ember_kernel_logical_not;
extern const ember_kernel ember_kernel_select;
extern const ember_kernel ember_kernel_select_v2;
extern const ember_kernel ember_kernel_cast;
extern const ember_kernel ember_kernel_zeros_like;
extern const ember_kernel ember_kernel_fill;
/* CUSTOM operators the runtime implements (op_registry.c's custom table, found by custom_code = name):
 * detection_postprocess.c, whose custom_options flexbuffer flexbuffer.h reads. */
extern const ember_kernel ember_kernel_detection_postprocess;

/* Builtin option fields of a node; `def` when the node has no options table or the field is absent. The model
 * was verified as a whole, but the field layout of the options table is only known here, so reads stay
 * checked. */
ember_status ember_option_i8(ember_interpreter *ctx, const ember_node *node, unsigned id, int8_t def,
                             int8_t *out);
ember_status ember_option_f32(ember_interpreter *ctx, const ember_node *node, unsigned id, float def,
                              float *out);
ember_status ember_option_i32(ember_interpreter *ctx, const ember_node *node, unsigned id, int32_t def,
                              int32_t *out);
ember_status ember_option_int_vector(ember_interpreter *ctx, const ember_node *node, unsigned id,
                                     fb_vector *out);

/* Clamp range of a fused activation (TFLite's CalculateActivationRange for float). 0 if unsupported. */
int ember_activation_range_f32(int32_t activation, float *min, float *max);

/* std::min(std::max(x, lo), hi) as TFLite writes it: a NaN input stays NaN. */
static inline float ember_clamp_f32(float x, float lo, float hi) {
    float y = x < lo ? lo : x;
    return hi < y ? hi : y;
}

/* Softmax over the last axis of an [outer, depth] array: exp(beta * (x - max)) / sum. */
void ember_softmax_f32(const float *input, float *output, int32_t outer, int32_t depth, float beta);

#endif /* EMBER_KERNELS_H */
