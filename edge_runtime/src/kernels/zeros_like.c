/* ZEROS_LIKE: an output of the input's shape and type holding zeros (TFLite's zeros_like.cc: float32, int32,
 * int64). */
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    return ember_check_unary_typed(ctx, node, node->kernel->types);
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    ember_tensor *output = ember_node_output(ctx, node, 0);
    if (output->bytes)
        memset(output->data, 0, output->bytes); /* all-zero bytes are 0 and 0.0f */
    return EMBER_OK;
}

const ember_kernel ember_kernel_zeros_like = {
    TFL_OP_ZEROS_LIKE,
    "ZEROS_LIKE",
    1,
    TFL_OPTIONS_ZEROS_LIKE,
    0,
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I32 | EMBER_T_I64,
};
