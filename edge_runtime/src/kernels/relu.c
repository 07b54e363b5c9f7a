/* RELU and RELU6 (one family, two registrations): float clamps; int8 and int16 (16x8: zero points 0, as
 * LiteRT requires) rescale (x - zp_in) to the output scale with one multiplier s_in / s_out (TFLite computes
 * the ratio in float) and clamp to the quantised images of 0 and 6 (QuantizedReluX). Optimised (not
 * EMBER_ISA=reference): int8 reads a 256-entry table of that arithmetic made at prepare, float32 runs the
 * elementwise SIMD rows as x * 1.0f clamped to [0, max] (the multiply is exact, -0.0 and NaN included, and
 * the clamp is ember_clamp_f32's). */
#include <math.h>

#include "gemm/elementwise.h"
#include "kernels/int16_quant.h"
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
    ember_isa isa;
    int reference;     /* EMBER_ISA=reference: the plain loops */
    int8_t table[256]; /* int8: the output of each input code, indexed by its byte */
} relu_data;

static int8_t relu_i8(const relu_data *data, int8_t x) {
    const int32_t v =
        ember_multiply_by_quantized_multiplier(x - data->input_zero_point, data->multiplier, data->shift);
    return (int8_t)ember_offset_clamp(v, data->output_zero_point, data->qmin, data->qmax);
}

static int16_t relu_i16(const relu_data *data, int16_t x) {
    const int32_t v = ember_multiply_by_quantized_multiplier(x, data->multiplier, data->shift);
    return (int16_t)(v < data->qmin ? data->qmin : v > data->qmax ? data->qmax : v);
}

/* int16: zero points 0, limits max(-32768, round(0 / s)) = 0 and min(32767, round(max / s)). */
static ember_status prepare_i16(ember_interpreter *ctx, const ember_node *node, relu_data *data, float max) {
    float s_in, s_out;
    EMBER_TRY(
        ember_tensor_quant_i16(ctx, node, ember_node_input(ctx, node, 0), 1, &s_in, &data->input_zero_point));
    EMBER_TRY(ember_tensor_quant_i16(ctx, node, ember_node_output(ctx, node, 0), 1, &s_out,
                                     &data->output_zero_point));
    ember_quantize_multiplier((double)(s_in / s_out), &data->multiplier, &data->shift);
    data->qmin = 0;
    data->qmax = 32767;
    if (max != INFINITY) {
        const float q = roundf(max / s_out);
        data->qmax = q > 32767.0f ? 32767 : (int32_t)q;
    }
    return EMBER_OK;
}

static ember_status prepare_limit(ember_interpreter *ctx, ember_node *node, float max) {
    relu_data *data = (relu_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t i;
    EMBER_TRY(ember_check_unary_typed(ctx, node, EMBER_T_F32 | EMBER_T_I8 | EMBER_T_I16));
    data->count = ember_element_count(input);
    data->max = max;
    data->isa = ctx->isa, data->reference = ctx->reference_kernels;
    if (input->type == EMBER_INT16)
        return prepare_i16(ctx, node, data, max);
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
        for (i = 0; i < 256; ++i)
            data->table[(uint8_t)(i - 128)] = relu_i8(data, (int8_t)(i - 128));
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const relu_data *data = (const relu_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t i;
    if (input->type == EMBER_INT16) {
        const int16_t *x = (const int16_t *)input->data;
        int16_t *y = (int16_t *)output->data;
        for (i = 0; i < data->count; ++i)
            y[i] = relu_i16(data, x[i]);
    } else if (!data->reference && input->type == EMBER_FLOAT32) {
        static const float one = 1.0f;
        ember_binary_f32_row(data->isa, EMBER_BINARY_MUL, 0.0f, data->max, (const float *)input->data, 1,
                             &one, 0, (float *)output->data, data->count);
    } else if (!data->reference) {
        ember_lut_i8(data->isa, data->table, (const int8_t *)input->data, (int8_t *)output->data,
                     data->count);
    } else if (input->type == EMBER_FLOAT32) {
        const float *x = (const float *)input->data;
        float *y = (float *)output->data;
        for (i = 0; i < data->count; ++i) {
            const float v = x[i] < 0.0f ? 0.0f : x[i];
            y[i] = v > data->max ? data->max : v;
        }
    } else {
        const int8_t *x = (const int8_t *)input->data;
        int8_t *y = (int8_t *)output->data;
        for (i = 0; i < data->count; ++i)
            y[i] = relu_i8(data, x[i]);
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
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
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
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
