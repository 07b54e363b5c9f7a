/* SPLIT_V: inputs (input, size_splits, axis); pieces of the given sizes along a constant int32 axis, from a
 * constant int32/int64 size_splits vector with one entry per output, at most one of them -1 (the rest of the
 * axis), summing to the axis size (TFLite's split_v.cc). */
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
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *sizes = ember_node_input(ctx, node, 1);
    const ember_tensor *axis_t = ember_node_input(ctx, node, 2);
    int32_t n = node->index, num_splits, i, d, unknown = -1;
    int64_t axis, sum = 0;
    char a[96], b[96];

    EMBER_CHECK(
        ctx, node->input_count == 3 && node->output_count >= 1 && input, EMBER_INVALID_MODEL,
        "SPLIT_V %ld: needs 3 inputs (input, size_splits, axis) and at least 1 output, has %ld and %ld",
        (long)n, (long)node->input_count, (long)node->output_count);
    EMBER_TRY(ember_option_i32(ctx, node, TFL_SPLIT_NUM_SPLITS, 0, &num_splits));
    EMBER_CHECK(ctx, num_splits == node->output_count, EMBER_INVALID_MODEL,
                "SPLIT_V %ld: num_splits is %ld but the op has %ld outputs", (long)n, (long)num_splits,
                (long)node->output_count);
    EMBER_TRY(ember_check_const_int(ctx, node, sizes, "size_splits", num_splits, 1));
    EMBER_TRY(ember_check_const_int(ctx, node, axis_t, "axis", 1, 0));
    axis = ember_const_int(axis_t, 0);
    EMBER_CHECK(ctx, axis >= -(int64_t)input->rank && axis < input->rank, EMBER_INVALID_MODEL,
                "SPLIT_V %ld: axis %lld is outside input '%.64s' %s", (long)n, (long long)axis, input->name,
                ember_shape_string(input, a, sizeof a));
    if (axis < 0)
        axis += input->rank;
    for (i = 0; i < num_splits; ++i) {
        const int64_t s = ember_const_int(sizes, i);
        EMBER_CHECK(
            ctx, (s == -1 && unknown < 0) || (s >= 0 && s <= input->dims[axis]), EMBER_INVALID_MODEL,
            "SPLIT_V %ld: size_splits entry %ld is %lld; entries are sizes along axis %ld (%ld) or one "
            "-1 for the rest",
            (long)n, (long)i, (long long)s, (long)axis, (long)input->dims[axis]);
        if (s == -1)
            unknown = i;
        else
            sum += s;
        split->sizes[i] = (int32_t)s;
    }
    EMBER_CHECK(ctx, unknown >= 0 ? sum <= input->dims[axis] : sum == input->dims[axis], EMBER_INVALID_MODEL,
                "SPLIT_V %ld: size_splits add up to %lld, axis %ld of input '%.64s' %s has %ld", (long)n,
                (long long)sum, (long)axis, input->name, ember_shape_string(input, a, sizeof a),
                (long)input->dims[axis]);
    if (unknown >= 0)
        split->sizes[unknown] = (int32_t)(input->dims[axis] - sum);
    EMBER_TRY(ember_check_outputs_like(ctx, node, input, 0));
    for (i = 0; i < num_splits; ++i) {
        const ember_tensor *t = ember_node_output(ctx, node, i);
        int ok = t->rank == input->rank;
        for (d = 0; ok && d < input->rank; ++d)
            ok = t->dims[d] == (d == axis ? split->sizes[i] : input->dims[d]);
        EMBER_CHECK(
            ctx, ok, EMBER_INVALID_MODEL,
            "SPLIT_V %ld: output %ld '%.64s' %s is not the piece of %ld of input '%.64s' %s on axis %ld",
            (long)n, (long)i, t->name, ember_shape_string(t, b, sizeof b), (long)split->sizes[i], input->name,
            ember_shape_string(input, a, sizeof a), (long)axis);
    }
    ember_axis_split_plan(split, input, (int32_t)axis);
    split->count = num_splits;
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    ember_axis_split_run(ctx, node, (const ember_axis_split *)node->op_data, ember_node_input(ctx, node, 0));
    return EMBER_OK;
}

const ember_kernel ember_kernel_split_v = {
    TFL_OP_SPLIT_V,
    "SPLIT_V",
    3,
    TFL_OPTIONS_SPLIT_V,
    0,
    prepare,
    eval,
    op_data_bytes,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64,
};
