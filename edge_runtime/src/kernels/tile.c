/* TILE: output axis d is input axis d repeated multiples[d] times (multiples a constant int32 or int64
 * vector, entries >= 0). The output, viewed as [multiples[0], dims[0], multiples[1], dims[1], ...], is a
 * strided copy of the input with stride 0 on the repeat axes. */
#include "kernels/kernels.h"
#include "kernels/layout.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    ember_strided_copy *copy = (ember_strided_copy *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *multiples = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, d, dims[EMBER_COPY_MAX_AXES];
    int64_t in_strides[EMBER_MAX_DIMS], strides[EMBER_COPY_MAX_AXES];
    int ok;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "TILE %ld: needs 2 inputs (input, multiples) and 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_TRY(ember_check_const_int(ctx, node, multiples, "multiples", input->rank, 1));
    ember_strides(input->dims, input->rank, in_strides);
    ok = input->type == output->type && output->rank == input->rank;
    for (d = 0; ok && d < input->rank; ++d) {
        const int64_t m = ember_const_int(multiples, d);
        ok = m >= 0 && (int64_t)input->dims[d] * m == output->dims[d];
        dims[2 * d] = (int32_t)m;
        dims[2 * d + 1] = input->dims[d];
        strides[2 * d] = 0;
        strides[2 * d + 1] = in_strides[d];
    }
    EMBER_CHECK(ctx, ok, EMBER_INVALID_MODEL,
                "TILE %ld: input '%.64s' %s %s tiled by multiples '%.64s' does not give output '%.64s' %s %s",
                (long)n, input->name, ember_type_name(input->type), ember_shape_string(input, a, sizeof a),
                multiples->name, output->name, ember_type_name(output->type),
                ember_shape_string(output, b, sizeof b));
    ember_strided_copy_plan(copy, 2 * input->rank, dims, strides, 0, ember_type_size(input->type));
    return EMBER_OK;
}

const ember_kernel ember_kernel_tile = {
    TFL_OP_TILE,
    "TILE",
    3,
    TFL_OPTIONS_TILE,
    sizeof(ember_strided_copy),
    prepare,
    ember_strided_copy_eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
