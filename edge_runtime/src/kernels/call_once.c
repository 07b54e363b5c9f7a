/* CALL_ONCE, as TFLite's call_once.cc: runs its init subgraph (which sets resource variables) on the first
 * invoke only; later invokes skip it. The flag lives in the op data, in the arena, zeroed at allocate. */
#include "kernels/kernels.h"
#include "tflite_schema.h"

typedef struct call_once_data {
    int32_t done;
} call_once_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    (void)ctx;
    ((call_once_data *)node->op_data)->done = 0;
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    call_once_data *data = (call_once_data *)node->op_data;
    if (data->done)
        return EMBER_OK;
    EMBER_TRY(ember_invoke_subgraph(ctx, node->callee[0]));
    data->done = 1;
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
