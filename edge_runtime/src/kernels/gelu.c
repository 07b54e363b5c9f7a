/* GELU, exact (0.5 x erfc(-x / sqrt 2)) or tanh-approximate as the option says; the formulas are TFLite's
 * (gelu.h), in float. int8: LiteRT's 256-entry table of the same function; int16 (zero points 0): its
 * 513-entry interpolated table (LUTPopulate<int16_t> over float samples, LUTLookup). */
#include <math.h>

#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct gelu_data {
    int32_t count;
    float (*f)(float); /* gelu_exact or gelu_approximate */
    int8_t table[256];
    int16_t lut16[513];
} gelu_data;

static float gelu_exact(float x) {
    return 0.5f * x * erfcf(x * (float)-0.70710678118654752440);
}

static float gelu_approximate(float x) {
    /* sqrt(2 / pi) */
    const float k = (float)(1.12837916709551257390 * 0.70710678118654752440);
    return 0.5f * x * (1.0f + tanhf(k * (x + 0.044715f * x * x * x)));
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    gelu_data *data = (gelu_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    int8_t approximate;
    EMBER_TRY(ember_check_unary_typed(ctx, node, EMBER_T_F32 | EMBER_T_I8 | EMBER_T_I16));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_GELU_APPROXIMATE, 0, &approximate));
    data->count = ember_element_count(input);
    data->f = approximate ? gelu_approximate : gelu_exact;
    if (input->type == EMBER_INT8)
        EMBER_TRY(ember_prepare_lut_i8(ctx, node, data->f, data->table));
    if (input->type == EMBER_INT16) {
        float s_in, s_out;
        int32_t zp;
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, input, 1, &s_in, &zp));
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, ember_node_output(ctx, node, 0), 1, &s_out, &zp));
        ember_lut_i16_populate_f32(s_in, 0, s_out, data->f, data->lut16);
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const gelu_data *data = (const gelu_data *)node->op_data;
    if (ember_node_input(ctx, node, 0)->type == EMBER_INT16) {
        const int16_t *x = (const int16_t *)ember_node_input(ctx, node, 0)->data;
        int16_t *y = (int16_t *)ember_node_output(ctx, node, 0)->data;
        int32_t i;
        for (i = 0; i < data->count; ++i)
            y[i] = ember_lut_lookup_i16(x[i], data->lut16);
        return EMBER_OK;
    }
    ember_lut_eval(ember_node_input(ctx, node, 0), ember_node_output(ctx, node, 0), data->count, data->f,
                   data->table);
    return EMBER_OK;
}

const ember_kernel ember_kernel_gelu = {
    TFL_OP_GELU,
    "GELU",
    2,
    TFL_OPTIONS_GELU,
    sizeof(gelu_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_I16,
};
