/* SPACE_TO_BATCH_ND on NHWC (or NWC, as H = 1) with constant block_shape and paddings: output batch
 * (sh * bw + sw) * B + b holds the padded image's pixels (y * bh + sh, x * bw + sw). Pads are zero (float) or
 * the output zero point (int8), as TFLite's reference writes them. */
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/shapes.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct space_to_batch_data {
    int32_t in_b, in_h, in_w, out_b, out_h, out_w;
    int32_t block_h, block_w, pad_top, pad_left;
    size_t pixel_bytes;
    uint8_t fill;
} space_to_batch_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    space_to_batch_data *p = (space_to_batch_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *block = ember_node_input(ctx, node, 1);
    const ember_tensor *paddings = ember_node_input(ctx, node, 2);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, spatial, i;
    int64_t pad_bottom = 0, pad_right = 0;
    int ok;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 3 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "SPACE_TO_BATCH_ND %ld: needs 3 inputs and 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx,
                (input->rank == 4 || input->rank == 3) && output->rank == input->rank &&
                    input->type == output->type,
                EMBER_UNSUPPORTED,
                "SPACE_TO_BATCH_ND %ld: input '%.64s' %s %s must be a 3-D or 4-D tensor like the output",
                (long)n, input->name, ember_type_name(input->type), ember_shape_string(input, a, sizeof a));
    spatial = input->rank - 2;
    EMBER_TRY(ember_check_const_int(ctx, node, block, "block_shape", spatial, 1));
    EMBER_TRY(ember_check_const_int(ctx, node, paddings, "paddings", spatial * 2, 1));
    for (i = 0; i < spatial * 2; ++i) {
        const int64_t v = ember_const_int(paddings, i), k = ember_const_int(block, i / 2);
        EMBER_CHECK(ctx, v >= 0 && v <= 65536 && k >= 1 && k <= 65536, EMBER_INVALID_MODEL,
                    "SPACE_TO_BATCH_ND %ld: block_shape must lie in [1, 65536] and paddings in [0, 65536]",
                    (long)n);
    }
    p->in_b = input->dims[0];
    p->in_h = spatial == 2 ? input->dims[1] : 1;
    p->in_w = input->dims[spatial];
    p->block_h = spatial == 2 ? (int32_t)ember_const_int(block, 0) : 1;
    p->block_w = (int32_t)ember_const_int(block, spatial - 1);
    p->pad_top = spatial == 2 ? (int32_t)ember_const_int(paddings, 0) : 0;
    pad_bottom = spatial == 2 ? ember_const_int(paddings, 1) : 0;
    p->pad_left = (int32_t)ember_const_int(paddings, 2 * (spatial - 1));
    pad_right = ember_const_int(paddings, 2 * (spatial - 1) + 1);
    p->out_b = output->dims[0];
    p->out_h = spatial == 2 ? output->dims[1] : 1;
    p->out_w = output->dims[spatial];
    ok = p->block_h >= 1 && p->block_w >= 1 && p->pad_top >= 0 && p->pad_left >= 0 && pad_bottom >= 0 &&
         pad_right >= 0 && ((int64_t)p->in_h + p->pad_top + pad_bottom) % p->block_h == 0 &&
         ((int64_t)p->in_w + p->pad_left + pad_right) % p->block_w == 0 &&
         p->out_b == (int64_t)p->in_b * p->block_h * p->block_w &&
         p->out_h == ((int64_t)p->in_h + p->pad_top + pad_bottom) / p->block_h &&
         p->out_w == ((int64_t)p->in_w + p->pad_left + pad_right) / p->block_w &&
         output->dims[input->rank - 1] == input->dims[input->rank - 1];
    EMBER_CHECK(
        ctx, ok, EMBER_INVALID_MODEL,
        "SPACE_TO_BATCH_ND %ld: input '%.64s' %s with block_shape '%.48s' and paddings '%.48s' does not give "
        "output '%.64s' %s",
        (long)n, input->name, ember_shape_string(input, a, sizeof a), block->name, paddings->name,
        output->name, ember_shape_string(output, b, sizeof b));
    p->fill = 0;
    if (input->type == EMBER_INT8) {
        float s;
        int32_t z;
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s, &z));
        p->fill = (uint8_t)(z & 0xff);
    }
    p->pixel_bytes = (size_t)input->dims[input->rank - 1] * ember_type_size(input->type);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const space_to_batch_data *p = (const space_to_batch_data *)node->op_data;
    const uint8_t *in = (const uint8_t *)ember_node_input(ctx, node, 0)->data;
    uint8_t *out = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    int32_t b, y, x;
    if (p->pixel_bytes == 0)
        return EMBER_OK;
    for (b = 0; b < p->out_b; ++b) {
        const int32_t in_batch = b % p->in_b;
        const int32_t shift_w = (b / p->in_b) % p->block_w, shift_h = (b / p->in_b) / p->block_w;
        for (y = 0; y < p->out_h; ++y) {
            const int32_t in_y = y * p->block_h + shift_h - p->pad_top;
            for (x = 0; x < p->out_w; ++x) {
                const int32_t in_x = x * p->block_w + shift_w - p->pad_left;
                if (in_y < 0 || in_y >= p->in_h || in_x < 0 || in_x >= p->in_w) {
                    memset(out, p->fill, p->pixel_bytes);
                } else {
                    const size_t src =
                        ((size_t)in_batch * (size_t)p->in_h + (size_t)in_y) * (size_t)p->in_w + (size_t)in_x;
                    memcpy(out, in + src * p->pixel_bytes, p->pixel_bytes);
                }
                out += p->pixel_bytes;
            }
        }
    }
    return EMBER_OK;
}

const ember_kernel ember_kernel_space_to_batch_nd = {
    TFL_OP_SPACE_TO_BATCH_ND,
    "SPACE_TO_BATCH_ND",
    4,
    TFL_OPTIONS_SPACE_TO_BATCH_ND,
    sizeof(space_to_batch_data),
    prepare,
    eval,
};
