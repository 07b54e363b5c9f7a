/* GATHER_ND: output[i, ...] = params[indices[i, 0], ..., indices[i, k - 1], ...] for the last indices axis of
 * size k <= rank(params); output shape indices.shape[:-1] + params.shape[k:]; indices int32 or int64,
 * constant or computed. An index outside its axis is data, not model, so eval reports it as
 * EMBER_RUNTIME_ERROR naming it (LiteRT only checks that the slice lies inside params as a whole). */
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

typedef struct gather_nd_data {
    int32_t nd;                      /* entries of one index (the indices' last dim) */
    int32_t slices;                  /* indices.shape[:-1] elements; 0 when the output is empty */
    int32_t dims[EMBER_MAX_DIMS];    /* params dims indexed */
    int64_t strides[EMBER_MAX_DIMS]; /* params element strides of those axes */
    size_t slice_bytes;
} gather_nd_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    gather_nd_data *data = (gather_nd_data *)node->op_data;
    const ember_tensor *params = ember_node_input(ctx, node, 0);
    const ember_tensor *indices = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, d, o = 0, nd;
    int64_t strides[EMBER_MAX_DIMS];
    int ok;
    char a[96], b[96], c[96];

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && params && indices,
                EMBER_INVALID_MODEL,
                "GATHER_ND %ld: needs 2 inputs (params, indices) and 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, indices->type == EMBER_INT32 || indices->type == EMBER_INT64, EMBER_UNSUPPORTED,
                "GATHER_ND %ld: indices '%.64s' are %s; int32 and int64 are supported", (long)n,
                indices->name, ember_type_name(indices->type));
    EMBER_CHECK(ctx, params->type == output->type, EMBER_INVALID_MODEL,
                "GATHER_ND %ld: params are %s, output %s", (long)n, ember_type_name(params->type),
                ember_type_name(output->type));
    nd = indices->rank >= 1 ? indices->dims[indices->rank - 1] : -1;
    ok = params->rank >= 1 && nd >= 0 && nd <= params->rank &&
         output->rank == indices->rank - 1 + params->rank - nd;
    for (d = 0; ok && d < indices->rank - 1; ++d)
        ok = output->dims[o++] == indices->dims[d];
    for (d = nd; ok && d < params->rank; ++d)
        ok = output->dims[o++] == params->dims[d];
    EMBER_CHECK(ctx, ok, EMBER_INVALID_MODEL,
                "GATHER_ND %ld: params '%.48s' %s and indices '%.48s' %s do not give output '%.48s' %s",
                (long)n, params->name, ember_shape_string(params, a, sizeof a), indices->name,
                ember_shape_string(indices, b, sizeof b), output->name,
                ember_shape_string(output, c, sizeof c));
    ember_strides(params->dims, params->rank, strides);
    data->nd = nd;
    for (d = 0; d < nd; ++d) {
        data->dims[d] = params->dims[d];
        data->strides[d] = strides[d];
    }
    /* With no output elements there is nothing to copy, and an empty params' partial products may pass int32
     * (EMBER_MAX_TENSOR_SPAN). */
    ok = ember_element_count(output) != 0;
    data->slices = ok ? (int32_t)ember_dims_product(indices->dims, 0, indices->rank - 1) : 0;
    data->slice_bytes =
        ok ? (size_t)ember_dims_product(params->dims, nd, params->rank) * ember_type_size(params->type) : 0;
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const gather_nd_data *p = (const gather_nd_data *)node->op_data;
    const ember_tensor *params = ember_node_input(ctx, node, 0);
    const ember_tensor *indices = ember_node_input(ctx, node, 1);
    const uint8_t *in = (const uint8_t *)params->data;
    uint8_t *out = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    const size_t elem = ember_type_size(params->type);
    int32_t i, k;
    for (i = 0; i < p->slices; ++i) {
        int64_t from = 0;
        for (k = 0; k < p->nd; ++k) {
            const int64_t index = ember_const_int(indices, i * p->nd + k);
            EMBER_CHECK(
                ctx, index >= 0 && index < p->dims[k], EMBER_RUNTIME_ERROR,
                "GATHER_ND %ld: index %ld of indices '%.64s' has %lld on axis %ld, outside [0, %ld) of "
                "params '%.64s'",
                (long)node->index, (long)i, indices->name, (long long)index, (long)k, (long)p->dims[k],
                params->name);
            from += index * p->strides[k];
        }
        memcpy(out + (size_t)i * p->slice_bytes, in + (size_t)from * elem, p->slice_bytes);
    }
    return EMBER_OK;
}

const ember_kernel ember_kernel_gather_nd = {
    TFL_OP_GATHER_ND,
    "GATHER_ND",
    6,
    TFL_OPTIONS_GATHER_ND,
    sizeof(gather_nd_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
