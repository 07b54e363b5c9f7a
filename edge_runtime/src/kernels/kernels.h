/* Kernel registrations, the option readers kernels use in prepare, and the reference math of each op (exposed
 * so unit tests and future optimised paths can be checked against it). */
#ifndef EMBER_KERNELS_H
#define EMBER_KERNELS_H

#include "ember_internal.h"

extern const ember_kernel ember_kernel_fully_connected;
extern const ember_kernel ember_kernel_reshape;
extern const ember_kernel ember_kernel_softmax;

/* Builtin option fields of a node; `def` when the node has no options table or the field is absent. The model
 * was verified as a whole, but the field layout of the options table is only known here, so reads stay
 * checked. */
ember_status ember_option_i8(ember_interpreter *ctx, const ember_node *node, unsigned id, int8_t def,
                             int8_t *out);
ember_status ember_option_f32(ember_interpreter *ctx, const ember_node *node, unsigned id, float def,
                              float *out);
ember_status ember_option_int_vector(ember_interpreter *ctx, const ember_node *node, unsigned id,
                                     fb_vector *out);

/* Clamp range of a fused activation (TFLite's CalculateActivationRange for float). 0 if unsupported. */
int ember_activation_range_f32(int32_t activation, float *min, float *max);

/* std::min(std::max(x, lo), hi) as TFLite writes it: a NaN input stays NaN. */
static inline float ember_clamp_f32(float x, float lo, float hi) {
    float y = x < lo ? lo : x;
    return hi < y ? hi : y;
}

/* output[b, o] = act(sum_i input[b, i] * weights[o, i] + bias[o]); bias may be NULL. */
void ember_fully_connected_f32(const float *input, const float *weights, const float *bias, float *output,
                               int32_t batches, int32_t in_dim, int32_t out_dim, float act_min,
                               float act_max);

/* Softmax over the last axis of an [outer, depth] array: exp(beta * (x - max)) / sum. */
void ember_softmax_f32(const float *input, float *output, int32_t outer, int32_t depth, float beta);

#endif /* EMBER_KERNELS_H */
