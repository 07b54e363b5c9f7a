/* Checked readers of builtin options and helpers shared by kernels. */
#include <float.h>

#include "kernels/kernels.h"
#include "tflite_schema.h"

static ember_status option_error(ember_interpreter *ctx, const ember_node *node, unsigned id) {
    return ember_fail(ctx, EMBER_INVALID_MODEL, "operator %ld (%s): builtin option field %u: %s (byte %lu)",
                      (long)node->index, node->kernel->name, id, ctx->model.why,
                      (unsigned long)ctx->model.at);
}

ember_status ember_option_i8(ember_interpreter *ctx, const ember_node *node, unsigned id, int8_t def,
                             int8_t *out) {
    *out = def;
    if (node->has_options && !fb_get_i8(&ctx->model, &node->options, id, def, out))
        return option_error(ctx, node, id);
    return EMBER_OK;
}

ember_status ember_option_f32(ember_interpreter *ctx, const ember_node *node, unsigned id, float def,
                              float *out) {
    *out = def;
    if (node->has_options && !fb_get_f32(&ctx->model, &node->options, id, def, out))
        return option_error(ctx, node, id);
    return EMBER_OK;
}

ember_status ember_option_i32(ember_interpreter *ctx, const ember_node *node, unsigned id, int32_t def,
                              int32_t *out) {
    *out = def;
    if (node->has_options && !fb_get_i32(&ctx->model, &node->options, id, def, out))
        return option_error(ctx, node, id);
    return EMBER_OK;
}

ember_status ember_option_int_vector(ember_interpreter *ctx, const ember_node *node, unsigned id,
                                     fb_vector *out) {
    out->pos = 0;
    out->len = 0;
    if (node->has_options && !fb_get_vector(&ctx->model, &node->options, id, 4, out))
        return option_error(ctx, node, id);
    return EMBER_OK;
}

int ember_activation_range_f32(int32_t activation, float *min, float *max) {
    switch (activation) {
    case TFL_ACT_NONE: /* TFLite clamps to the finite float range even without an activation */
        *min = -FLT_MAX;
        *max = FLT_MAX;
        return 1;
    case TFL_ACT_RELU:
        *min = 0.0f;
        *max = FLT_MAX;
        return 1;
    case TFL_ACT_RELU_N1_TO_1:
        *min = -1.0f;
        *max = 1.0f;
        return 1;
    case TFL_ACT_RELU6:
        *min = 0.0f;
        *max = 6.0f;
        return 1;
    default:
        return 0;
    }
}
