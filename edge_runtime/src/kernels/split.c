/* SPLIT: inputs (axis, input); num_splits equal pieces of the input along a constant int32 axis (negative
 * counts from the end), which must divide evenly (TFLite's split.cc). */
#include "kernels/kernels.h"
#include "kernels/layout.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

static size_t op_data_bytes(const ember_interpreter *ctx, const ember_node *node) {
    (void)ctx;
    return ember_axis_split_bytes(node->output_count);
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    ember_axis_split *split = (ember_axis_split *)node->op_data;
    const ember_tensor *axis_t = ember_node_input(ctx, node, 0);
    const ember_tensor *input = ember_node_input(ctx, node, 1);
    int32_t n = node->index, num_splits, i, d;
    int64_t axis;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count >= 1 && input, EMBER_INVALID_MODEL,
                "SPLIT %ld: needs 2 inputs (axis, input) and at least 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_TRY(ember_option_i32(ctx, node, TFL_SPLIT_NUM_SPLITS, 0, &num_splits));
    EMBER_CHECK(ctx, num_splits == node->output_count, EMBER_INVALID_MODEL,
                "SPLIT %ld: num_splits is %ld but the op has %ld outputs", (long)n, (long)num_splits,
                (long)node->output_count);
    EMBER_TRY(ember_check_const_int(ctx, node, axis_t, "axis", 1, 0));
    axis = ember_const_int(axis_t, 0);
    EMBER_CHECK(ctx, axis >= -(int64_t)input->rank && axis < input->rank, EMBER_INVALID_MODEL,
                "SPLIT %ld: axis %lld is outside input '%.64s' %s", (long)n, (long long)axis, input->name,
                ember_shape_string(input, a, sizeof a));
    if (axis < 0)
        axis += input->rank;
    EMBER_CHECK(ctx, input->dims[axis] % num_splits == 0, EMBER_INVALID_MODEL,
                "SPLIT %ld: axis %ld of input '%.64s' %s does not split evenly into %ld pieces", (long)n,
                (long)axis, input->name, ember_shape_string(input, a, sizeof a), (long)num_splits);
    EMBER_TRY(ember_check_outputs_like(ctx, node, input, 0));
    for (i = 0; i < num_splits; ++i) {
        const ember_tensor *t = ember_node_output(ctx, node, i);
        int ok = t->rank == input->rank;
        for (d = 0; ok && d < input->rank; ++d)
            ok = t->dims[d] == (d == axis ? input->dims[axis] / num_splits : input->dims[d]);
        EMBER_CHECK(ctx, ok, EMBER_INVALID_MODEL,
                    "SPLIT %ld: output %ld '%.64s' %s is not a 1/%ld piece of input '%.64s' %s on axis %ld",
                    (long)n, (long)i, t->name, ember_shape_string(t, b, sizeof b), (long)num_splits,
                    input->name, ember_shape_string(input, a, sizeof a), (long)axis);
        split->sizes[i] = input->dims[axis] / num_splits;
    }
    ember_axis_split_plan(split, input, (int32_t)axis);
    split->count = num_splits;
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    ember_axis_split_run(ctx, node, (const ember_axis_split *)node->op_data, ember_node_input(ctx, node, 1));
    return EMBER_OK;
}

const ember_kernel ember_kernel_split = {
    TFL_OP_SPLIT,
    "SPLIT",
    5,
    TFL_OPTIONS_SPLIT,
    0,
    prepare,
    eval,
    op_data_bytes,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64,
};
