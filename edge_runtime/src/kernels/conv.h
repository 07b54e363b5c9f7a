/* What CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED share: the type checks, fused activation and
 * per-output-channel requantisation of their prepare, their reference math (TFLite's reference kernels, the
 * oracle any optimised variant must match bit for bit) and CONV_2D's and DEPTHWISE_CONV_2D's eval. */
#ifndef EMBER_KERNELS_CONV_H
#define EMBER_KERNELS_CONV_H

#include "ember_internal.h"
#include "gemm/gemm.h"
#include "kernels/window.h"

/* Fused activation clamp and int8 offsets of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED. */
typedef struct ember_conv_quant {
    float act_min_f, act_max_f;          /* float32 */
    int32_t input_offset, output_offset; /* int8: -zero point of the input, the output's zero point */
    int32_t filter_offset;    /* -zero point of uint8 weights seen as int8 (kernels/uint8.h); 0 for int8 */
    int32_t act_min, act_max; /* int8, int16 */
    int32_t acc32; /* int16 with quantized_bias_type INT32: LiteRT's int32 accumulator (kernels/conv_i16.h) */
} ember_conv_quant;

/* Checks that the node's input, filter, optional bias and output are float32 (bias of `channels` elements) or
 * int8 (int32 bias of `channels`) and fills q for `activation`. int8 also writes the per-output-channel
 * requantisation to ember_channel_params(node): real[c] = s_in * s_w[c] / s_out in double (TFLite's
 * PopulateConvolutionQuantizationParams; a per-tensor filter scale is used for every channel), multipliers
 * then shifts. `filter_axis` is the channel axis of per-channel filter scales (0: CONV_2D, FULLY_CONNECTED;
 * 3: DEPTHWISE). `float_product`: compute s_in * s_w in float first, as TFLite's per-tensor FULLY_CONNECTED
 * does. Filter zero points must be 0. An int16 input is 16x8 quantisation: ember_conv_i16_prepare
 * (kernels/conv_i16.h). */
ember_status ember_conv_quant_prepare(ember_interpreter *ctx, const ember_node *node, int8_t activation,
                                      int32_t filter_axis, int float_product, int32_t channels,
                                      ember_conv_quant *q);

/* The requantisation of ember_conv_quant_prepare for an int8 `filter` of `channels` output channels (scales
 * per tensor, or per channel along filter_axis; zero points 0): real[c] = s_in * s_w[c] / s_out into
 * multiplier[c] and shift[c]. Also used by TRANSPOSE_CONV, whose operands sit elsewhere. */
ember_status ember_conv_multipliers(ember_interpreter *ctx, const ember_node *node,
                                    const ember_tensor *filter, float s_in, float s_out, int32_t filter_axis,
                                    int32_t channels, int float_product, int32_t *multiplier, int32_t *shift);

/* The per-channel multiplier/shift arrays that follow an op's fixed op data in the arena (the op_data_bytes
 * hook of each of these kernels reserves 2 * output channels int32 there for int8 and int16 outputs,
 * ember_conv_op_data_bytes). */
static inline int32_t *ember_channel_params(const ember_node *node) {
    size_t fixed = (node->kernel->op_data_size + EMBER_ALIGNMENT - 1) & ~(size_t)(EMBER_ALIGNMENT - 1);
    return (int32_t *)(void *)((uint8_t *)node->op_data + fixed);
}

/* Op data bytes of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED (their op_data_bytes hooks): the fixed
 * struct, per-channel requantisation for an int8 or int16 output (as many channels as the output's last
 * axis), then `packed` bytes (packed GEMM weights, 0: none) at a 64-byte boundary; (size_t)-1 when it cannot
 * fit. */
size_t ember_conv_op_data_bytes(const ember_interpreter *ctx, const ember_node *node, size_t packed);

/* Where those packed bytes start in the op data (64-byte aligned), for prepare to pack into. */
void *ember_conv_packed(const ember_interpreter *ctx, const ember_node *node);

/* Whether uint8 weights (real or presented) have the per-tensor zero point 128, so that their int8 image is
 * symmetric (filter_offset 0) and the optimised int8 paths apply. */
int ember_conv_u8_offset_free(const ember_interpreter *ctx, const ember_tensor *weights);

/* Whether the node's inputs allow packing a GEMM (not EMBER_ISA=reference; float32 input, filter and output,
 * or int8 ones; constant filter and bias; `weights` is input 1) and the packed size for n x k; 0 otherwise
 * or when it would exceed EMBER_MAX_TENSOR_BYTES. Reads the node defensively (the hooks run before prepare).
 */
size_t ember_conv_gemm_bytes(const ember_interpreter *ctx, const ember_node *node, int32_t n, int32_t k);

/* Packs the node's weights (input 1, [n][k]) and bias for the GEMM, with q's clamp and offsets and the
 * per-channel requantisation of ember_channel_params (int8, `rounding`), at ember_conv_packed. Returns the
 * packed buffer. */
const void *ember_conv_gemm_pack(ember_interpreter *ctx, const ember_node *node, int32_t n, int32_t k,
                                 const ember_conv_quant *q, ember_requant_rounding rounding);

/* Reference math (TFLite's reference order of operations), defined in conv_2d.c, depthwise_conv_2d.c and
 * fully_connected.c and exposed for unit tests and as the oracle of optimised paths. int8 variants take
 * per-output-channel multiplier and shift arrays. */
void ember_conv_2d_ref_f32(const ember_window *w, const ember_image_shape *s, int32_t filter_in_c,
                           const float *input, const float *filter, const float *bias, float *output,
                           float act_min, float act_max);
