/* WHILE, as TFLite's while.cc runs a loop whose shapes stay fixed: the loop state starts as the node's
 * inputs; while the cond subgraph, given the state, returns true, the body subgraph maps the state to the
 * next one; the node's outputs are the final state. ember_verify_calls (subgraph.c) has checked at create
 * that the node, cond and body agree in count, type and shape, so eval only copies and runs. The state lives
 * in the node's outputs; every subgraph has its own arena region, planned at create, so nothing is allocated.
 */
#include "kernels/kernels.h"
#include "tflite_schema.h"

/* A cond that never turns false would hang invoke; a fuzzed or broken model gets an error instead. */
#ifndef EMBER_MAX_WHILE_ITERATIONS
#define EMBER_MAX_WHILE_ITERATIONS 1000000000L
#endif

/* ember_verify_calls checked the call at create; again here, as a resize may have changed the node's shapes
 * (the called subgraphs keep the file's). */
static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    return ember_check_call(ctx, node);
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_subgraph *cond = &ctx->subgraphs[node->callee[0]];
    const ember_subgraph *body = &ctx->subgraphs[node->callee[1]];
    const ember_tensor *go = &ctx->tensors[cond->outputs[0]];
    long iterations = 0;
    ember_copy_tensors(ctx, node->inputs, node->outputs, node->output_count);
    for (;;) {
        ember_copy_tensors(ctx, node->outputs, cond->inputs, cond->input_count);
        EMBER_TRY(ember_invoke_subgraph(ctx, node->callee[0]));
        if (!*(const uint8_t *)go->data)
            return EMBER_OK;
        EMBER_CHECK(ctx, ++iterations <= EMBER_MAX_WHILE_ITERATIONS, EMBER_RUNTIME_ERROR,
                    "WHILE %ld (subgraph %ld): the loop ran %ld times without its condition turning false "
                    "(EMBER_MAX_WHILE_ITERATIONS)",
                    (long)node->index, (long)node->subgraph, (long)EMBER_MAX_WHILE_ITERATIONS);
        ember_copy_tensors(ctx, node->outputs, body->inputs, body->input_count);
        EMBER_TRY(ember_invoke_subgraph(ctx, node->callee[1]));
        ember_copy_tensors(ctx, body->outputs, node->outputs, node->output_count);
    }
}

/* The loop state may be of any type the runtime stores. */
const ember_kernel ember_kernel_while = {
    TFL_OP_WHILE,
    "WHILE",
    1,
    TFL_OPTIONS_WHILE,
    0,
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_CHECKED | EMBER_T_I32 | EMBER_T_I64,
};
