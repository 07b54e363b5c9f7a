/* SUB: out = act(x1 - x2) with broadcasting; shares ADD's code (add.c), int16's two paths included (LiteRT's
 * power-of-two SUB, unlike its ADD, broadcasts). */
#include "kernels/add_sub.h"
#include "kernels/kernels.h"
#include "kernels/uint8.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    return ember_add_sub_prepare(ctx, node, -1);
}

EMBER_U8_VIA_I8(sub, prepare, ember_add_sub_eval, NULL)

const ember_kernel ember_kernel_sub = {
    TFL_OP_SUB,
    "SUB",
    5,
    TFL_OPTIONS_SUB,
    sizeof(add_data),
    sub_prepare_u8,
    sub_eval_u8,
    NULL,
    sub_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32,
};
