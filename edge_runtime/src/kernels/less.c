/* LESS with numpy broadcasting, as TFLite's comparisons.cc: out = x1 < x2, a bool tensor, on float32, int32
 * or int64 operands of one type (the counters and bounds of the cond subgraphs the converter writes for
 * tf.while_loop). Quantised operands are refused by type. */
#include "kernels/broadcast.h"
#include "kernels/kernels.h"
#include "tflite_schema.h"

typedef struct less_data {
    ember_broadcast broadcast;
} less_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    less_data *data = (less_data *)node->op_data;
    const ember_tensor *input1 = ember_node_input(ctx, node, 0);
    const ember_tensor *input2 = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    long n = (long)node->index;
    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input1 && input2,
                EMBER_INVALID_MODEL, "LESS %ld: needs 2 inputs and 1 output, has %ld and %ld", n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(
        ctx,
        input1->type == input2->type && output->type == EMBER_BOOL &&
            (input1->type == EMBER_FLOAT32 || input1->type == EMBER_INT32 || input1->type == EMBER_INT64),
        EMBER_UNSUPPORTED,
        "LESS %ld: types input %s, %s, output %s; float32, int32 or int64 inputs (alike) and a bool output "
        "are supported",
        n, ember_type_name(input1->type), ember_type_name(input2->type), ember_type_name(output->type));
    return ember_broadcast_prepare(ctx, node, input1, input2, output, &data->broadcast);
}

/* x1[i1] < x2[i2], compared in the operands' own type. */
static int less_at(ember_type type, const void *x1, int64_t i1, const void *x2, int64_t i2) {
    switch (type) {
    case EMBER_FLOAT32:
        return ((const float *)x1)[i1] < ((const float *)x2)[i2];
    case EMBER_INT32:
        return ((const int32_t *)x1)[i1] < ((const int32_t *)x2)[i2];
    default:
        return ((const int64_t *)x1)[i1] < ((const int64_t *)x2)[i2];
    }
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const less_data *data = (const less_data *)node->op_data;
    const ember_broadcast *b = &data->broadcast;
    const ember_tensor *input1 = ember_node_input(ctx, node, 0);
    const void *x1 = input1->data, *x2 = ember_node_input(ctx, node, 1)->data;
    uint8_t *out = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    int32_t index[EMBER_MAX_DIMS] = {0};
    int64_t i1 = 0, i2 = 0, o = 0;
    int32_t d;
    if (b->empty)
        return EMBER_OK;
    for (;;) {
        out[o++] = (uint8_t)less_at(input1->type, x1, i1, x2, i2);
        /* Odometer over the output's axes, innermost first. */
        for (d = b->rank - 1; d >= 0; --d) {
            i1 += b->strides1[d];
            i2 += b->strides2[d];
            if (++index[d] < b->dims[d])
                break;
            i1 -= b->strides1[d] * b->dims[d];
            i2 -= b->strides2[d] * b->dims[d];
            index[d] = 0;
        }
        if (d < 0)
            return EMBER_OK;
    }
}

const ember_kernel ember_kernel_less = {
    TFL_OP_LESS,
    "LESS",
    2,
    TFL_OPTIONS_LESS,
    sizeof(less_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
