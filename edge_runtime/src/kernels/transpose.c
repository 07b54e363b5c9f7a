/* TRANSPOSE: output axis d is input axis perm[d] (perm a constant int32/int64 permutation). Prepare drops
 * unit axes and merges output axes that stay adjacent in the input, so eval walks the fewest axes: the last
 * one as a contiguous run (memcpy) or a strided gather with a copy per element size. */
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "tflite_schema.h"

typedef struct transpose_data {
    int32_t rank;
    int32_t out_dims[EMBER_MAX_DIMS];
    int64_t in_strides[EMBER_MAX_DIMS]; /* element stride in the input of each output axis */
    int32_t count;
    size_t elem;
} transpose_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    transpose_data *data = (transpose_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *perm = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, d;
    int64_t strides[EMBER_MAX_DIMS];
    uint8_t seen[EMBER_MAX_DIMS] = {0};
    int ok;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "TRANSPOSE %ld: needs 2 inputs and 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, input->type == output->type, EMBER_INVALID_MODEL,
                "TRANSPOSE %ld: input is %s, output %s", (long)n, ember_type_name(input->type),
                ember_type_name(output->type));
    EMBER_TRY(ember_check_const_int(ctx, node, perm, "perm", input->rank, 1));
    ember_strides(input->dims, input->rank, strides);
    ok = output->rank == input->rank;
    for (d = 0; d < input->rank && ok; ++d) {
        const int64_t p = ember_const_int(perm, d);
        ok = p >= 0 && p < input->rank && !seen[p] && output->dims[d] == input->dims[p];
        if (ok) {
            seen[p] = 1;
            data->out_dims[d] = output->dims[d];
            data->in_strides[d] = strides[p];
        }
    }
    EMBER_CHECK(
        ctx, ok, EMBER_INVALID_MODEL,
        "TRANSPOSE %ld: perm '%.64s' is not a permutation taking input '%.64s' %s to output '%.64s' %s",
        (long)n, perm->name, input->name, ember_shape_string(input, a, sizeof a), output->name,
        ember_shape_string(output, b, sizeof b));
    data->rank = 0;
    for (d = 0; d < input->rank; ++d) {
        if (data->out_dims[d] == 1)
            continue;
        if (data->rank > 0 && data->in_strides[data->rank - 1] == data->in_strides[d] * data->out_dims[d]) {
            data->out_dims[data->rank - 1] *= data->out_dims[d];
            data->in_strides[data->rank - 1] = data->in_strides[d];
        } else {
            data->out_dims[data->rank] = data->out_dims[d];
            data->in_strides[data->rank] = data->in_strides[d];
            ++data->rank;
        }
    }
    if (data->rank == 0)
        data->out_dims[0] = 1, data->in_strides[0] = 1, data->rank = 1;
    data->count = ember_element_count(input);
    data->elem = ember_type_size(input->type);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const transpose_data *p = (const transpose_data *)node->op_data;
    const uint8_t *in = (const uint8_t *)ember_node_input(ctx, node, 0)->data;
    uint8_t *out = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    const int32_t last = p->rank - 1, run = p->out_dims[last];
    const size_t step = (size_t)p->in_strides[last], elem = p->elem;
    int32_t index[EMBER_MAX_DIMS] = {0}, i, j, d;
    size_t src = 0;
    if (p->count == 0)
        return EMBER_OK;
    for (i = 0; i < p->count; i += run) {
        const uint8_t *from = in + src * elem;
        uint8_t *to = out + (size_t)i * elem;
        if (step == 1) {
            memcpy(to, from, (size_t)run * elem);
        } else if (elem == 1) {
            for (j = 0; j < run; ++j)
                to[j] = from[(size_t)j * step];
        } else if (elem == 4) {
            for (j = 0; j < run; ++j)
                memcpy(to + 4 * (size_t)j, from + 4 * (size_t)j * step, 4);
        } else {
            for (j = 0; j < run; ++j)
                memcpy(to + (size_t)j * elem, from + (size_t)j * step * elem, elem);
        }
        /* Odometer over the outer output axes, tracking the input element. */
        for (d = last - 1; d >= 0; --d) {
            src += (size_t)p->in_strides[d];
            if (++index[d] < p->out_dims[d])
                break;
            src -= (size_t)p->in_strides[d] * (size_t)p->out_dims[d];
            index[d] = 0;
        }
    }
    return EMBER_OK;
}

EMBER_U8_AS_BYTES(transpose, prepare, eval)

const ember_kernel ember_kernel_transpose = {
    TFL_OP_TRANSPOSE,
    "TRANSPOSE",
    6,
    TFL_OPTIONS_TRANSPOSE,
    sizeof(transpose_data),
    transpose_prepare_u8,
    transpose_eval_u8,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
