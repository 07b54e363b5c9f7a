/* PACK: stacks N equally shaped inputs along a new axis. int8 inputs must share the output's parameters (as
 * LiteRT requires), so packing is a copy. */
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct pack_data {
    int32_t outer;    /* product of the input dims before the axis */
    size_t row_bytes; /* bytes of the input dims from the axis on */
} pack_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    pack_data *data = (pack_data *)node->op_data;
    const ember_tensor *first = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, axis, count, d, i;
    int empty;
    float s_out = 0.0f;
    int32_t z_out = 0;
    int ok;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count >= 1 && node->output_count == 1 && first, EMBER_INVALID_MODEL,
                "PACK %ld: needs at least 1 input and 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_TRY(ember_option_i32(ctx, node, TFL_PACK_VALUES_COUNT, node->input_count, &count));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_PACK_AXIS, 0, &axis));
    EMBER_CHECK(ctx, count == node->input_count, EMBER_INVALID_MODEL,
                "PACK %ld: values_count is %ld but the op has %ld inputs", (long)n, (long)count,
                (long)node->input_count);
    axis = axis < 0 ? axis + first->rank + 1 : axis;
    ok = axis >= 0 && axis <= first->rank && output->rank == first->rank + 1 && output->type == first->type;
    for (d = 0; ok && d < output->rank; ++d)
        ok = output->dims[d] == (d < axis ? first->dims[d] : (d == axis ? count : first->dims[d - 1]));
    EMBER_CHECK(
        ctx, ok, EMBER_INVALID_MODEL,
        "PACK %ld: %ld inputs like '%.64s' %s %s stacked on axis %ld do not give output '%.64s' %s %s",
        (long)n, (long)count, first->name, ember_type_name(first->type),
        ember_shape_string(first, a, sizeof a), (long)axis, output->name, ember_type_name(output->type),
        ember_shape_string(output, b, sizeof b));
    if (output->type == EMBER_INT8)
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &z_out));
    for (i = 0; i < node->input_count; ++i) {
        const ember_tensor *t = ember_node_input(ctx, node, i);
        EMBER_CHECK(ctx, t && t->type == first->type && ember_same_shape(t, first), EMBER_INVALID_MODEL,
                    "PACK %ld: input %ld '%.64s' %s differs from input 0 '%.64s' %s", (long)n, (long)i,
                    t ? t->name : "", t ? ember_shape_string(t, a, sizeof a) : "", first->name,
                    ember_shape_string(first, b, sizeof b));
        if (output->type == EMBER_INT8) {
            float s;
            int32_t z;
            EMBER_TRY(ember_tensor_quant_i8(ctx, node, t, &s, &z));
            EMBER_CHECK(
                ctx, s == s_out && z == z_out, EMBER_INVALID_MODEL,
                "PACK %ld: int8 input %ld '%.64s' has scale %g, zero point %ld; the output has %g, %ld",
                (long)n, (long)i, t->name, (double)s, (long)z, (double)s_out, (long)z_out);
        }
    }
    /* An empty input's partial products may pass int32 (EMBER_MAX_TENSOR_SPAN); there is nothing to copy. */
    empty = ember_element_count(first) == 0;
    data->outer = empty ? 0 : (int32_t)ember_dims_product(first->dims, 0, axis);
    data->row_bytes =
        empty ? 0 : (size_t)ember_dims_product(first->dims, axis, first->rank) * ember_type_size(first->type);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const pack_data *p = (const pack_data *)node->op_data;
    uint8_t *out = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    int32_t o, i;
    if (p->row_bytes == 0)
        return EMBER_OK;
    for (o = 0; o < p->outer; ++o) {
        for (i = 0; i < node->input_count; ++i) {
            memcpy(out, (const uint8_t *)ember_node_input(ctx, node, i)->data + (size_t)o * p->row_bytes,
                   p->row_bytes);
            out += p->row_bytes;
        }
    }
    return EMBER_OK;
}

EMBER_U8_VIA_I8(pack, prepare, eval, NULL)

const ember_kernel ember_kernel_pack = {
    TFL_OP_PACK,
    "PACK",
    3,
    TFL_OPTIONS_PACK,
    sizeof(pack_data),
    pack_prepare_u8,
    pack_eval_u8,
    NULL,
    pack_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64,
};
