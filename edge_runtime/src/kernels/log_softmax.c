/* LOG_SOFTMAX over the last axis, float32, in the order of TFLite's reference (reference/log_softmax.h): the
 * row maximum (from the lowest float), the sum of exp(x - max), then x - max - log(sum). int8 (TFLite's
 * fixed-point kernel with output (16/256, 127)) is not implemented: the exporter writes LOG_SOFTMAX only in
 * float32 models. */
#include <float.h>
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

typedef struct log_softmax_data {
    int32_t outer, depth;
} log_softmax_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    log_softmax_data *data = (log_softmax_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    long n = (long)node->index;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "LOG_SOFTMAX %ld: needs 1 input and 1 output, has %ld and %ld", n, (long)node->input_count,
                (long)node->output_count);
    EMBER_CHECK(ctx, input->type == EMBER_FLOAT32 && output->type == EMBER_FLOAT32, EMBER_UNSUPPORTED,
                "LOG_SOFTMAX %ld: types input %s, output %s; float32 is supported (export the model as "
                "float32)",
                n, ember_type_name(input->type), ember_type_name(output->type));
    EMBER_CHECK(
        ctx, ember_same_shape(input, output) && input->rank >= 1, EMBER_INVALID_MODEL,
        "LOG_SOFTMAX %ld: input '%.64s' %s and output '%.64s' %s must have the same shape of rank >= 1", n,
        input->name, ember_shape_string(input, a, sizeof a), output->name,
        ember_shape_string(output, b, sizeof b));
    data->depth = input->dims[input->rank - 1];
    data->outer = data->depth ? ember_element_count(input) / data->depth : 0;
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const log_softmax_data *data = (const log_softmax_data *)node->op_data;
    const float *input = (const float *)ember_node_input(ctx, node, 0)->data;
    float *output = (float *)ember_node_output(ctx, node, 0)->data;
    int32_t i, c;
    for (i = 0; i < data->outer; ++i) {
        const float *x = input + (size_t)i * (size_t)data->depth;
        float *y = output + (size_t)i * (size_t)data->depth;
        float max = -FLT_MAX, sum = 0.0f, log_sum;
        for (c = 0; c < data->depth; ++c)
            max = max < x[c] ? x[c] : max; /* std::max(max, x) */
        for (c = 0; c < data->depth; ++c)
            sum += expf(x[c] - max);
        log_sum = logf(sum);
        for (c = 0; c < data->depth; ++c)
            y[c] = x[c] - max - log_sum;
    }
    return EMBER_OK;
}

/* Versions 1-2 as LiteRT registers them (2: int8, refused by type). */
const ember_kernel ember_kernel_log_softmax = {
    TFL_OP_LOG_SOFTMAX,
    "LOG_SOFTMAX",
    2,
    TFL_OPTIONS_LOG_SOFTMAX,
    sizeof(log_softmax_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32,
};
