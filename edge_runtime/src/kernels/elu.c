/* ELU: x < 0 ? exp(x) - 1 : x. float32 as LiteRT's kernel (activations.cc: expm1f below 0). int8: LiteRT's
 * 256-entry table of the same function computed in float (std::exp(x) - 1, LUTPopulate), both in its
 * reference and its default kernels. */
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct elu_data {
    int32_t count;
    int8_t table[256];
} elu_data;

static float elu_f32(float x) {
    return x < 0.0f ? expm1f(x) : x;
}

static float elu_lut(float x) {
    return x < 0.0f ? expf(x) - 1.0f : x;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    elu_data *data = (elu_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    EMBER_TRY(ember_check_unary(ctx, node, 1));
    data->count = ember_element_count(input);
    if (input->type == EMBER_INT8)
        EMBER_TRY(ember_prepare_lut_i8(ctx, node, elu_lut, data->table));
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const elu_data *data = (const elu_data *)node->op_data;
    ember_lut_eval(ember_node_input(ctx, node, 0), ember_node_output(ctx, node, 0), data->count, elu_f32,
                   data->table);
    return EMBER_OK;
}

const ember_kernel ember_kernel_elu = {
    TFL_OP_ELU, "ELU", 1, 0, sizeof(elu_data), prepare, eval, NULL, NULL, EMBER_T_F32 | EMBER_T_I8,
};
