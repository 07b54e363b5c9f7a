/* PAD: constant padding with zero (float32, int32; int16 of 16x8 models, whose zero point is 0) or the output
 * zero point (int8), the output keeping its input's scale and zero point, paddings a constant [rank, 2]
 * int32/int64 tensor of (before, after) counts. The geometry and eval are shared with PADV2 (kernels/pad.h).
 */
#include "kernels/pad.h"

#include <string.h>

#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

ember_status ember_pad_prepare(ember_interpreter *ctx, const ember_node *node, ember_pad *p) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *paddings = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const char *op = node->kernel->name;
    long n = (long)node->index;
    int32_t d;
    int64_t strides[EMBER_MAX_DIMS];
    int ok;
    char a[96], b[96];

    EMBER_CHECK(ctx, input->type == output->type, EMBER_INVALID_MODEL,
                "%s %ld: types input %s, output %s must match", op, n, ember_type_name(input->type),
                ember_type_name(output->type));
    EMBER_TRY(ember_check_const_int(ctx, node, paddings, "paddings", input->rank * 2, 1));
    ok = output->rank == input->rank;
    for (d = 0; d < input->rank && ok; ++d) {
        const int64_t before = ember_const_int(paddings, 2 * d), after = ember_const_int(paddings, 2 * d + 1);
        ok = before >= 0 && after >= 0 && before <= INT32_MAX && after <= INT32_MAX &&
             output->dims[d] == input->dims[d] + before + after;
    }
    EMBER_CHECK(
        ctx, ok, EMBER_INVALID_MODEL,
        "%s %ld: input '%.64s' %s padded by '%.64s' does not give output '%.64s' %s (paddings must be >= 0)",
        op, n, input->name, ember_shape_string(input, a, sizeof a), paddings->name, output->name,
        ember_shape_string(output, b, sizeof b));
    memset(p->fill, 0, sizeof p->fill);
    p->rank = input->rank;
    p->elem = ember_type_size(input->type);
    ember_strides(output->dims, output->rank, strides);
    p->first_offset = 0;
    for (d = 0; d < input->rank; ++d) {
        p->in_dims[d] = input->dims[d];
        p->out_strides[d] = (size_t)strides[d] * p->elem;
        p->first_offset += (size_t)ember_const_int(paddings, 2 * d) * p->out_strides[d];
    }
    return EMBER_OK;
}

static void fill(uint8_t *out, size_t bytes, const uint8_t *value, size_t elem) {
    size_t i, at;
    for (i = 1; i < elem && value[i] == value[0]; ++i) {
    }
    if (i == elem) {
        memset(out, value[0], bytes);
        return;
    }
    for (at = 0; at < bytes; at += elem)
        memcpy(out + at, value, elem);
}

void ember_pad_run(const ember_pad *p, const void *input, size_t input_bytes, void *output,
                   size_t output_bytes, const void *value) {
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    int32_t index[EMBER_MAX_DIMS] = {0}, d;
    const int32_t last = p->rank - 1;
    size_t offset = p->first_offset, row;

    if (output_bytes)
        fill(out, output_bytes, value ? (const uint8_t *)value : p->fill, p->elem);
    if (input_bytes == 0)
        return;
    if (p->rank == 0) {
        memcpy(out, in, p->elem);
        return;
    }
    row = (size_t)p->in_dims[last] * p->elem;
    /* Copy each innermost input row to its place in the output (odometer over the outer axes). */
    for (;;) {
        memcpy(out + offset, in, row);
        in += row;
        for (d = last - 1; d >= 0; --d) {
            offset += p->out_strides[d];
            if (++index[d] < p->in_dims[d])
                break;
            offset -= p->out_strides[d] * (size_t)p->in_dims[d];
            index[d] = 0;
        }
        if (d < 0)
            return;
    }
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    ember_pad *p = (ember_pad *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "PAD %ld: needs 2 inputs and 1 output, has %ld and %ld", (long)node->index,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, input->type != EMBER_INT64, EMBER_UNSUPPORTED,
                "PAD %ld: type int64 is not supported (float32, int8 and int32 are)", (long)node->index);
    EMBER_TRY(ember_pad_prepare(ctx, node, p));
    if (input->type == EMBER_INT8) {
        int32_t zp;
        EMBER_TRY(ember_check_same_quant_i8(ctx, node, input, ember_node_output(ctx, node, 0), NULL, &zp));
        p->fill[0] = (uint8_t)(zp & 0xff);
    }
    if (input->type == EMBER_INT16)
        EMBER_TRY(ember_check_same_quant_i16(ctx, node, input, ember_node_output(ctx, node, 0)));
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    ember_pad_run((const ember_pad *)node->op_data, input->data, input->bytes, output->data, output->bytes,
                  NULL);
    return EMBER_OK;
}

EMBER_U8_VIA_I8(pad, prepare, eval, NULL)

const ember_kernel ember_kernel_pad = {
    TFL_OP_PAD,
    "PAD",
    4,
    TFL_OPTIONS_PAD,
    sizeof(ember_pad),
    pad_prepare_u8,
    pad_eval_u8,
    NULL,
    pad_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I32 | EMBER_T_I16,
};
