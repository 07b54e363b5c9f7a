/* Prepare-time constants (ember_fold_constants, ember_internal.h). */
#include "ember_internal.h"
#include "tflite_schema.h"

ember_status ember_fold_constants(ember_interpreter *ctx) {
    int32_t i;
    /* Folded outputs are reserved by their final byte size, so shapes are propagated first. */
    EMBER_TRY(ember_propagate_shapes(ctx, EMBER_SHAPES_LOAD, NULL));
    for (i = 0; i < ctx->node_count; ++i) {
        ember_node *node = &ctx->nodes[i];
        ember_tensor *in, *out;
        /* Anything malformed is left unfolded, for the kernel's prepare to refuse with its message. */
        const int32_t code = node->kernel->builtin_code;
        if ((code != TFL_OP_DEQUANTIZE && code != TFL_OP_DENSIFY) || node->input_count != 1 ||
            node->output_count != 1 || node->inputs[0] < 0)
            continue;
        in = &ctx->tensors[node->inputs[0]];
        out = &ctx->tensors[node->outputs[0]];
        if (!in->is_constant || out->is_constant || out->is_graph_input ||
            (code == TFL_OP_DEQUANTIZE &&
             (out->type != EMBER_FLOAT32 || (in->type != EMBER_FLOAT16 && in->type != EMBER_INT8))) ||
            ember_element_count(in) != ember_element_count(out))
            continue;
        node->folded = 1;
        out->is_constant = 1; /* data: set by the node's prepare, in its op data */
    }
    return EMBER_OK;
}
