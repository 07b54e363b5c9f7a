/* SOFTMAX, float32, over the last axis: exp(beta * (x - max)) / sum, subtracting the row maximum first so exp
 * never overflows (TFLite's reference order of operations). */
#include <math.h>

#include "kernels/kernels.h"
#include "tflite_schema.h"

typedef struct softmax_data {
    int32_t outer;
    int32_t depth;
    float beta;
} softmax_data;

void ember_softmax_f32(const float *input, float *output, int32_t outer, int32_t depth, float beta) {
    int32_t i, c;
    for (i = 0; i < outer; ++i) {
        const float *x = input + (size_t)i * (size_t)depth;
        float *y = output + (size_t)i * (size_t)depth;
        float max = x[0], sum = 0.0f;
        for (c = 1; c < depth; ++c)
            max = x[c] > max ? x[c] : max;
        for (c = 0; c < depth; ++c) {
            y[c] = expf((x[c] - max) * beta);
            sum += y[c];
        }
        for (c = 0; c < depth; ++c)
            y[c] = y[c] / sum;
    }
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    softmax_data *data = (softmax_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, d;
    int same = 1;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "SOFTMAX %ld: needs 1 input and 1 output, has %ld and %ld", (long)n, (long)node->input_count,
                (long)node->output_count);
    EMBER_TRY(ember_option_f32(ctx, node, TFL_SOFTMAX_BETA, 0.0f, &data->beta));
    EMBER_CHECK(ctx, input->type == EMBER_FLOAT32 && output->type == EMBER_FLOAT32, EMBER_UNSUPPORTED,
                "SOFTMAX %ld: types input %s, output %s; only float32 is supported", (long)n,
                ember_type_name(input->type), ember_type_name(output->type));
    same = input->rank == output->rank;
    for (d = 0; same && d < input->rank; ++d)
        same = input->dims[d] == output->dims[d];
    EMBER_CHECK(ctx, same && input->rank >= 1, EMBER_INVALID_MODEL,
                "SOFTMAX %ld: input '%.64s' %s and output '%.64s' %s must have the same shape of rank >= 1",
                (long)n, input->name, ember_shape_string(input, a, sizeof a), output->name,
                ember_shape_string(output, b, sizeof b));
    data->depth = input->dims[input->rank - 1];
    data->outer = data->depth ? ember_element_count(input) / data->depth : 0;
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const softmax_data *data = (const softmax_data *)node->op_data;
    ember_softmax_f32((const float *)ember_node_input(ctx, node, 0)->data,
                      (float *)ember_node_output(ctx, node, 0)->data, data->outer, data->depth, data->beta);
    return EMBER_OK;
}

const ember_kernel ember_kernel_softmax = {
    TFL_OP_SOFTMAX, "SOFTMAX", 3, TFL_OPTIONS_SOFTMAX, sizeof(softmax_data), prepare, eval,
};
