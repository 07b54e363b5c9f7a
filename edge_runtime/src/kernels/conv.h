/* What CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and the pooling ops share: the sliding-window geometry
 * (TFLite's padding rules), the type checks, fused activation and per-output-channel requantisation of the
 * convolutions, and the convolutions' eval. */
#ifndef EMBER_CONV_PARAMS_H
#define EMBER_CONV_PARAMS_H

#include "ember_internal.h"

/* A 2-D window over an NHWC image: filter size, strides, dilations and the padding before each axis. */
typedef struct ember_window {
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_h, pad_w;
} ember_window;

/* NHWC sizes of a windowed op's input and output. */
typedef struct ember_image_shape {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
} ember_image_shape;

/* Checks the window (strides, dilations, filter >= 1, padding SAME or VALID), that input and output are 4-D
 * NHWC with the output size TFLite computes (SAME: ceil(in / stride); VALID: (in - eff + stride) / stride,
 * eff = (k - 1) * d + 1) and fills shape and the padding before each axis (the odd unit goes after). */
ember_status ember_window_prepare(ember_interpreter *ctx, const ember_node *node, int8_t padding,
                                  const ember_tensor *input, const ember_tensor *output, ember_window *w,
                                  ember_image_shape *shape);

/* The undilated window of output (oy, ox) clipped to the image, in input coordinates: [*y0, *y1) x [*x0, *x1)
 * (empty when the window lies in the padding). */
void ember_window_clip(const ember_window *w, const ember_image_shape *s, int32_t oy, int32_t ox, int32_t *y0,
                       int32_t *y1, int32_t *x0, int32_t *x1);

/* Pooling ops' shared state: window, shapes, and the fused activation clamp in float and in int8. */
typedef struct ember_pool_params {
    ember_window w;
    ember_image_shape s;
    float act_min_f, act_max_f;
    int32_t act_min, act_max;
} ember_pool_params;

/* Reads Pool2DOptions, checks the window and that input and output are both float32 or both int8 with the
 * same scale and zero point (pooling never requantises), and that channels match; fills p. */
ember_status ember_pool_prepare(ember_interpreter *ctx, const ember_node *node, ember_pool_params *p);

/* Fused activation clamp and int8 offsets of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED. */
typedef struct ember_conv_quant {
    float act_min_f, act_max_f;          /* float32 */
    int32_t input_offset, output_offset; /* int8: -zero point of the input, the output's zero point */
    int32_t act_min, act_max;            /* int8 */
} ember_conv_quant;

/* Checks that the node's input, filter, optional bias and output are float32 (bias of `channels` elements) or
 * int8 (int32 bias of `channels`) and fills q for `activation`. int8 also writes the per-output-channel
 * requantisation to ember_channel_params(node): real[c] = s_in * s_w[c] / s_out in double (TFLite's
 * PopulateConvolutionQuantizationParams; a per-tensor filter scale is used for every channel), multipliers
 * then shifts. `filter_axis` is the channel axis of per-channel filter scales (0: CONV_2D, FULLY_CONNECTED;
 * 3: DEPTHWISE). `float_product`: compute s_in * s_w in float first, as TFLite's per-tensor FULLY_CONNECTED
 * does. Filter zero points must be 0. */
ember_status ember_conv_quant_prepare(ember_interpreter *ctx, const ember_node *node, int8_t activation,
                                      int32_t filter_axis, int float_product, int32_t channels,
                                      ember_conv_quant *q);

/* The per-channel multiplier/shift arrays that follow an op's fixed op data in the arena (ember_op_data_bytes
 * reserves 2 * output channels int32 there for the kernels listed in op_registry.c). */
static inline int32_t *ember_channel_params(const ember_node *node) {
    size_t fixed = (node->kernel->op_data_size + EMBER_ALIGNMENT - 1) & ~(size_t)(EMBER_ALIGNMENT - 1);
    return (int32_t *)(void *)((uint8_t *)node->op_data + fixed);
}

/* x * multiplier * 2^(shift - 31) rounded once, half up: (x * M + 2^(30 - shift)) >> (31 - shift) in 64 bits.
 * LiteRT's int8 FULLY_CONNECTED (ai-edge-litert 2.x, BUILTIN_REF included) requantises this way, unlike its
 * convolutions, which use the double rounding of ember_multiply_by_quantized_multiplier; the tests against
 * LiteRT pin down both. shift <= 30 (prepare refuses larger). */
