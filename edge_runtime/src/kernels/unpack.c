/* UNPACK: `num` outputs, output i being the input at index i of `axis` (negative counts from the end) with
 * that axis dropped. Like LiteRT (unpack.cc), every output must carry the input's scale and zero point. */
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
    int32_t n = node->index, num, axis, i, d;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count >= 1 && input, EMBER_INVALID_MODEL,
                "UNPACK %ld: needs 1 input and at least 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, input->type != EMBER_INT64, EMBER_UNSUPPORTED,
                "UNPACK %ld: int64 input '%.64s' is not supported (LiteRT's UNPACK does not take it either)",
                (long)n, input->name);
    EMBER_TRY(ember_option_i32(ctx, node, TFL_UNPACK_NUM, 0, &num));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_UNPACK_AXIS, 0, &axis));
    EMBER_CHECK(ctx, axis >= -input->rank && axis < input->rank, EMBER_INVALID_MODEL,
                "UNPACK %ld: axis %ld is outside input '%.64s' %s", (long)n, (long)axis, input->name,
                ember_shape_string(input, a, sizeof a));
    if (axis < 0)
        axis += input->rank;
    EMBER_CHECK(ctx, num == node->output_count && num == input->dims[axis], EMBER_INVALID_MODEL,
                "UNPACK %ld: num is %ld, the op has %ld outputs and axis %ld of input '%.64s' %s has %ld",
                (long)n, (long)num, (long)node->output_count, (long)axis, input->name,
                ember_shape_string(input, a, sizeof a), (long)input->dims[axis]);
    EMBER_TRY(ember_check_outputs_like(ctx, node, input, 1));
    for (i = 0; i < num; ++i) {
        const ember_tensor *t = ember_node_output(ctx, node, i);
        int ok = t->rank == input->rank - 1;
        for (d = 0; ok && d < t->rank; ++d)
            ok = t->dims[d] == input->dims[d < axis ? d : d + 1];
        EMBER_CHECK(ctx, ok, EMBER_INVALID_MODEL,
                    "UNPACK %ld: output %ld '%.64s' %s is not input '%.64s' %s without axis %ld", (long)n,
                    (long)i, t->name, ember_shape_string(t, b, sizeof b), input->name,
                    ember_shape_string(input, a, sizeof a), (long)axis);
        split->sizes[i] = 1;
    }
    ember_axis_split_plan(split, input, axis);
    split->count = num;
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    ember_axis_split_run(ctx, node, (const ember_axis_split *)node->op_data, ember_node_input(ctx, node, 0));
    return EMBER_OK;
}

const ember_kernel ember_kernel_unpack = {
    TFL_OP_UNPACK,
    "UNPACK",
    6,
    TFL_OPTIONS_UNPACK,
    0,
    prepare,
    eval,
    op_data_bytes,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_BOOL,
};
