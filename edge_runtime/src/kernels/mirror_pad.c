/* MIRROR_PAD: pads each axis with its own mirror image, REFLECT (the edge element not repeated: pads up to
 * size - 1) or SYMMETRIC (repeated: up to size), paddings a constant [rank, 2] int32/int64 tensor. Output
 * index i of an axis reads input index TFLite's GetInputDimension gives. A copy: quantised types keep their
 * parameters. */
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct mirror_pad_data {
    int32_t rank;
    int32_t offset; /* REFLECT 1, SYMMETRIC 0 */
    int32_t in_dims[EMBER_MAX_DIMS], out_dims[EMBER_MAX_DIMS], before[EMBER_MAX_DIMS];
    int64_t in_strides[EMBER_MAX_DIMS];
    size_t elem;
} mirror_pad_data;

/* Input index of output index i along an axis (TFLite's GetInputDimension). */
static int32_t source(int32_t i, int32_t before, int32_t size, int32_t offset) {
    if (i < before)
        return before + offset - 1 - i;
    i -= before;
    if (i >= size)
        return size - (1 + offset) - (i - size);
    return i;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    mirror_pad_data *data = (mirror_pad_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *paddings = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    long n = (long)node->index;
    int8_t mode;
    int32_t d;
    int ok;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "MIRROR_PAD %ld: needs 2 inputs and 1 output, has %ld and %ld", n, (long)node->input_count,
                (long)node->output_count);
    EMBER_CHECK(ctx, input->type == output->type, EMBER_INVALID_MODEL,
                "MIRROR_PAD %ld: types input %s, output %s must match", n, ember_type_name(input->type),
                ember_type_name(output->type));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_MIRROR_PAD_MODE, TFL_MIRROR_PAD_REFLECT, &mode));
    EMBER_CHECK(ctx, mode == TFL_MIRROR_PAD_REFLECT || mode == TFL_MIRROR_PAD_SYMMETRIC, EMBER_INVALID_MODEL,
                "MIRROR_PAD %ld: mode %d is neither REFLECT (0) nor SYMMETRIC (1)", n, (int)mode);
    data->offset = mode == TFL_MIRROR_PAD_REFLECT ? 1 : 0;
    EMBER_TRY(ember_check_const_int(ctx, node, paddings, "paddings", input->rank * 2, 1));
    ok = output->rank == input->rank;
    for (d = 0; d < input->rank && ok; ++d) {
        const int64_t before = ember_const_int(paddings, 2 * d), after = ember_const_int(paddings, 2 * d + 1);
        const int64_t most = (int64_t)input->dims[d] - data->offset;
        ok = before >= 0 && after >= 0 && before <= most && after <= most &&
             output->dims[d] == input->dims[d] + before + after;
        data->before[d] = (int32_t)before;
    }
    EMBER_CHECK(
        ctx, ok, EMBER_INVALID_MODEL,
        "MIRROR_PAD %ld: input '%.64s' %s padded by '%.64s' does not give output '%.64s' %s (paddings "
        "must be >= 0 and at most the axis size%s)",
        n, input->name, ember_shape_string(input, a, sizeof a), paddings->name, output->name,
        ember_shape_string(output, b, sizeof b), data->offset ? " - 1 with REFLECT" : "");
    if (input->type == EMBER_INT8 || input->type == EMBER_UINT8)
        EMBER_TRY(ember_check_same_quant_i8(ctx, node, input, output, NULL, NULL));
    data->rank = input->rank;
    data->elem = ember_type_size(input->type);
    ember_strides(input->dims, input->rank, data->in_strides);
    for (d = 0; d < input->rank; ++d) {
        data->in_dims[d] = input->dims[d];
        data->out_dims[d] = output->dims[d];
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const mirror_pad_data *p = (const mirror_pad_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    const uint8_t *in = (const uint8_t *)input->data;
    uint8_t *out = (uint8_t *)output->data;
    int32_t index[EMBER_MAX_DIMS] = {0}, d, x;
    const int32_t last = p->rank - 1;
    if (output->bytes == 0)
        return EMBER_OK;
    if (p->rank == 0) {
        memcpy(out, in, p->elem);
        return EMBER_OK;
    }
    /* Odometer over the output's outer axes; each innermost row mapped element by element. */
    for (;;) {
        size_t base = 0;
        for (d = 0; d < last; ++d)
            base +=
                (size_t)source(index[d], p->before[d], p->in_dims[d], p->offset) * (size_t)p->in_strides[d];
        for (x = 0; x < p->out_dims[last]; ++x) {
            const size_t at = base + (size_t)source(x, p->before[last], p->in_dims[last], p->offset);
            memcpy(out, in + at * p->elem, p->elem);
            out += p->elem;
        }
        for (d = last - 1; d >= 0; --d) {
            if (++index[d] < p->out_dims[d])
                break;
            index[d] = 0;
        }
        if (d < 0)
            return EMBER_OK;
    }
}

const ember_kernel ember_kernel_mirror_pad = {
    TFL_OP_MIRROR_PAD,
    "MIRROR_PAD",
    3,
    TFL_OPTIONS_MIRROR_PAD,
    sizeof(mirror_pad_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I32 | EMBER_T_I64,
};
