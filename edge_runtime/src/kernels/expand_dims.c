/* EXPAND_DIMS: inserts an axis of size 1 at a constant int32/int64 axis in [-(rank + 1), rank]; the bytes do
 * not change. */
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *axis_t = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, d;
    int64_t axis;
    int ok;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "EXPAND_DIMS %ld: needs 2 inputs (input, axis) and 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_TRY(ember_check_const_int(ctx, node, axis_t, "axis", 1, 1));
    axis = ember_const_int(axis_t, 0);
    EMBER_CHECK(ctx, axis >= -(int64_t)input->rank - 1 && axis <= input->rank, EMBER_INVALID_MODEL,
                "EXPAND_DIMS %ld: axis %lld is outside [%ld, %ld] for input '%.64s' %s", (long)n,
                (long long)axis, (long)(-input->rank - 1), (long)input->rank, input->name,
                ember_shape_string(input, a, sizeof a));
    if (axis < 0)
        axis += input->rank + 1;
    ok = input->type == output->type && output->rank == input->rank + 1;
    for (d = 0; ok && d < output->rank; ++d)
        ok = output->dims[d] == (d < axis ? input->dims[d] : (d == axis ? 1 : input->dims[d - 1]));
    EMBER_CHECK(ctx, ok, EMBER_INVALID_MODEL,
                "EXPAND_DIMS %ld: input '%.64s' %s %s with an axis at %ld does not give output '%.64s' %s %s",
                (long)n, input->name, ember_type_name(input->type), ember_shape_string(input, a, sizeof a),
                (long)axis, output->name, ember_type_name(output->type),
                ember_shape_string(output, b, sizeof b));
    return EMBER_OK;
}

const ember_kernel ember_kernel_expand_dims = {
    TFL_OP_EXPAND_DIMS,
    "EXPAND_DIMS",
    1,
    TFL_OPTIONS_EXPAND_DIMS,
    0,
    prepare,
    ember_copy_eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
