/* MUL: out = act(x1 * x2) with numpy broadcasting. int8 (TFLite reference): one multiplier s1 * s2 / s_out,
 * computed in double, applied to (x1 - zp1) * (x2 - zp2). */
#include "kernels/kernels.h"
#include "kernels/shapes.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct mul_params {
    float act_min, act_max;
    int32_t input1_offset, input2_offset, output_offset;
    int32_t multiplier;
    int shift;
    int32_t qmin, qmax;
} mul_params;

typedef struct mul_data {
    ember_broadcast broadcast;
    mul_params params;
} mul_data;

static void mul_row_f32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                        int32_t n) {
    const mul_params *p = (const mul_params *)params;
    const float *a = (const float *)x1, *b = (const float *)x2;
    float *y = (float *)out;
    int32_t i;
    for (i = 0; i < n; ++i)
        y[i] = ember_clamp_f32(a[i * s1] * b[i * s2], p->act_min, p->act_max);
}

static void mul_row_i8(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                       int32_t n) {
    const mul_params *p = (const mul_params *)params;
    const int8_t *a = (const int8_t *)x1, *b = (const int8_t *)x2;
    int8_t *y = (int8_t *)out;
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t product = (p->input1_offset + a[i * s1]) * (p->input2_offset + b[i * s2]);
        y[i] = ember_clamp_i8(p->output_offset +
                                  ember_multiply_by_quantized_multiplier(product, p->multiplier, p->shift),
                              p->qmin, p->qmax);
    }
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    mul_data *data = (mul_data *)node->op_data;
    mul_params *p = &data->params;
    const ember_tensor *input1 = ember_node_input(ctx, node, 0);
    const ember_tensor *input2 = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index;
    int8_t activation;

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input1 && input2,
                EMBER_INVALID_MODEL, "MUL %ld: needs 2 inputs and 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, input1->type == output->type && input2->type == output->type, EMBER_INVALID_MODEL,
                "MUL %ld: types input %s, %s, output %s must match", (long)n, ember_type_name(input1->type),
                ember_type_name(input2->type), ember_type_name(output->type));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_ARITH_FUSED_ACTIVATION, TFL_ACT_NONE, &activation));
    EMBER_TRY(ember_broadcast_prepare(ctx, node, input1, input2, output, &data->broadcast));
    if (output->type == EMBER_FLOAT32) {
        EMBER_CHECK(ctx, ember_activation_range_f32(activation, &p->act_min, &p->act_max), EMBER_UNSUPPORTED,
                    "MUL %ld: fused activation %d is not supported", (long)n, (int)activation);
    } else if (output->type == EMBER_INT8) {
        float s1, s2, so;
        int32_t z1, z2, zo;
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, input1, &s1, &z1));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, input2, &s2, &z2));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &so, &zo));
        p->input1_offset = -z1;
        p->input2_offset = -z2;
        p->output_offset = zo;
        ember_quantize_multiplier((double)s1 * (double)s2 / (double)so, &p->multiplier, &p->shift);
        EMBER_CHECK(ctx, p->shift <= 31, EMBER_UNSUPPORTED,
                    "MUL %ld: rescale factor %g (input scales %g, %g, output scale %g) is too large", (long)n,
                    (double)s1 * (double)s2 / (double)so, (double)s1, (double)s2, (double)so);
        EMBER_CHECK(ctx, ember_activation_range_i8(activation, so, zo, &p->qmin, &p->qmax), EMBER_UNSUPPORTED,
                    "MUL %ld: fused activation %d is not supported", (long)n, (int)activation);
    } else {
        return ember_fail(ctx, EMBER_UNSUPPORTED, "MUL %ld: type %s is not supported (float32 and int8 are)",
                          (long)n, ember_type_name(output->type));
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const mul_data *data = (const mul_data *)node->op_data;
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const int is_float = output->type == EMBER_FLOAT32;
    ember_broadcast_run(&data->broadcast, is_float ? mul_row_f32 : mul_row_i8, &data->params,
                        ember_node_input(ctx, node, 0)->data, ember_node_input(ctx, node, 1)->data,
                        output->data, is_float ? sizeof(float) : sizeof(int8_t));
    return EMBER_OK;
}

const ember_kernel ember_kernel_mul = {
    TFL_OP_MUL, "MUL", 7, TFL_OPTIONS_MUL, sizeof(mul_data), prepare, eval,
};
