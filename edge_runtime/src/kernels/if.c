/* IF, as TFLite's if.cc with fixed shapes: input 0 (one bool) picks the then or the else subgraph, which gets
 * inputs 1.. and whose outputs become the node's. ember_verify_calls (subgraph.c) has checked both branches
 * against the node at create. */
#include "kernels/kernels.h"
#include "tflite_schema.h"

/* ember_verify_calls checked the call at create; again here, as a resize may have changed the node's shapes
 * (the called subgraphs keep the file's). */
static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    return ember_check_call(ctx, node);
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const int taken = *(const uint8_t *)ctx->tensors[node->inputs[0]].data ? 0 : 1;
    const ember_subgraph *branch = &ctx->subgraphs[node->callee[taken]];
    ember_copy_tensors(ctx, node->inputs + 1, branch->inputs, branch->input_count);
    EMBER_TRY(ember_invoke_subgraph(ctx, node->callee[taken]));
    ember_copy_tensors(ctx, branch->outputs, node->outputs, node->output_count);
    return EMBER_OK;
}

const ember_kernel ember_kernel_if = {
    TFL_OP_IF, "IF", 1,    TFL_OPTIONS_IF, 0,
    prepare,   eval, NULL, NULL,           EMBER_T_CHECKED | EMBER_T_I32 | EMBER_T_I64,
};
