/* BATCH_TO_SPACE_ND on NHWC (or NWC, as H = 1) with constant block_shape and crops, the inverse of
 * SPACE_TO_BATCH_ND: input batch b lands at batch b % B_out, pixel (y * bh + s / bw - crop_top,
 * x * bw + s % bw - crop_left) with s = b / B_out; pixels cropped away are dropped. */
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/space_batch.h"
#include "kernels/uint8.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    return ember_space_batch_prepare(ctx, node, "crops", 0, (ember_space_batch *)node->op_data);
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_space_batch *p = (const ember_space_batch *)node->op_data;
    const uint8_t *in = (const uint8_t *)ember_node_input(ctx, node, 0)->data;
    uint8_t *out = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    int32_t b, y, x;
    if (p->pixel_bytes == 0 || p->out_b == 0)
        return EMBER_OK;
    for (b = 0; b < p->in_b; ++b) {
        const int32_t out_batch = b % p->out_b, spatial_offset = b / p->out_b;
        for (y = 0; y < p->in_h; ++y) {
            const int32_t out_y = y * p->block_h + spatial_offset / p->block_w - p->top;
            if (out_y < 0 || out_y >= p->out_h)
                continue;
            for (x = 0; x < p->in_w; ++x) {
                const int32_t out_x = x * p->block_w + spatial_offset % p->block_w - p->left;
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

EMBER_U8_AS_BYTES(batch_to_space_nd, prepare, eval)

const ember_kernel ember_kernel_batch_to_space_nd = {
    TFL_OP_BATCH_TO_SPACE_ND,
    "BATCH_TO_SPACE_ND",
    4,
    TFL_OPTIONS_BATCH_TO_SPACE_ND,
    sizeof(ember_space_batch),
    batch_to_space_nd_prepare_u8,
    batch_to_space_nd_eval_u8,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};
