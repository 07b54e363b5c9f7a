/* LEAKY_RELU: x > 0 ? x : alpha * x. int8 and int16 (TFLite reference QuantizeLeakyRelu; int16 zero points 0,
 * as LiteRT requires): two multipliers, identity s_in / s_out and alpha s_in * alpha / s_out (ratios in float
 * as TFLite computes them), chosen by the sign of x - zp_in, clamped to the type's range. */
#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct leaky_relu_data {
    int32_t count;
    float alpha;
    int32_t input_zero_point, output_zero_point;
    int32_t identity_multiplier, alpha_multiplier;
    int identity_shift, alpha_shift;
} leaky_relu_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    leaky_relu_data *data = (leaky_relu_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    EMBER_TRY(ember_check_unary_typed(ctx, node, EMBER_T_F32 | EMBER_T_I8 | EMBER_T_I16));
    EMBER_TRY(ember_option_f32(ctx, node, TFL_LEAKY_RELU_ALPHA, 0.0f, &data->alpha));
    data->count = ember_element_count(input);
    if (input->type != EMBER_FLOAT32) {
        float s_in, s_out;
        if (input->type == EMBER_INT16) {
            EMBER_TRY(ember_tensor_quant_i16(ctx, node, input, 1, &s_in, &data->input_zero_point));
            EMBER_TRY(ember_tensor_quant_i16(ctx, node, output, 1, &s_out, &data->output_zero_point));
        } else {
            EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &data->input_zero_point));
            EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &data->output_zero_point));
        }
        ember_quantize_multiplier((double)(s_in * data->alpha / s_out), &data->alpha_multiplier,
                                  &data->alpha_shift);
        ember_quantize_multiplier((double)(s_in / s_out), &data->identity_multiplier, &data->identity_shift);
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const leaky_relu_data *data = (const leaky_relu_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t i;
    if (input->type == EMBER_FLOAT32) {
        const float *x = (const float *)input->data;
        float *y = (float *)output->data;
        for (i = 0; i < data->count; ++i)
            y[i] = x[i] > 0.0f ? x[i] : x[i] * data->alpha;
    } else if (input->type == EMBER_INT16) {
        const int16_t *x = (const int16_t *)input->data;
        int16_t *y = (int16_t *)output->data;
        for (i = 0; i < data->count; ++i) {
            const int32_t v = x[i];
            const int32_t scaled =
                v >= 0 ? ember_multiply_by_quantized_multiplier(v, data->identity_multiplier,
                                                                data->identity_shift)
                       : ember_multiply_by_quantized_multiplier(v, data->alpha_multiplier, data->alpha_shift);
            y[i] = (int16_t)(scaled < -32768 ? -32768 : scaled > 32767 ? 32767 : scaled);
        }
    } else {
        const int8_t *x = (const int8_t *)input->data;
        int8_t *y = (int8_t *)output->data;
        for (i = 0; i < data->count; ++i) {
            const int32_t v = x[i] - data->input_zero_point;
            const int32_t scaled =
                v >= 0 ? ember_multiply_by_quantized_multiplier(v, data->identity_multiplier,
                                                                data->identity_shift)
                       : ember_multiply_by_quantized_multiplier(v, data->alpha_multiplier, data->alpha_shift);
            /* int64: a hostile scale ratio can push `scaled` near INT32_MAX (the fuzzer found it) */
            const int64_t out = (int64_t)data->output_zero_point + scaled;
            y[i] = (int8_t)(out < -128 ? -128 : out > 127 ? 127 : out);
        }
    }
    return EMBER_OK;
}

const ember_kernel ember_kernel_leaky_relu = {
    TFL_OP_LEAKY_RELU,
    "LEAKY_RELU",
    2,
    TFL_OPTIONS_LEAKY_RELU,
    sizeof(leaky_relu_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_I16,
};
