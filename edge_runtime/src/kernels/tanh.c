/* TANH. float: tanhf. int8: LiteRT's 256-entry float table (its reference kernel uses the table too); the
 * converter gives the output scale 1/128 and zero point 0. int16 (16x8): LiteRT's fixed-point kernel on the
 * sigmoid table (tanh(x) = 2 sigmoid(2x) - 1), the input rescaled as LOGISTIC's (int16_quant.h) but indexed
 * by its top bits over 8 fractional ones; output scale 2^-15 (by CheckedLog2), zero points 0. */
#include <math.h>

#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct tanh_data {
    int32_t count;
    int8_t table[256];
    int32_t multiplier; /* int16: the input rescaling (ember_sigmoid_i16_prepare) */
    int shift;
} tanh_data;

static void tanh_i16(const tanh_data *p, const int16_t *input, int16_t *output) {
    int32_t i;
    for (i = 0; i < p->count; ++i) {
        const int32_t v = ember_sigmoid_i16_rescale(input[i], p->multiplier, p->shift);
        const uint32_t a = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
        const uint32_t hi = a >> 8;
        int32_t r;
        if (hi >= 255) {
            r = 0xffff << 8;
        } else {
            const uint32_t lo = ember_sigmoid_table_u16[hi], up = ember_sigmoid_table_u16[hi + 1];
            r = (int32_t)((lo << 8) + (a & 0xffu) * (up - lo));
        }
        r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
        output[i] = (int16_t)(r >> 8);
    }
}

static float tanh_f32(float x) {
    return tanhf(x);
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    tanh_data *data = (tanh_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    EMBER_TRY(ember_check_unary_typed(ctx, node, EMBER_T_F32 | EMBER_T_I8 | EMBER_T_I16));
    data->count = ember_element_count(input);
    if (input->type == EMBER_INT16)
        EMBER_TRY(ember_sigmoid_i16_prepare(ctx, node, 1, &data->multiplier, &data->shift));
    if (input->type == EMBER_INT8)
        EMBER_TRY(ember_prepare_lut_i8(ctx, node, tanh_f32, data->table));
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const tanh_data *data = (const tanh_data *)node->op_data;
    if (ember_node_input(ctx, node, 0)->type == EMBER_INT16) {
        tanh_i16(data, (const int16_t *)ember_node_input(ctx, node, 0)->data,
                 (int16_t *)ember_node_output(ctx, node, 0)->data);
        return EMBER_OK;
    }
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
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
