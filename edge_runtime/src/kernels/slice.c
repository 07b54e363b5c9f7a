/* SLICE: output = input[begin[d] : begin[d] + size[d]] on every axis, begin and size int32 or int64 vectors
 * of the input's rank, size -1 meaning "to the end" (TFLite's slice.cc, which also wants 0 <= begin and
 * begin + size <= dim). Constant begin and size are checked and planned here at prepare. Computed ones (the
 * loop counter in TensorFlow's GRU / SimpleRNN WHILE bodies) give an output whose shape is known only at run
 * time: shape propagation sizes it at its upper bound, the input's shape, the planner reserves that, and eval
 * checks begin and size, writes the output's dims and plans the copy in the op data (no allocation). */
#include "kernels/kernels.h"
#include "kernels/layout.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

typedef struct slice_data {
    ember_strided_copy copy;
    int32_t runtime; /* begin or size computed at run time: planned at eval */
} slice_data;

static int64_t int_at(const ember_tensor *t, int32_t i) {
    return t->type == EMBER_INT64 ? ((const int64_t *)t->data)[i] : (int64_t)((const int32_t *)t->data)[i];
}

/* Prepare of a SLICE whose begin or size is computed: types and counts here, values at eval. */
static ember_status prepare_runtime(ember_interpreter *ctx, ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *begin = ember_node_input(ctx, node, 1);
    const ember_tensor *size = ember_node_input(ctx, node, 2);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, i;
    char a[96], b[96];

    for (i = 1; i < 3; ++i) {
        const ember_tensor *t = i == 1 ? begin : size;
        EMBER_CHECK(ctx,
                    (t->type == EMBER_INT32 || t->type == EMBER_INT64) && t->rank == 1 &&
                        t->dims[0] == input->rank && begin->type == size->type,
                    EMBER_INVALID_MODEL,
                    "SLICE %ld: %s '%.64s' %s %s must be an int32 or int64 vector of input '%.64s' %s's rank "
                    "%ld, of one type with the other",
                    (long)n, i == 1 ? "begin" : "size", t->name, ember_type_name(t->type),
                    ember_shape_string(t, a, sizeof a), input->name, ember_shape_string(input, b, sizeof b),
                    (long)input->rank);
    }
    EMBER_CHECK(ctx, output->rank == input->rank && output->bound_bytes >= input->bytes, EMBER_INVALID_MODEL,
                "SLICE %ld: output '%.64s' %s must have input '%.64s' %s's rank (begin and size are computed "
                "at run time)",
                (long)n, output->name, ember_shape_string(output, a, sizeof a), input->name,
                ember_shape_string(input, b, sizeof b));
    /* An earlier invoke left the last actual shape: back to the bound the consumers' prepare sees. */
    for (i = 0; i < input->rank; ++i)
        output->dims[i] = input->dims[i];
    output->bytes = input->bytes;
    return EMBER_OK;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    slice_data *data = (slice_data *)node->op_data;
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
    /* Computed begin or size, into a tensor inside the subgraph (shape_propagation.c marked it); into a
     * subgraph output, refused below. */
    data->runtime = output->runtime_shape;
    if (data->runtime)
        return prepare_runtime(ctx, node);
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
    ember_strided_copy_plan(&data->copy, input->rank, dims, strides, start, ember_type_size(input->type));
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    slice_data *data = (slice_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    if (data->runtime) {
        const ember_tensor *begin = ember_node_input(ctx, node, 1), *size = ember_node_input(ctx, node, 2);
        int64_t strides[EMBER_MAX_DIMS], start = 0;
        int32_t d, dims[EMBER_MAX_DIMS];
        ember_strides(input->dims, input->rank, strides);
        for (d = 0; d < input->rank; ++d) {
            const int64_t first = int_at(begin, d), dim = input->dims[d];
            int64_t count = int_at(size, d);
            if (count == -1)
                count = dim - first;
            EMBER_CHECK(
                ctx, first >= 0 && first <= dim && count >= 0 && count <= dim - first, EMBER_RUNTIME_ERROR,
                "SLICE %ld (subgraph %ld): axis %ld of input '%.64s' has %lld entries, the begin %lld "
                "and size %lld computed at run time leave it",
                (long)node->index, (long)node->subgraph, (long)d, input->name, (long long)dim,
                (long long)int_at(begin, d), (long long)int_at(size, d));
            dims[d] = (int32_t)count;
            start += first * strides[d];
        }
        for (d = 0; d < input->rank; ++d)
            output->dims[d] = dims[d];
        output->bytes = (size_t)ember_dims_product(dims, 0, input->rank) * ember_type_size(input->type);
        ember_strided_copy_plan(&data->copy, input->rank, dims, strides, start, ember_type_size(input->type));
    }
    ember_strided_copy_run(&data->copy, input->data, output->data);
    return EMBER_OK;
}

const ember_kernel ember_kernel_slice = {
    TFL_OP_SLICE,
    "SLICE",
    8,
    TFL_OPTIONS_SLICE,
    sizeof(slice_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
