/* BATCH_TO_SPACE_ND on NHWC (or NWC, as H = 1) with constant block_shape and crops, the inverse of
 * SPACE_TO_BATCH_ND: input batch b lands at batch b % B_out, pixel (y * bh + s / bw - crop_top,
 * x * bw + s % bw - crop_left) with s = b / B_out; pixels cropped away are dropped. */
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/shapes.h"
#include "tflite_schema.h"

typedef struct batch_to_space_data {
    int32_t in_b, in_h, in_w, out_b, out_h, out_w;
    int32_t block_h, block_w, crop_top, crop_left;
    size_t pixel_bytes;
} batch_to_space_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    batch_to_space_data *p = (batch_to_space_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *block = ember_node_input(ctx, node, 1);
    const ember_tensor *crops = ember_node_input(ctx, node, 2);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, spatial, i;
    int64_t crop_bottom, crop_right;
    int ok;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 3 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "BATCH_TO_SPACE_ND %ld: needs 3 inputs and 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx,
                (input->rank == 4 || input->rank == 3) && output->rank == input->rank &&
                    input->type == output->type,
                EMBER_UNSUPPORTED,
                "BATCH_TO_SPACE_ND %ld: input '%.64s' %s %s must be a 3-D or 4-D tensor like the output",
                (long)n, input->name, ember_type_name(input->type), ember_shape_string(input, a, sizeof a));
    spatial = input->rank - 2;
    EMBER_TRY(ember_check_const_int(ctx, node, block, "block_shape", spatial, 1));
    EMBER_TRY(ember_check_const_int(ctx, node, crops, "crops", spatial * 2, 1));
    for (i = 0; i < spatial * 2; ++i) {
        const int64_t v = ember_const_int(crops, i), k = ember_const_int(block, i / 2);
        EMBER_CHECK(ctx, v >= 0 && v <= 65536 && k >= 1 && k <= 65536, EMBER_INVALID_MODEL,
                    "BATCH_TO_SPACE_ND %ld: block_shape must lie in [1, 65536] and crops in [0, 65536]",
                    (long)n);
    }
    p->in_b = input->dims[0];
    p->in_h = spatial == 2 ? input->dims[1] : 1;
    p->in_w = input->dims[spatial];
    p->block_h = spatial == 2 ? (int32_t)ember_const_int(block, 0) : 1;
    p->block_w = (int32_t)ember_const_int(block, spatial - 1);
    p->crop_top = spatial == 2 ? (int32_t)ember_const_int(crops, 0) : 0;
    crop_bottom = spatial == 2 ? ember_const_int(crops, 1) : 0;
    p->crop_left = (int32_t)ember_const_int(crops, 2 * (spatial - 1));
    crop_right = ember_const_int(crops, 2 * (spatial - 1) + 1);
    p->out_b = output->dims[0];
    p->out_h = spatial == 2 ? output->dims[1] : 1;
    p->out_w = output->dims[spatial];
    ok = p->block_h >= 1 && p->block_w >= 1 && p->crop_top >= 0 && p->crop_left >= 0 && crop_bottom >= 0 &&
         crop_right >= 0 && p->in_b % ((int64_t)p->block_h * p->block_w) == 0 &&
         p->out_b == p->in_b / ((int64_t)p->block_h * p->block_w) &&
         p->out_h == (int64_t)p->in_h * p->block_h - p->crop_top - crop_bottom &&
         p->out_w == (int64_t)p->in_w * p->block_w - p->crop_left - crop_right &&
         output->dims[input->rank - 1] == input->dims[input->rank - 1];
    EMBER_CHECK(
        ctx, ok, EMBER_INVALID_MODEL,
        "BATCH_TO_SPACE_ND %ld: input '%.64s' %s with block_shape '%.48s' and crops '%.48s' does not give "
        "output '%.64s' %s",
        (long)n, input->name, ember_shape_string(input, a, sizeof a), block->name, crops->name, output->name,
        ember_shape_string(output, b, sizeof b));
    p->pixel_bytes = (size_t)input->dims[input->rank - 1] * ember_type_size(input->type);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const batch_to_space_data *p = (const batch_to_space_data *)node->op_data;
    const uint8_t *in = (const uint8_t *)ember_node_input(ctx, node, 0)->data;
    uint8_t *out = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    int32_t b, y, x;
    if (p->pixel_bytes == 0 || p->out_b == 0)
        return EMBER_OK;
    for (b = 0; b < p->in_b; ++b) {
        const int32_t out_batch = b % p->out_b, spatial_offset = b / p->out_b;
        for (y = 0; y < p->in_h; ++y) {
            const int32_t out_y = y * p->block_h + spatial_offset / p->block_w - p->crop_top;
            if (out_y < 0 || out_y >= p->out_h)
                continue;
            for (x = 0; x < p->in_w; ++x) {
                const int32_t out_x = x * p->block_w + spatial_offset % p->block_w - p->crop_left;
                const size_t src = ((size_t)b * (size_t)p->in_h + (size_t)y) * (size_t)p->in_w + (size_t)x;
                const size_t dst =
                    ((size_t)out_batch * (size_t)p->out_h + (size_t)out_y) * (size_t)p->out_w + (size_t)out_x;
                if (out_x < 0 || out_x >= p->out_w)
                    continue;
                memcpy(out + dst * p->pixel_bytes, in + src * p->pixel_bytes, p->pixel_bytes);
            }
        }
    }
    return EMBER_OK;
}

const ember_kernel ember_kernel_batch_to_space_nd = {
    TFL_OP_BATCH_TO_SPACE_ND,
    "BATCH_TO_SPACE_ND",
    4,
    TFL_OPTIONS_BATCH_TO_SPACE_ND,
    sizeof(batch_to_space_data),
    prepare,
    eval,
};
