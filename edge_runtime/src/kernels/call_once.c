/* CALL_ONCE, as TFLite's call_once.cc: runs its init subgraph (which sets resource variables) on the first
 * invoke only; later invokes skip it. As in LiteRT the status belongs to the init subgraph, not the node:
 * every CALL_ONCE of one initialiser (one per signature's subgraph, say) shares it, so whichever runs first
 * initialises and the others skip. It lives in the op data of the first such CALL_ONCE (variables.c), in the
 * arena, zeroed at allocate and by ember_interpreter_reset_variables. */
#include "kernels/kernels.h"
#include "tflite_schema.h"

typedef struct call_once_data {
    int32_t done;
} call_once_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    (void)ctx;
    (void)node;
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    int32_t *done = ember_init_status(ctx, node->callee[0]);
    if (*done)
        return EMBER_OK;
    EMBER_TRY(ember_invoke_subgraph(ctx, node->callee[0]));
    *done = 1;
    return EMBER_OK;
}

const ember_kernel ember_kernel_call_once = {
    TFL_OP_CALL_ONCE,
    "CALL_ONCE",
    1,
    TFL_OPTIONS_CALL_ONCE,
    sizeof(call_once_data),
    prepare,
    eval,
    NULL,
    NULL,
    0,
};
