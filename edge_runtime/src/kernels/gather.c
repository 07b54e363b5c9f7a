/* GATHER along one axis (batch_dims 0): output = params[..., indices, ...], indices int32 or int64. An index
 * outside [0, axis size) is data, not model, so eval reports it as EMBER_RUNTIME_ERROR naming the position.
 */
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "tflite_schema.h"

typedef struct gather_data {
    int32_t outer, axis_size, index_count;
    size_t inner_bytes;
} gather_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    gather_data *data = (gather_data *)node->op_data;
    const ember_tensor *params = ember_node_input(ctx, node, 0);
    const ember_tensor *indices = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, axis, batch_dims, d, o = 0;
    int empty;
    int ok;
    char a[96], b[96], c[96];

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && params && indices,
                EMBER_INVALID_MODEL, "GATHER %ld: needs 2 inputs and 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_TRY(ember_option_i32(ctx, node, TFL_GATHER_AXIS, 0, &axis));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_GATHER_BATCH_DIMS, 0, &batch_dims));
    EMBER_CHECK(ctx, batch_dims == 0, EMBER_UNSUPPORTED, "GATHER %ld: batch_dims %ld is not supported (0 is)",
                (long)n, (long)batch_dims);
    EMBER_CHECK(ctx, indices->type == EMBER_INT32 || indices->type == EMBER_INT64, EMBER_INVALID_MODEL,
                "GATHER %ld: indices '%.64s' are %s, expected int32 or int64", (long)n, indices->name,
                ember_type_name(indices->type));
    EMBER_CHECK(ctx, params->type == output->type, EMBER_INVALID_MODEL,
                "GATHER %ld: params %s, output %s (they must be the same type)", (long)n,
                ember_type_name(params->type), ember_type_name(output->type));
    axis = axis < 0 ? axis + params->rank : axis;
    ok = axis >= 0 && axis < params->rank && output->rank == params->rank - 1 + indices->rank;
    for (d = 0; ok && d < params->rank; ++d) {
        if (d == axis) {
            int32_t k;
            for (k = 0; ok && k < indices->rank; ++k)
                ok = output->dims[o++] == indices->dims[k];
        } else {
            ok = output->dims[o++] == params->dims[d];
        }
    }
    EMBER_CHECK(ctx, ok, EMBER_INVALID_MODEL,
                "GATHER %ld: params '%.48s' %s, indices '%.48s' %s on axis %ld do not give output '%.48s' %s",
                (long)n, params->name, ember_shape_string(params, a, sizeof a), indices->name,
                ember_shape_string(indices, b, sizeof b), (long)axis, output->name,
                ember_shape_string(output, c, sizeof c));
    /* With no output elements there is nothing to copy, and an empty params' partial products may pass int32
     * (EMBER_MAX_TENSOR_SPAN). Indices are still checked in eval, as LiteRT does. */
    empty = ember_element_count(output) == 0;
    data->outer = empty ? 0 : (int32_t)ember_dims_product(params->dims, 0, axis);
    data->axis_size = params->dims[axis];
    data->index_count = ember_element_count(indices);
    data->inner_bytes = empty ? 0
                              : (size_t)ember_dims_product(params->dims, axis + 1, params->rank) *
                                    ember_type_size(params->type);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const gather_data *p = (const gather_data *)node->op_data;
    const ember_tensor *params = ember_node_input(ctx, node, 0);
    const ember_tensor *indices = ember_node_input(ctx, node, 1);
    const uint8_t *in = (const uint8_t *)params->data;
    uint8_t *out = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    int32_t o, j;
    for (j = 0; j < p->index_count; ++j) {
        const int64_t index = ember_const_int(indices, j);
        EMBER_CHECK(ctx, index >= 0 && index < p->axis_size, EMBER_RUNTIME_ERROR,
                    "GATHER %ld: indices '%.64s' element %ld is %lld, outside [0, %ld) of params '%.64s'",
                    (long)node->index, indices->name, (long)j, (long long)index, (long)p->axis_size,
                    params->name);
    }
    if (p->inner_bytes == 0)
        return EMBER_OK;
    for (o = 0; o < p->outer; ++o) {
        for (j = 0; j < p->index_count; ++j) {
            const size_t row = (size_t)o * (size_t)p->axis_size + (size_t)ember_const_int(indices, j);
            memcpy(out, in + row * p->inner_bytes, p->inner_bytes);
            out += p->inner_bytes;
        }
    }
    return EMBER_OK;
}

EMBER_U8_AS_BYTES(gather, prepare, eval)

const ember_kernel ember_kernel_gather = {
    TFL_OP_GATHER,
    "GATHER",
    7,
    TFL_OPTIONS_GATHER,
    sizeof(gather_data),
    gather_prepare_u8,
    gather_eval_u8,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
