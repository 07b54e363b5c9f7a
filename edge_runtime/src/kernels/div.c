/* DIV: out = act(x1 / x2) with numpy broadcasting, float32 (TFLite's reference: the quotient, then the fused
 * activation's clamp; division by zero gives inf or NaN as in C). LiteRT has no int8 DIV (only uint8), so
 * neither do we. */
#include "kernels/broadcast.h"
#include "kernels/kernels.h"
#include "tflite_schema.h"

typedef struct div_data {
    ember_broadcast broadcast;
    ember_arith_params params;
} div_data;

static void div_row_f32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                        int32_t n) {
    const ember_arith_params *p = (const ember_arith_params *)params;
    const float *a = (const float *)x1, *b = (const float *)x2;
    float *y = (float *)out;
    int32_t i;
    for (i = 0; i < n; ++i)
        y[i] = ember_clamp_f32(a[i * s1] / b[i * s2], p->act_min_f, p->act_max_f);
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    div_data *data = (div_data *)node->op_data;
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    EMBER_CHECK(ctx, output && output->type == EMBER_FLOAT32, EMBER_UNSUPPORTED,
                "DIV %ld: type %s is not supported (float32 is; LiteRT has no int8 DIV either)",
                (long)node->index, output ? ember_type_name(output->type) : "?");
    return ember_arith_prepare(ctx, node, &data->broadcast, &data->params);
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const div_data *data = (const div_data *)node->op_data;
    ember_arith_eval(ctx, node, &data->broadcast, div_row_f32, div_row_f32, &data->params);
    return EMBER_OK;
}

/* Versions 1-2 as LiteRT registers them (2: uint8, refused by type). */
const ember_kernel ember_kernel_div = {
    TFL_OP_DIV, "DIV", 2, TFL_OPTIONS_DIV, sizeof(div_data), prepare, eval, NULL, NULL, EMBER_T_F32,
};
