/* SPACE_TO_BATCH_ND on NHWC (or NWC, as H = 1) with constant block_shape and paddings: output batch
 * (sh * bw + sw) * B + b holds the padded image's pixels (y * bh + sh, x * bw + sw). Pads are zero (float) or
 * the output zero point (int8), as TFLite's reference writes them. */
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/space_batch.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct space_to_batch_data {
    ember_space_batch g;
    uint8_t fill;
} space_to_batch_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    space_to_batch_data *data = (space_to_batch_data *)node->op_data;
    EMBER_TRY(ember_space_batch_prepare(ctx, node, "paddings", 1, &data->g));
    data->fill = 0;
    if (ember_node_input(ctx, node, 0)->type == EMBER_INT8) {
        float s;
        int32_t z;
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, ember_node_output(ctx, node, 0), &s, &z));
        data->fill = (uint8_t)(z & 0xff);
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const space_to_batch_data *data = (const space_to_batch_data *)node->op_data;
    const ember_space_batch *p = &data->g;
    const uint8_t *in = (const uint8_t *)ember_node_input(ctx, node, 0)->data;
    uint8_t *out = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    int32_t b, y, x;
    if (p->pixel_bytes == 0)
        return EMBER_OK;
    for (b = 0; b < p->out_b; ++b) {
        const int32_t in_batch = b % p->in_b;
        const int32_t shift_w = (b / p->in_b) % p->block_w, shift_h = (b / p->in_b) / p->block_w;
        for (y = 0; y < p->out_h; ++y) {
            const int32_t in_y = y * p->block_h + shift_h - p->top;
            for (x = 0; x < p->out_w; ++x) {
                const int32_t in_x = x * p->block_w + shift_w - p->left;
                if (in_y < 0 || in_y >= p->in_h || in_x < 0 || in_x >= p->in_w) {
                    memset(out, data->fill, p->pixel_bytes);
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

EMBER_U8_VIA_I8(space_to_batch_nd, prepare, eval, NULL)

const ember_kernel ember_kernel_space_to_batch_nd = {
    TFL_OP_SPACE_TO_BATCH_ND,
    "SPACE_TO_BATCH_ND",
    4,
    TFL_OPTIONS_SPACE_TO_BATCH_ND,
    sizeof(space_to_batch_data),
    space_to_batch_nd_prepare_u8,
    space_to_batch_nd_eval_u8,
    NULL,
    space_to_batch_nd_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};
