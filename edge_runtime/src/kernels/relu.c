/* RELU and RELU6 (one family, two registrations): float clamps; int8 rescales (x - zp_in) to the output scale
 * with one multiplier s_in / s_out (TFLite computes the ratio in float) and clamps to the quantised images of
 * 0 and 6. */
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct relu_data {
    int32_t count;
    float max; /* float upper limit; INFINITY for RELU */
    int32_t input_zero_point, output_zero_point, multiplier;
    int shift;
    int32_t qmin, qmax;
} relu_data;

static ember_status prepare_limit(ember_interpreter *ctx, ember_node *node, float max) {
    relu_data *data = (relu_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    EMBER_TRY(ember_check_unary(ctx, node, 1));
    data->count = ember_element_count(input);
    data->max = max;
    if (input->type == EMBER_INT8) {
        float s_in, s_out;
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &data->input_zero_point));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &data->output_zero_point));
        ember_quantize_multiplier((double)(s_in / s_out), &data->multiplier, &data->shift);
        data->qmin = data->output_zero_point + (int32_t)roundf(0.0f / s_out);
        data->qmin = data->qmin < -128 ? -128 : data->qmin;
        data->qmax = 127;
        if (max != INFINITY) {
            const float q = roundf(max / s_out);
            const int32_t top = q > 1024.0f ? 1024 : data->output_zero_point + (int32_t)q;
            data->qmax = top < 127 ? top : 127;
        }
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const relu_data *data = (const relu_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t i;
    if (input->type == EMBER_FLOAT32) {
        const float *x = (const float *)input->data;
        float *y = (float *)output->data;
        for (i = 0; i < data->count; ++i) {
            const float v = x[i] < 0.0f ? 0.0f : x[i];
            y[i] = v > data->max ? data->max : v;
        }
    } else {
        const int8_t *x = (const int8_t *)input->data;
        int8_t *y = (int8_t *)output->data;
        for (i = 0; i < data->count; ++i) {
            const int32_t v = ember_multiply_by_quantized_multiplier(x[i] - data->input_zero_point,
                                                                     data->multiplier, data->shift);
            y[i] = (int8_t)ember_offset_clamp(v, data->output_zero_point, data->qmin, data->qmax);
        }
    }
    return EMBER_OK;
}

static ember_status prepare_relu(ember_interpreter *ctx, ember_node *node) {
    return prepare_limit(ctx, node, INFINITY);
}

static ember_status prepare_relu6(ember_interpreter *ctx, ember_node *node) {
    return prepare_limit(ctx, node, 6.0f);
}

EMBER_U8_VIA_I8(relu, prepare_relu, eval, NULL)

const ember_kernel ember_kernel_relu = {
    TFL_OP_RELU,
    "RELU",
    3,
    0,
    sizeof(relu_data),
    relu_prepare_u8,
    relu_eval_u8,
    NULL,
    relu_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};

EMBER_U8_VIA_I8(relu6, prepare_relu6, eval, NULL)

const ember_kernel ember_kernel_relu6 = {
    TFL_OP_RELU6,
    "RELU6",
    3,
    0,
    sizeof(relu_data),
    relu6_prepare_u8,
    relu6_eval_u8,
    NULL,
    relu6_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};
