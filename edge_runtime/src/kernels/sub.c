/* SUB: out = act(x1 - x2) with broadcasting; shares ADD's code (LiteRT computes int8 SUB as ADD with the
 * second input's multiplier negated, see add.c). */
#include "kernels/add_sub.h"
#include "kernels/kernels.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    return ember_add_sub_prepare(ctx, node, -1);
}

const ember_kernel ember_kernel_sub = {
    TFL_OP_SUB,         "SUB", 5,    TFL_OPTIONS_SUB,          sizeof(add_data), prepare,
    ember_add_sub_eval, NULL,  NULL, EMBER_T_F32 | EMBER_T_I8,
};