static inline int32_t ember_multiply_single_rounding(int32_t x, int32_t multiplier, int shift) {
    const int total = 31 - shift;
    const int64_t product = (int64_t)x * multiplier + ((int64_t)1 << (total - 1));
    /* Floor division by 2^total, written without right-shifting a negative value. */
    const int64_t q = product >= 0 ? product >> total : -((-product - 1) >> total) - 1;
    return (int32_t)q;
}

/* int32 accumulation that wraps like TFLite's on two's complement hardware, without C's undefined signed
 * overflow (only hostile weights reach it; converters keep accumulators in range). */
static inline int32_t ember_wrap_i32(uint32_t u) {
    return u <= 0x7fffffffu ? (int32_t)u : (int32_t)(u - 0x80000000u) - 0x7fffffff - 1;
}

/* Reference math of each windowed op (TFLite's reference order of operations), exposed for unit tests and as
 * the oracle of future optimised paths. int8 variants take per-output-channel multiplier and shift arrays. */
void ember_conv_2d_f32(const ember_window *w, const ember_image_shape *s, int32_t filter_in_c,
                       const float *input, const float *filter, const float *bias, float *output,
                       float act_min, float act_max);
void ember_conv_2d_i8(const ember_window *w, const ember_image_shape *s, int32_t filter_in_c,
                      const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output,
                      int32_t input_offset, int32_t output_offset, const int32_t *multiplier,
                      const int32_t *shift, int32_t act_min, int32_t act_max);
void ember_depthwise_conv_2d_f32(const ember_window *w, const ember_image_shape *s, int32_t depth_multiplier,
                                 const float *input, const float *filter, const float *bias, float *output,
                                 float act_min, float act_max);
void ember_depthwise_conv_2d_i8(const ember_window *w, const ember_image_shape *s, int32_t depth_multiplier,
                                const int8_t *input, const int8_t *filter, const int32_t *bias,
                                int8_t *output, int32_t input_offset, int32_t output_offset,
                                const int32_t *multiplier, const int32_t *shift, int32_t act_min,
                                int32_t act_max);
void ember_average_pool_2d_f32(const ember_pool_params *p, const float *input, float *output);
void ember_average_pool_2d_i8(const ember_pool_params *p, const int8_t *input, int8_t *output);
void ember_max_pool_2d_f32(const ember_pool_params *p, const float *input, float *output);
void ember_max_pool_2d_i8(const ember_pool_params *p, const int8_t *input, int8_t *output);

/* The eval of both poolings: float32 or int8 reference function by the input's type. */
typedef void ember_pool_f32_fn(const ember_pool_params *p, const float *input, float *output);
typedef void ember_pool_i8_fn(const ember_pool_params *p, const int8_t *input, int8_t *output);
ember_status ember_pool_eval(ember_interpreter *ctx, const ember_node *node, ember_pool_f32_fn *f32,
                             ember_pool_i8_fn *i8);

/* The signature CONV_2D's and DEPTHWISE_CONV_2D's reference functions share; `depth` is the input channels
 * each filter sees (CONV_2D) or the depth multiplier (DEPTHWISE_CONV_2D). */
typedef void ember_conv_f32_fn(const ember_window *w, const ember_image_shape *s, int32_t depth,
                               const float *input, const float *filter, const float *bias, float *output,
                               float act_min, float act_max);
typedef void ember_conv_i8_fn(const ember_window *w, const ember_image_shape *s, int32_t depth,
                              const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output,
                              int32_t input_offset, int32_t output_offset, const int32_t *multiplier,
                              const int32_t *shift, int32_t act_min, int32_t act_max);

/* Op data of CONV_2D and DEPTHWISE_CONV_2D. */
typedef struct ember_conv_data {
    ember_window w;
    ember_image_shape s;
    int32_t depth; /* CONV_2D: input channels each filter sees (in_c / depth groups); DEPTHWISE: multiplier */
    ember_conv_quant q;
} ember_conv_data;

/* Eval of CONV_2D and DEPTHWISE_CONV_2D: runs f32 or i8 on the node's input, filter, optional bias and output
 * with the ember_conv_data in its op data. */
ember_status ember_conv_eval(ember_interpreter *ctx, const ember_node *node, ember_conv_f32_fn *f32,
                             ember_conv_i8_fn *i8);

#endif /* EMBER_CONV_PARAMS_H */
