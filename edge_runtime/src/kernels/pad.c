/* PAD: constant padding with zero (float32) or the output zero point (int8, which keeps its input's scale and
 * zero point), paddings a constant [rank, 2] int32/int64 tensor of (before, after) counts. */
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct pad_data {
    int32_t rank;
    int32_t in_dims[EMBER_MAX_DIMS];
    size_t out_strides[EMBER_MAX_DIMS]; /* bytes */
    size_t first_offset;                /* bytes from the output start to input element 0 */
    size_t elem;
    uint8_t fill; /* byte value of the pad: 0, or the int8 zero point */
} pad_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    pad_data *data = (pad_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *paddings = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, d;
    int64_t strides[EMBER_MAX_DIMS];
    int ok;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "PAD %ld: needs 2 inputs and 1 output, has %ld and %ld", (long)n, (long)node->input_count,
                (long)node->output_count);
    EMBER_CHECK(ctx, input->type == output->type && input->type != EMBER_INT64, EMBER_UNSUPPORTED,
                "PAD %ld: types input %s, output %s (float32, int8 and int32 are supported)", (long)n,
                ember_type_name(input->type), ember_type_name(output->type));
    EMBER_TRY(ember_check_const_int(ctx, node, paddings, "paddings", input->rank * 2, 1));
    ok = output->rank == input->rank;
    for (d = 0; d < input->rank && ok; ++d) {
        const int64_t before = ember_const_int(paddings, 2 * d), after = ember_const_int(paddings, 2 * d + 1);
        ok = before >= 0 && after >= 0 && before <= INT32_MAX && after <= INT32_MAX &&
             output->dims[d] == input->dims[d] + before + after;
    }
    EMBER_CHECK(
        ctx, ok, EMBER_INVALID_MODEL,
        "PAD %ld: input '%.64s' %s padded by '%.64s' does not give output '%.64s' %s (paddings must be >= 0)",
        (long)n, input->name, ember_shape_string(input, a, sizeof a), paddings->name, output->name,
        ember_shape_string(output, b, sizeof b));
    data->fill = 0;
    if (input->type == EMBER_INT8) {
        int32_t zp;
        EMBER_TRY(ember_check_same_quant_i8(ctx, node, input, output, NULL, &zp));
        data->fill = (uint8_t)(zp & 0xff);
    }
    data->rank = input->rank;
    data->elem = ember_type_size(input->type);
    ember_strides(output->dims, output->rank, strides);
    data->first_offset = 0;
    for (d = 0; d < input->rank; ++d) {
        data->in_dims[d] = input->dims[d];
        data->out_strides[d] = (size_t)strides[d] * data->elem;
        data->first_offset += (size_t)ember_const_int(paddings, 2 * d) * data->out_strides[d];
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const pad_data *data = (const pad_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    const uint8_t *in = (const uint8_t *)input->data;
    uint8_t *out = (uint8_t *)output->data;
    int32_t index[EMBER_MAX_DIMS] = {0}, d;
    const int32_t last = data->rank - 1;
    size_t offset = data->first_offset, row;

    if (output->bytes)
        memset(out, data->fill, output->bytes);
    if (input->bytes == 0)
        return EMBER_OK;
    if (data->rank == 0) {
        memcpy(out, in, data->elem);
        return EMBER_OK;
    }
    row = (size_t)data->in_dims[last] * data->elem;
    /* Copy each innermost input row to its place in the output (odometer over the outer axes). */
    for (;;) {
        memcpy(out + offset, in, row);
        in += row;
        for (d = last - 1; d >= 0; --d) {
            offset += data->out_strides[d];
            if (++index[d] < data->in_dims[d])
                break;
            offset -= data->out_strides[d] * (size_t)data->in_dims[d];
            index[d] = 0;
        }
        if (d < 0)
            return EMBER_OK;
    }
}

EMBER_U8_VIA_I8(pad, prepare, eval, NULL)

const ember_kernel ember_kernel_pad = {
    TFL_OP_PAD,     "PAD",       4,    TFL_OPTIONS_PAD, sizeof(pad_data),
    pad_prepare_u8, pad_eval_u8, NULL, pad_scratch_u8,  EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I32,
};
