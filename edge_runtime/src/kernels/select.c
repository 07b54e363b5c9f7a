/* SELECT and SELECT_V2: output = condition ? x : y element by element, as TFLite's reference (select.cc): a
 * bitwise copy of the chosen element, so any type (int8 and uint8 codes included, whatever their
 * quantisation, as LiteRT copies them). SELECT takes a condition of x's shape, a scalar, or a vector over x's
 * first axis; SELECT_V2 broadcasts condition, x and y numpy-style. Each operand steps through the output's
 * axes with its own strides, 0 along the axes it is broadcast over. */
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

typedef struct select_data {
    int32_t rank;
    int32_t dims[EMBER_MAX_DIMS];
    int64_t strides[3][EMBER_MAX_DIMS]; /* condition, x, y along the output's axes */
    size_t elem_size;
    int32_t count; /* output elements */
} select_data;

/* Strides of operand t along the output's axes: its own where its dim matches, 0 where it is 1 (or
 * missing, ranks aligned on the last axis). 0 when t's dims do not broadcast to dims. */
static int operand_strides(const ember_tensor *t, int32_t rank, const int32_t *dims, int64_t *strides) {
    int64_t own[EMBER_MAX_DIMS];
    int32_t d;
    if (t->rank > rank)
        return 0;
    ember_strides(t->dims, t->rank, own);
    for (d = 0; d < rank; ++d) {
        const int32_t td = d - (rank - t->rank);
        const int32_t n = td >= 0 ? t->dims[td] : 1;
        if (n != dims[d] && n != 1)
            return 0;
        strides[d] = n == 1 ? 0 : own[td];
    }
    return 1;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    select_data *data = (select_data *)node->op_data;
    const ember_tensor *cond = ember_node_input(ctx, node, 0);
    const ember_tensor *x = ember_node_input(ctx, node, 1);
    const ember_tensor *y = ember_node_input(ctx, node, 2);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const char *name = node->kernel->name;
    const int v2 = node->kernel->builtin_code == TFL_OP_SELECT_V2;
    long n = (long)node->index;
    int32_t d, ok = 1;
    char a[96], b[96], c[96], o[96];

    EMBER_CHECK(ctx, node->input_count == 3 && node->output_count == 1 && cond && x && y, EMBER_INVALID_MODEL,
                "%s %ld: needs condition, x, y and 1 output", name, n);
    EMBER_CHECK(ctx, cond->type == EMBER_BOOL, EMBER_INVALID_MODEL,
                "%s %ld: condition '%.64s' is %s; it must be bool", name, n, cond->name,
                ember_type_name(cond->type));
    EMBER_CHECK(ctx, x->type == y->type && x->type == output->type && ember_type_size(x->type) > 0,
                EMBER_INVALID_MODEL, "%s %ld: x (%s), y (%s) and output (%s) must have one supported type",
                name, n, ember_type_name(x->type), ember_type_name(y->type), ember_type_name(output->type));
    data->rank = output->rank;
    memcpy(data->dims, output->dims, sizeof data->dims);
    data->elem_size = ember_type_size(output->type);
    data->count = ember_element_count(output);
    if (ember_element_count(cond) == 1 && ember_element_count(x) == 1 && ember_element_count(y) == 1 &&
        data->count == 1) {
        /* LiteRT keeps the output's own shape when every operand holds one element. */
        data->rank = 0;
        return EMBER_OK;
    }
    if (!v2 && !(ember_same_shape(cond, x) && ember_same_shape(x, y))) {
        /* SELECT: x and y alike, the condition a scalar or a vector along x's first axis. */
        ok = ember_same_shape(x, y) && ember_same_shape(x, output) &&
             (cond->rank == 0 || (cond->rank == 1 && x->rank >= 1 && cond->dims[0] == x->dims[0]));
        if (ok) {
            ember_strides(x->dims, x->rank, data->strides[1]);
            memcpy(data->strides[2], data->strides[1], sizeof data->strides[1]);
            for (d = 0; d < x->rank; ++d)
                data->strides[0][d] = 0;
            if (cond->rank == 1 && x->rank >= 1 && x->dims[0] != 1)
                data->strides[0][0] = 1;
        }
    } else {
        int32_t rank = cond->rank > x->rank ? cond->rank : x->rank;
        rank = y->rank > rank ? y->rank : rank;
        ok = output->rank == rank && operand_strides(cond, rank, output->dims, data->strides[0]) &&
             operand_strides(x, rank, output->dims, data->strides[1]) &&
             operand_strides(y, rank, output->dims, data->strides[2]);
        /* The output must be the broadcast itself, not larger: some operand spans each axis. */
        for (d = 0; ok && d < rank; ++d)
            ok = output->dims[d] == 1 || data->strides[0][d] || data->strides[1][d] || data->strides[2][d] ||
                 output->dims[d] == 0;
    }
    EMBER_CHECK(ctx, ok, EMBER_INVALID_MODEL,
                "%s %ld: condition %s, x %s and y %s do not %s to output '%.48s' %s", name, n,
                ember_shape_string(cond, a, sizeof a), ember_shape_string(x, b, sizeof b),
                ember_shape_string(y, c, sizeof c),
                v2 ? "broadcast" : "select (a condition of x's shape, a scalar or x's first axis)",
                output->name, ember_shape_string(output, o, sizeof o));
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const select_data *data = (const select_data *)node->op_data;
    const uint8_t *cond = (const uint8_t *)ember_node_input(ctx, node, 0)->data;
    const uint8_t *x = (const uint8_t *)ember_node_input(ctx, node, 1)->data;
    const uint8_t *y = (const uint8_t *)ember_node_input(ctx, node, 2)->data;
    uint8_t *out = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    const size_t size = data->elem_size;
    int32_t index[EMBER_MAX_DIMS] = {0};
    int64_t off[3] = {0, 0, 0};
    int32_t i, d, k;
    if (data->count == 0)
        return EMBER_OK;
    for (i = 0; i < data->count; ++i) {
        memcpy(out + (size_t)i * size, cond[off[0]] ? x + (size_t)off[1] * size : y + (size_t)off[2] * size,
               size);
        /* Odometer over the output's axes, every operand's offset along. */
        for (d = data->rank - 1; d >= 0; --d) {
            for (k = 0; k < 3; ++k)
                off[k] += data->strides[k][d];
            if (++index[d] < data->dims[d])
                break;
            for (k = 0; k < 3; ++k)
                off[k] -= data->strides[k][d] * data->dims[d];
            index[d] = 0;
        }
    }
    return EMBER_OK;
}

#define SELECT_TYPES                                                                                         \
    (EMBER_T_F32 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_BOOL)

/* Versions as LiteRT registers them. */
const ember_kernel ember_kernel_select = {
    TFL_OP_SELECT, "SELECT", 4,    TFL_OPTIONS_SELECT, sizeof(select_data), prepare,
    eval,          NULL,     NULL, SELECT_TYPES,
};
const ember_kernel ember_kernel_select_v2 = {
    TFL_OP_SELECT_V2, "SELECT_V2", 2, TFL_OPTIONS_SELECT_V2, sizeof(select_data), prepare, eval, NULL, NULL,
    SELECT_TYPES,
};
