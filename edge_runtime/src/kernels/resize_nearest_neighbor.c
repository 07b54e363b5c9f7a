/* RESIZE_NEAREST_NEIGHBOR on NHWC: each output pixel copies the input pixel TFLite's GetNearestNeighbor picks
 * (align_corners: round((i + offset) * scale), otherwise floor; half_pixel_centers: offset 0.5), scale
 * computed in float as TFLite does. int8 keeps its input's parameters. */
#include <math.h>
#include <string.h>

#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct resize_data {
    int32_t batches, in_h, in_w, out_h, out_w;
    size_t pixel_bytes;
    int8_t align_corners, half_pixel_centers;
} resize_data;

static int32_t nearest(int32_t i, int32_t in_size, int32_t out_size, int align_corners,
                       int half_pixel_centers) {
    const float scale = (align_corners && out_size > 1) ? (float)(in_size - 1) / (float)(out_size - 1)
                                                        : (float)in_size / (float)out_size;
    const float offset = half_pixel_centers ? 0.5f : 0.0f;
    const float pos = ((float)i + offset) * scale;
    int32_t v = align_corners ? (int32_t)roundf(pos) : (int32_t)floorf(pos);
    v = v < in_size - 1 ? v : in_size - 1;
    return half_pixel_centers && v < 0 ? 0 : v;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    resize_data *data = (resize_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *size = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "RESIZE_NEAREST_NEIGHBOR %ld: needs 2 inputs and 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx,
                input->type == output->type &&
                    (input->type == EMBER_FLOAT32 || input->type == EMBER_INT8 || input->type == EMBER_INT16),
                EMBER_UNSUPPORTED,
                "RESIZE_NEAREST_NEIGHBOR %ld: types input %s, output %s (float32, int8, int16 are supported)",
                (long)n, ember_type_name(input->type), ember_type_name(output->type));
    EMBER_TRY(ember_check_const_int(ctx, node, size, "size", 2, 0));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_RESIZE_ALIGN_CORNERS, 0, &data->align_corners));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_RESIZE_HALF_PIXEL_CENTERS, 0, &data->half_pixel_centers));
    EMBER_CHECK(ctx,
                input->rank == 4 && output->rank == 4 && output->dims[0] == input->dims[0] &&
                    output->dims[3] == input->dims[3] && output->dims[1] == ember_const_int(size, 0) &&
                    output->dims[2] == ember_const_int(size, 1) && input->dims[1] > 0 && input->dims[2] > 0,
                EMBER_INVALID_MODEL,
                "RESIZE_NEAREST_NEIGHBOR %ld: input '%.64s' %s resized to size (%ld, %ld) does not give "
                "output '%.64s' "
                "%s (NHWC, non-empty input)",
                (long)n, input->name, ember_shape_string(input, a, sizeof a), (long)ember_const_int(size, 0),
                (long)ember_const_int(size, 1), output->name, ember_shape_string(output, b, sizeof b));
    if (input->type == EMBER_INT8)
        EMBER_TRY(ember_check_same_quant_i8(ctx, node, input, output, NULL, NULL));
    if (input->type == EMBER_INT16)
        EMBER_TRY(ember_check_same_quant_i16(ctx, node, input, output));
    data->batches = input->dims[0];
    data->in_h = input->dims[1];
    data->in_w = input->dims[2];
    data->out_h = output->dims[1];
    data->out_w = output->dims[2];
    data->pixel_bytes = (size_t)input->dims[3] * ember_type_size(input->type);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const resize_data *p = (const resize_data *)node->op_data;
    const uint8_t *in = (const uint8_t *)ember_node_input(ctx, node, 0)->data;
    uint8_t *out = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    int32_t b, y, x;
    if (p->pixel_bytes == 0)
        return EMBER_OK;
    for (b = 0; b < p->batches; ++b) {
        for (y = 0; y < p->out_h; ++y) {
            const int32_t in_y = nearest(y, p->in_h, p->out_h, p->align_corners, p->half_pixel_centers);
            for (x = 0; x < p->out_w; ++x) {
                const int32_t in_x = nearest(x, p->in_w, p->out_w, p->align_corners, p->half_pixel_centers);
                const size_t src =
                    (((size_t)b * (size_t)p->in_h + (size_t)in_y) * (size_t)p->in_w + (size_t)in_x);
                memcpy(out, in + src * p->pixel_bytes, p->pixel_bytes);
                out += p->pixel_bytes;
            }
        }
    }
    return EMBER_OK;
}

EMBER_U8_AS_BYTES(resize_nearest_neighbor, prepare, eval)

const ember_kernel ember_kernel_resize_nearest_neighbor = {
    TFL_OP_RESIZE_NEAREST_NEIGHBOR,
    "RESIZE_NEAREST_NEIGHBOR",
    4,
    TFL_OPTIONS_RESIZE_NEAREST_NEIGHBOR,
    sizeof(resize_data),
    resize_nearest_neighbor_prepare_u8,
    resize_nearest_neighbor_eval_u8,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
