/* REVERSE_V2: reverses the input along each axis of a constant int32/int64 axis vector (negative axes count
 * from the end; LiteRT takes several), a strided copy that starts at the last element of each reversed axis
 * and walks it with a negative stride. */
#include "kernels/kernels.h"
#include "kernels/layout.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    ember_strided_copy *copy = (ember_strided_copy *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *axes = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, d, i;
    int64_t strides[EMBER_MAX_DIMS], start = 0;
    uint8_t reversed[EMBER_MAX_DIMS] = {0};
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "REVERSE_V2 %ld: needs 2 inputs (input, axis) and 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_TRY(ember_check_const_int(ctx, node, axes, "axis", -1, 1));
    EMBER_CHECK(ctx, input->type == output->type && ember_same_shape(input, output), EMBER_INVALID_MODEL,
                "REVERSE_V2 %ld: input '%.64s' %s %s and output '%.64s' %s %s differ", (long)n, input->name,
                ember_type_name(input->type), ember_shape_string(input, a, sizeof a), output->name,
                ember_type_name(output->type), ember_shape_string(output, b, sizeof b));
    for (i = 0; i < ember_element_count(axes); ++i) {
        int64_t axis = ember_const_int(axes, i);
        EMBER_CHECK(ctx, axis >= -(int64_t)input->rank && axis < input->rank, EMBER_INVALID_MODEL,
                    "REVERSE_V2 %ld: axis %lld is outside input '%.64s' %s", (long)n, (long long)axis,
                    input->name, ember_shape_string(input, a, sizeof a));
        reversed[axis < 0 ? axis + input->rank : axis] = 1;
    }
    ember_strides(input->dims, input->rank, strides);
    for (d = 0; d < input->rank; ++d) {
        if (reversed[d] && input->dims[d] > 0) {
            start += (int64_t)(input->dims[d] - 1) * strides[d];
            strides[d] = -strides[d];
        }
    }
    ember_strided_copy_plan(copy, input->rank, input->dims, strides, start, ember_type_size(input->type));
    return EMBER_OK;
}

const ember_kernel ember_kernel_reverse_v2 = {
    TFL_OP_REVERSE_V2,
    "REVERSE_V2",
    4,
    TFL_OPTIONS_REVERSE_V2,
    sizeof(ember_strided_copy),
    prepare,
    ember_strided_copy_eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
