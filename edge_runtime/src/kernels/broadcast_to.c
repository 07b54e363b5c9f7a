/* BROADCAST_TO: the input broadcast to a constant int32/int64 shape (numpy rules: dims aligned from the last,
 * each input dim equal to the target's or 1, the target's rank at least the input's), a strided copy with
 * stride 0 on the broadcast axes. LiteRT registers versions 2 and 3 and later (version 1 was withdrawn). */
#include "kernels/kernels.h"
#include "kernels/layout.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    ember_strided_copy *copy = (ember_strided_copy *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *shape = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, d;
    int64_t in_strides[EMBER_MAX_DIMS], strides[EMBER_MAX_DIMS];
    int ok;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "BROADCAST_TO %ld: needs 2 inputs (input, shape) and 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_TRY(ember_check_const_int(ctx, node, shape, "shape", output->rank, 1));
    ember_strides(input->dims, input->rank, in_strides);
    ok = input->type == output->type && output->rank >= input->rank;
    for (d = 0; ok && d < output->rank; ++d) {
        const int32_t k = d - (output->rank - input->rank); /* the input axis aligned with output axis d */
        ok = ember_const_int(shape, d) == output->dims[d] &&
             (k < 0 || input->dims[k] == output->dims[d] || input->dims[k] == 1);
        strides[d] = k < 0 || input->dims[k] != output->dims[d] ? 0 : in_strides[k];
    }
    EMBER_CHECK(
        ctx, ok, EMBER_INVALID_MODEL,
        "BROADCAST_TO %ld: input '%.64s' %s %s does not broadcast to shape '%.64s' and output '%.64s' "
        "%s %s",
        (long)n, input->name, ember_type_name(input->type), ember_shape_string(input, a, sizeof a),
        shape->name, output->name, ember_type_name(output->type), ember_shape_string(output, b, sizeof b));
    ember_strided_copy_plan(copy, output->rank, output->dims, strides, 0, ember_type_size(input->type));
    return EMBER_OK;
}

const ember_kernel ember_kernel_broadcast_to = {
    TFL_OP_BROADCAST_TO,
    "BROADCAST_TO",
    4,
    TFL_OPTIONS_BROADCAST_TO,
    sizeof(ember_strided_copy),
    prepare,
    ember_strided_copy_eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
