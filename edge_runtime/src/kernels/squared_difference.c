/* SQUARED_DIFFERENCE, (x1 - x2)^2 with numpy broadcasting, as TFLite's reference (squared_difference.cc):
 * float32 (d * d), int32 (wrapping as LiteRT on two's complement hardware). int8 (LiteRT's requantising
 * kernel) is not implemented. */
#include "kernels/broadcast.h"
#include "kernels/kernels.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct squared_difference_data {
    ember_broadcast broadcast;
} squared_difference_data;

static void squared_difference_f32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                                   void *out, int32_t n) {
    const float *a = (const float *)x1, *b = (const float *)x2;
    float *y = (float *)out;
    int32_t i;
    (void)params;
    for (i = 0; i < n; ++i) {
        const float d = a[i * s1] - b[i * s2];
        y[i] = d * d;
    }
}

static void squared_difference_i32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                                   void *out, int32_t n) {
    const int32_t *a = (const int32_t *)x1, *b = (const int32_t *)x2;
    int32_t *y = (int32_t *)out;
    int32_t i;
    (void)params;
    for (i = 0; i < n; ++i) {
        const uint32_t d = (uint32_t)a[i * s1] - (uint32_t)b[i * s2];
        y[i] = ember_wrap_i32(d * d);
    }
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    squared_difference_data *data = (squared_difference_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    EMBER_TRY(ember_binary_prepare(ctx, node, &data->broadcast));
    EMBER_CHECK(ctx,
                input->type == output->type && (output->type == EMBER_FLOAT32 || output->type == EMBER_INT32),
                EMBER_UNSUPPORTED,
                "SQUARED_DIFFERENCE %ld: types input %s, output %s; float32 or int32 (both) are supported",
                (long)node->index, ember_type_name(input->type), ember_type_name(output->type));
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const squared_difference_data *data = (const squared_difference_data *)node->op_data;
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    ember_broadcast_run(
        &data->broadcast, output->type == EMBER_FLOAT32 ? squared_difference_f32 : squared_difference_i32,
        NULL, ember_node_input(ctx, node, 0)->data, ember_node_input(ctx, node, 1)->data, output->data, 4);
    return EMBER_OK;
}

/* Versions 1-2 as LiteRT registers them (2: int8, refused by type). */
const ember_kernel ember_kernel_squared_difference = {
    TFL_OP_SQUARED_DIFFERENCE,
    "SQUARED_DIFFERENCE",
    2,
    TFL_OPTIONS_SQUARED_DIFFERENCE,
    sizeof(squared_difference_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I32,
};