void ember_conv_2d_ref_i8(const ember_window *w, const ember_image_shape *s, int32_t filter_in_c,
                          const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output,
                          int32_t input_offset, int32_t filter_offset, int32_t output_offset,
                          const int32_t *multiplier, const int32_t *shift, int32_t act_min, int32_t act_max);
void ember_depthwise_conv_2d_ref_f32(const ember_window *w, const ember_image_shape *s,
                                     int32_t depth_multiplier, const float *input, const float *filter,
                                     const float *bias, float *output, float act_min, float act_max);
void ember_depthwise_conv_2d_ref_i8(const ember_window *w, const ember_image_shape *s,
                                    int32_t depth_multiplier, const int8_t *input, const int8_t *filter,
                                    const int32_t *bias, int8_t *output, int32_t input_offset,
                                    int32_t filter_offset, int32_t output_offset, const int32_t *multiplier,
                                    const int32_t *shift, int32_t act_min, int32_t act_max);
/* output[b, o] = act(sum_i input[b, i] * weights[o, i] + bias[o]); bias may be NULL. */
void ember_fully_connected_ref_f32(const float *input, const float *weights, const float *bias, float *output,
                                   int32_t batches, int32_t in_dim, int32_t out_dim, float act_min,
                                   float act_max);

/* int8 FULLY_CONNECTED (TFLite's reference_integer_ops): per-output requantisation multiplier and shift, with
 * the single rounding of ember_multiply_single_rounding (EMBER_REQUANT_SINGLE, int8) or the double rounding
 * of ember_multiply_by_quantized_multiplier (EMBER_REQUANT_DOUBLE, LiteRT's uint8 reference_ops). */
void ember_fully_connected_ref_i8(const int8_t *input, const int8_t *weights, const int32_t *bias,
                                  int8_t *output, int32_t batches, int32_t in_dim, int32_t out_dim,
                                  int32_t input_offset, int32_t filter_offset, int32_t output_offset,
                                  const int32_t *multiplier, const int32_t *shift, int32_t act_min,
                                  int32_t act_max, ember_requant_rounding rounding);

/* The signature CONV_2D's and DEPTHWISE_CONV_2D's reference functions share; `depth` is the input channels
 * each filter sees (CONV_2D) or the depth multiplier (DEPTHWISE_CONV_2D). */
typedef void ember_conv_f32_fn(const ember_window *w, const ember_image_shape *s, int32_t depth,
                               const float *input, const float *filter, const float *bias, float *output,
                               float act_min, float act_max);
typedef void ember_conv_i8_fn(const ember_window *w, const ember_image_shape *s, int32_t depth,
                              const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output,
                              int32_t input_offset, int32_t filter_offset, int32_t output_offset,
                              const int32_t *multiplier, const int32_t *shift, int32_t act_min,
                              int32_t act_max);

/* How a CONV_2D or DEPTHWISE_CONV_2D runs. */
typedef enum ember_conv_path {
    EMBER_CONV_REFERENCE = 0, /* the ember_*_ref_* loops (grouped convolutions, EMBER_ISA=reference, ...) */
    EMBER_CONV_GEMM_DIRECT,   /* 1x1 CONV_2D reading the NHWC input as the GEMM's rows */
    EMBER_CONV_GEMM_IM2COL,   /* CONV_2D: blocks of im2col rows in the scratch, then the GEMM */
    EMBER_CONV_DEPTHWISE      /* DEPTHWISE_CONV_2D's channel-vectorised pixel kernels */
} ember_conv_path;

/* Op data of CONV_2D and DEPTHWISE_CONV_2D. */
typedef struct ember_conv_data {
    ember_window w;
    ember_image_shape s;
    int32_t depth; /* CONV_2D: input channels each filter sees (in_c / depth groups); DEPTHWISE: multiplier */
    ember_conv_quant q;
    ember_conv_path path;
    ember_isa isa;      /* level of the depthwise kernels */
    const void *packed; /* GEMM paths: the packed weights inside this op data */
    int32_t block_rows; /* im2col: rows per block in the scratch */
    /* dynamic range (float32 input and output, int8 weights; kernels/hybrid.h): per_channel is LiteRT's
     * per-channel path (asymmetric inputs, the channel scales), else one scale (symmetric inputs) */
    int32_t hybrid, hybrid_per_channel;
    float hybrid_scale;
} ember_conv_data;

/* Prepare of a dynamic-range CONV_2D or DEPTHWISE_CONV_2D (float32 input, int8 filter): float32 output and
 * bias of `channels`, the float clamp of `activation` into d->q, the filter's scales (per channel along
 * filter_axis) checked; sets d->hybrid and d->hybrid_scale, and d->hybrid_per_channel when the filter has
 * several scales. */
ember_status ember_hybrid_conv_prepare(ember_interpreter *ctx, const ember_node *node, int8_t activation,
                                       int32_t filter_axis, int32_t channels, ember_conv_data *d);

/* Scratch of a dynamic-range convolution: the quantised input (its element count), a scale factor and a zero
 * point per batch, then `extra` bytes; 0 when the node is not dynamic range (read defensively). */
size_t ember_hybrid_conv_scratch_bytes(const ember_interpreter *ctx, const ember_node *node, size_t extra);

/* Eval of CONV_2D and DEPTHWISE_CONV_2D: runs f32 or i8 on the node's input, filter, optional bias and output
 * with the ember_conv_data in its op data. */
ember_status ember_conv_eval(ember_interpreter *ctx, const ember_node *node, ember_conv_f32_fn *f32,
                             ember_conv_i8_fn *i8);

#endif /* EMBER_KERNELS_CONV_H */
