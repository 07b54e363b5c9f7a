/* TANH. float: tanhf. int8: LiteRT's 256-entry float table (its reference kernel uses the table too); the
 * converter gives the output scale 1/128 and zero point 0. */
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct tanh_data {
    int32_t count;
    int8_t table[256];
} tanh_data;

static float tanh_f32(float x) {
    return tanhf(x);
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    tanh_data *data = (tanh_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    EMBER_TRY(ember_check_unary(ctx, node, 1));
    data->count = ember_element_count(input);
    if (input->type == EMBER_INT8)
        EMBER_TRY(ember_prepare_lut_i8(ctx, node, tanh_f32, data->table));
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const tanh_data *data = (const tanh_data *)node->op_data;
    ember_lut_eval(ember_node_input(ctx, node, 0), ember_node_output(ctx, node, 0), data->count, tanh_f32,
                   data->table);
    return EMBER_OK;
}

EMBER_U8_VIA_I8(tanh, prepare, eval, NULL)

const ember_kernel ember_kernel_tanh = {
    TFL_OP_TANH,
    "TANH",
    3,
    0,
    sizeof(tanh_data),
    tanh_prepare_u8,
    tanh_eval_u8,
    NULL,
    tanh_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};
