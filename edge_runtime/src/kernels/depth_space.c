/* DEPTH_TO_SPACE's and SPACE_TO_DEPTH's shared prepare and eval (see depth_space.h). */
#include "kernels/depth_space.h"

#include <string.h>

#include "kernels/kernels.h"
#include "quantization.h"
#include "tflite_schema.h"

ember_status ember_depth_space_prepare(ember_interpreter *ctx, const ember_node *node, int to_space,
                                       ember_depth_space *g) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const ember_tensor *space = to_space ? output : input, *depth = to_space ? input : output;
    const char *op = node->kernel->name;
    long n = (long)node->index;
    int32_t block;
    int64_t bb;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "%s %ld: needs 1 input and 1 output, has %ld and %ld", op, n, (long)node->input_count,
                (long)node->output_count);
    EMBER_CHECK(ctx,
                input->type == output->type &&
                    (input->type == EMBER_FLOAT32 || input->type == EMBER_INT8 ||
                     input->type == EMBER_UINT8 || input->type == EMBER_INT32 || input->type == EMBER_INT64),
                EMBER_UNSUPPORTED,
                "%s %ld: types input %s, output %s (float32, int8, uint8, int32, int64 are supported)", op, n,
                ember_type_name(input->type), ember_type_name(output->type));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_DEPTH_SPACE_BLOCK_SIZE, 0, &block));
    EMBER_CHECK(ctx, block >= 1 && block <= 65536, EMBER_INVALID_MODEL,
                "%s %ld: block_size %ld must be in [1, 65536]", op, n, (long)block);
    bb = (int64_t)block * block;
    EMBER_CHECK(ctx,
                input->rank == 4 && output->rank == 4 && space->dims[0] == depth->dims[0] &&
                    (int64_t)depth->dims[1] * block == space->dims[1] &&
                    (int64_t)depth->dims[2] * block == space->dims[2] &&
                    (int64_t)space->dims[3] * bb == depth->dims[3],
                EMBER_INVALID_MODEL,
                "%s %ld: input '%.64s' %s and output '%.64s' %s do not match block_size %ld (NHWC; the depth "
                "side has H / %ld, W / %ld and C * %lld)",
                op, n, input->name, ember_shape_string(input, a, sizeof a), output->name,
                ember_shape_string(output, b, sizeof b), (long)block, (long)block, (long)block,
                (long long)bb);
    if (input->type == EMBER_INT8 || input->type == EMBER_UINT8)
        EMBER_TRY(ember_check_same_quant_i8(ctx, node, input, output, NULL, NULL));
    g->batches = space->dims[0];
    g->h = space->dims[1];
    g->w = space->dims[2];
    g->block = block;
    g->pixel_bytes = (size_t)space->dims[3] * ember_type_size(input->type);
    g->to_space = to_space;
    return EMBER_OK;
}

ember_status ember_depth_space_eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_depth_space *g = (const ember_depth_space *)node->op_data;
    const uint8_t *in = (const uint8_t *)ember_node_input(ctx, node, 0)->data;
    uint8_t *out = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    const size_t px = g->pixel_bytes, bs = (size_t)g->block;
    const size_t depth_w = (size_t)(g->w / g->block), depth_pixel = px * bs * bs;
    size_t space_at = 0;
    int32_t b, y, x;
    if (px == 0)
        return EMBER_OK;
    /* Walks the space side in order; depth_at is where the same channels sit on the depth side. */
    for (b = 0; b < g->batches; ++b) {
        const size_t batch = (size_t)b * (size_t)(g->h / g->block) * depth_w;
        for (y = 0; y < g->h; ++y) {
            for (x = 0; x < g->w; ++x, space_at += px) {
                const size_t pixel = batch + (size_t)y / bs * depth_w + (size_t)x / bs;
                const size_t depth_at = pixel * depth_pixel + ((size_t)y % bs * bs + (size_t)x % bs) * px;
                if (g->to_space)
                    memcpy(out + space_at, in + depth_at, px);
                else
                    memcpy(out + depth_at, in + space_at, px);
            }
        }
    }
    return EMBER_OK;
}
