/* SLICE: output = input[begin[d] : begin[d] + size[d]] on every axis, begin and size constant int32 or int64
 * vectors of the input's rank, size -1 meaning "to the end" (TFLite's slice.cc, which also wants
 * 0 <= begin and begin + size <= dim). */
#include "kernels/kernels.h"
#include "kernels/layout.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    ember_strided_copy *copy = (ember_strided_copy *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *begin = ember_node_input(ctx, node, 1);
    const ember_tensor *size = ember_node_input(ctx, node, 2);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, d, dims[EMBER_MAX_DIMS];
    int64_t strides[EMBER_MAX_DIMS], start = 0;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 3 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "SLICE %ld: needs 3 inputs (input, begin, size) and 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, input->type == output->type, EMBER_INVALID_MODEL, "SLICE %ld: input is %s, output %s",
                (long)n, ember_type_name(input->type), ember_type_name(output->type));
    EMBER_TRY(ember_check_const_int(ctx, node, begin, "begin", input->rank, 1));
    EMBER_TRY(ember_check_const_int(ctx, node, size, "size", input->rank, 1));
    EMBER_CHECK(ctx, begin->type == size->type && begin->rank == 1 && size->rank == 1, EMBER_INVALID_MODEL,
                "SLICE %ld: begin '%.64s' and size '%.64s' must be 1-D vectors of one type", (long)n,
                begin->name, size->name);
    ember_strides(input->dims, input->rank, strides);
    for (d = 0; d < input->rank; ++d) {
        const int64_t first = ember_const_int(begin, d), dim = input->dims[d];
        int64_t count = ember_const_int(size, d);
        if (count == -1)
            count = dim - first;
        EMBER_CHECK(ctx, first >= 0 && first <= dim && count >= 0 && count <= dim - first,
                    EMBER_INVALID_MODEL,
                    "SLICE %ld: axis %ld of input '%.64s' %s: begin %lld, size %lld leave the axis (size -1 "
                    "takes the rest)",
                    (long)n, (long)d, input->name, ember_shape_string(input, a, sizeof a),
                    (long long)ember_const_int(begin, d), (long long)ember_const_int(size, d));
        dims[d] = (int32_t)count;
        start += first * strides[d];
    }
    for (d = 0; d < input->rank && output->rank == input->rank; ++d)
        if (output->dims[d] != dims[d])
            break;
    EMBER_CHECK(ctx, output->rank == input->rank && d == input->rank, EMBER_INVALID_MODEL,
                "SLICE %ld: slicing input '%.64s' %s does not give output '%.64s' %s", (long)n, input->name,
                ember_shape_string(input, a, sizeof a), output->name,
                ember_shape_string(output, b, sizeof b));
    ember_strided_copy_plan(copy, input->rank, dims, strides, start, ember_type_size(input->type));
    return EMBER_OK;
}

const ember_kernel ember_kernel_slice = {
    TFL_OP_SLICE,
    "SLICE",
    8,
    TFL_OPTIONS_SLICE,
    sizeof(ember_strided_copy),
    prepare,
    ember_strided_copy_eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
