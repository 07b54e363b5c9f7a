/* DENSIFY: a sparse constant (SparsityParameters) to its dense tensor. The loader verified the sparsity and
 * the interpreter densified the input into the arena at allocate (sparsity.c), and the node is folded
 * (ember_fold_constants): prepare points the output at those dense bytes and invoke never runs it. */
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    char a[96], b[96];
    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "DENSIFY %ld: needs 1 input and 1 output, has %ld and %ld", (long)node->index,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, node->folded && input->is_sparse, EMBER_UNSUPPORTED,
                "DENSIFY %ld: input '%.64s' must be a sparse constant", (long)node->index, input->name);
    EMBER_CHECK(ctx, input->type == output->type && ember_same_shape(input, output), EMBER_INVALID_MODEL,
                "DENSIFY %ld: input '%.64s' %s %s and output '%.64s' %s %s must have the same type and shape",
                (long)node->index, input->name, ember_type_name(input->type),
                ember_shape_string(input, a, sizeof a), output->name, ember_type_name(output->type),
                ember_shape_string(output, b, sizeof b));
    output->data = input->data;
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    (void)ctx, (void)node; /* folded: never run */
    return EMBER_OK;
}

const ember_kernel ember_kernel_densify = {
    TFL_OP_DENSIFY,
    "DENSIFY",
    1,
    TFL_OPTIONS_DENSIFY,
    0,
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_F16 | EMBER_T_I8,
};
