/* LOGICAL_AND and LOGICAL_OR with numpy broadcasting, and LOGICAL_NOT, on bool tensors (TFLite's
 * logical.cc). A bool byte other than 0 counts as true, as C++'s bool operators treat it. */
#include "kernels/broadcast.h"
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

typedef struct logical_data {
    ember_broadcast broadcast;
    int32_t count; /* LOGICAL_NOT */
} logical_data;

static void logical_and(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                        int32_t n) {
    const uint8_t *a = (const uint8_t *)x1, *b = (const uint8_t *)x2;
    uint8_t *y = (uint8_t *)out;
    int32_t i;
    (void)params;
    for (i = 0; i < n; ++i)
        y[i] = a[i * s1] && b[i * s2];
}

static void logical_or(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                       int32_t n) {
    const uint8_t *a = (const uint8_t *)x1, *b = (const uint8_t *)x2;
    uint8_t *y = (uint8_t *)out;
    int32_t i;
    (void)params;
    for (i = 0; i < n; ++i)
        y[i] = a[i * s1] || b[i * s2];
}

static ember_status prepare_binary(ember_interpreter *ctx, ember_node *node) {
    logical_data *data = (logical_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    EMBER_TRY(ember_binary_prepare(ctx, node, &data->broadcast));
    EMBER_CHECK(ctx, input->type == EMBER_BOOL && output->type == EMBER_BOOL, EMBER_UNSUPPORTED,
                "%s %ld: types input %s, output %s; it takes and gives bool", node->kernel->name,
                (long)node->index, ember_type_name(input->type), ember_type_name(output->type));
    return EMBER_OK;
}

static ember_status eval_binary(ember_interpreter *ctx, const ember_node *node) {
    const logical_data *data = (const logical_data *)node->op_data;
    ember_broadcast_run(&data->broadcast,
                        node->kernel->builtin_code == TFL_OP_LOGICAL_AND ? logical_and : logical_or, NULL,
                        ember_node_input(ctx, node, 0)->data, ember_node_input(ctx, node, 1)->data,
                        ember_node_output(ctx, node, 0)->data, 1);
    return EMBER_OK;
}

static ember_status prepare_not(ember_interpreter *ctx, ember_node *node) {
    EMBER_TRY(ember_check_unary_typed(ctx, node, EMBER_T_BOOL));
    ((logical_data *)node->op_data)->count = ember_element_count(ember_node_input(ctx, node, 0));
    return EMBER_OK;
}

static ember_status eval_not(ember_interpreter *ctx, const ember_node *node) {
    const uint8_t *x = (const uint8_t *)ember_node_input(ctx, node, 0)->data;
    uint8_t *y = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    int32_t i, count = ((const logical_data *)node->op_data)->count;
    for (i = 0; i < count; ++i)
        y[i] = !x[i];
    return EMBER_OK;
}

const ember_kernel ember_kernel_logical_and = {
    TFL_OP_LOGICAL_AND,
    "LOGICAL_AND",
    1,
    TFL_OPTIONS_LOGICAL_AND,
    sizeof(logical_data),
    prepare_binary,
    eval_binary,
    NULL,
    NULL,
    EMBER_T_BOOL,
};
const ember_kernel ember_kernel_logical_or = {
    TFL_OP_LOGICAL_OR, "LOGICAL_OR", 1,    TFL_OPTIONS_LOGICAL_OR, sizeof(logical_data), prepare_binary,
    eval_binary,       NULL,         NULL, EMBER_T_BOOL,
};
const ember_kernel ember_kernel_logical_not = {
    TFL_OP_LOGICAL_NOT,
    "LOGICAL_NOT",
    1,
    TFL_OPTIONS_LOGICAL_NOT,
    sizeof(logical_data),
    prepare_not,
    eval_not,
    NULL,
    NULL,
    EMBER_T_BOOL,
};
