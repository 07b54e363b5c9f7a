/* SPACE_TO_BATCH_ND's and BATCH_TO_SPACE_ND's shared geometry (see space_batch.h). */
#include "kernels/space_batch.h"

#include "kernels/operands.h"

ember_status ember_space_batch_prepare(ember_interpreter *ctx, const ember_node *node, const char *what,
                                       int input_is_space, ember_space_batch *g) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *block = ember_node_input(ctx, node, 1);
    const ember_tensor *pads = ember_node_input(ctx, node, 2);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const ember_tensor *space = input_is_space ? input : output, *batch = input_is_space ? output : input;
    const char *name = node->kernel->name;
    long n = (long)node->index;
    int32_t spatial, i;
    int64_t bottom, right, space_h, space_w, batch_h, batch_w;
    int ok;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 3 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "%s %ld: needs 3 inputs and 1 output, has %ld and %ld", name, n, (long)node->input_count,
                (long)node->output_count);
    EMBER_CHECK(ctx,
                (input->rank == 4 || input->rank == 3) && output->rank == input->rank &&
                    input->type == output->type,
                EMBER_UNSUPPORTED, "%s %ld: input '%.64s' %s %s must be a 3-D or 4-D tensor like the output",
                name, n, input->name, ember_type_name(input->type), ember_shape_string(input, a, sizeof a));
    spatial = input->rank - 2;
    EMBER_TRY(ember_check_const_int(ctx, node, block, "block_shape", spatial, 1));
    EMBER_TRY(ember_check_const_int(ctx, node, pads, what, spatial * 2, 1));
    for (i = 0; i < spatial * 2; ++i) {
        const int64_t v = ember_const_int(pads, i), k = ember_const_int(block, i / 2);
        EMBER_CHECK(ctx, v >= 0 && v <= 65536 && k >= 1 && k <= 65536, EMBER_INVALID_MODEL,
                    "%s %ld: block_shape must lie in [1, 65536] and %s in [0, 65536]", name, n, what);
    }
    g->in_b = input->dims[0];
    g->in_h = spatial == 2 ? input->dims[1] : 1;
    g->in_w = input->dims[spatial];
    g->block_h = spatial == 2 ? (int32_t)ember_const_int(block, 0) : 1;
    g->block_w = (int32_t)ember_const_int(block, spatial - 1);
    g->top = spatial == 2 ? (int32_t)ember_const_int(pads, 0) : 0;
    bottom = spatial == 2 ? ember_const_int(pads, 1) : 0;
    g->left = (int32_t)ember_const_int(pads, 2 * (spatial - 1));
    right = ember_const_int(pads, 2 * (spatial - 1) + 1);
    g->out_b = output->dims[0];
    g->out_h = spatial == 2 ? output->dims[1] : 1;
    g->out_w = output->dims[spatial];
    space_h = spatial == 2 ? space->dims[1] : 1;
    space_w = space->dims[spatial];
    batch_h = spatial == 2 ? batch->dims[1] : 1;
    batch_w = batch->dims[spatial];
    /* Products in 64 bits: dims < 2^31, blocks <= 2^16. */
    ok = batch->dims[0] == (int64_t)space->dims[0] * g->block_h * g->block_w &&
         space_h + g->top + bottom == batch_h * g->block_h &&
         space_w + g->left + right == batch_w * g->block_w &&
         output->dims[input->rank - 1] == input->dims[input->rank - 1];
    EMBER_CHECK(ctx, ok, EMBER_INVALID_MODEL,
                "%s %ld: input '%.64s' %s with block_shape '%.48s' and %s '%.48s' does not give output "
                "'%.64s' %s",
                name, n, input->name, ember_shape_string(input, a, sizeof a), block->name, what, pads->name,
                output->name, ember_shape_string(output, b, sizeof b));
    g->pixel_bytes = (size_t)input->dims[input->rank - 1] * ember_type_size(input->type);
    return EMBER_OK;
}
