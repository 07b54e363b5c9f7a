/* ADD (and, through ember_add_sub_prepare, SUB): out = act(x1 +- x2) with numpy broadcasting.
 * int8 follows TFLite's reference: both inputs are shifted left by 20 bits and brought to a common scale
 * (twice the larger input scale), added or subtracted, then rescaled to the output. SUB subtracts the scaled
 * second input, -srdhm(x, M), as LiteRT 2.x's reference does; older TFLite negated the multiplier instead,
 * srdhm(x, -M), which rounds ties the other way (test_int8_sub_rounds_ties_like_litert tells them apart). */
#include "kernels/add_sub.h"
#include "kernels/kernels.h"
#include "quantization.h"
#include "tflite_schema.h"

static void add_row_f32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                        int32_t n) {
    const add_f32_params *p = (const add_f32_params *)params;
    const float *a = (const float *)x1, *b = (const float *)x2;
    float *y = (float *)out;
    int32_t i;
    for (i = 0; i < n; ++i)
        y[i] = ember_clamp_f32(a[i * s1] + b[i * s2], p->act_min, p->act_max);
}

static void sub_row_f32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                        int32_t n) {
    const add_f32_params *p = (const add_f32_params *)params;
    const float *a = (const float *)x1, *b = (const float *)x2;
    float *y = (float *)out;
    int32_t i;
    for (i = 0; i < n; ++i)
        y[i] = ember_clamp_f32(a[i * s1] - b[i * s2], p->act_min, p->act_max);
}

static void add_row_i8(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                       int32_t n) {
    const add_i8_params *p = (const add_i8_params *)params;
    const int8_t *a = (const int8_t *)x1, *b = (const int8_t *)x2;
    int8_t *y = (int8_t *)out;
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t v1 = (p->input1_offset + a[i * s1]) * (1 << p->left_shift);
        const int32_t v2 = (p->input2_offset + b[i * s2]) * (1 << p->left_shift);
        const int32_t scaled1 =
            ember_multiply_by_quantized_multiplier(v1, p->input1_multiplier, p->input1_shift);
        const int32_t scaled2 =
            ember_multiply_by_quantized_multiplier(v2, p->input2_multiplier, p->input2_shift);
        const int32_t raw =
            ember_multiply_by_quantized_multiplier(scaled1 + scaled2, p->output_multiplier, p->output_shift) +
            p->output_offset;
        y[i] = ember_clamp_i8(raw, p->act_min, p->act_max);
    }
}

static void sub_row_i8(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                       int32_t n) {
    const add_i8_params *p = (const add_i8_params *)params;
    const int8_t *a = (const int8_t *)x1, *b = (const int8_t *)x2;
    int8_t *y = (int8_t *)out;
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t v1 = (p->input1_offset + a[i * s1]) * (1 << p->left_shift);
        const int32_t v2 = (p->input2_offset + b[i * s2]) * (1 << p->left_shift);
        const int32_t scaled1 =
            ember_multiply_by_quantized_multiplier(v1, p->input1_multiplier, p->input1_shift);
        const int32_t scaled2 =
            ember_multiply_by_quantized_multiplier(v2, p->input2_multiplier, p->input2_shift);
        const int32_t raw =
            ember_multiply_by_quantized_multiplier(scaled1 - scaled2, p->output_multiplier, p->output_shift) +
            p->output_offset;
        y[i] = ember_clamp_i8(raw, p->act_min, p->act_max);
    }
}

/* TFLite's QuantizeMultiplierSmallerThanOneExp: the multiplier must lie in (0, 1). */
static ember_status smaller_than_one(ember_interpreter *ctx, const ember_node *node, double real,
                                     const char *what, int32_t *multiplier, int *shift) {
    EMBER_CHECK(
        ctx, real > 0.0 && real < 1.0, EMBER_UNSUPPORTED,
        "%s %ld: %s rescale factor %g is outside (0, 1); the input and output scales are too far apart",
        node->kernel->name, (long)node->index, what, real);
    ember_quantize_multiplier(real, multiplier, shift);
    return EMBER_OK;
}

ember_status ember_add_sub_prepare(ember_interpreter *ctx, ember_node *node, int sign) {
    add_data *data = (add_data *)node->op_data;
    const ember_tensor *input1 = ember_node_input(ctx, node, 0);
    const ember_tensor *input2 = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const char *name = node->kernel->name;
    int32_t n = node->index;
    int8_t activation;

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input1 && input2,
                EMBER_INVALID_MODEL, "%s %ld: needs 2 inputs and 1 output, has %ld and %ld", name, (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, input1->type == output->type && input2->type == output->type, EMBER_INVALID_MODEL,
                "%s %ld: types input %s, %s, output %s must match", name, (long)n,
                ember_type_name(input1->type), ember_type_name(input2->type), ember_type_name(output->type));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_ARITH_FUSED_ACTIVATION, TFL_ACT_NONE, &activation));
    EMBER_TRY(ember_broadcast_prepare(ctx, node, input1, input2, output, &data->broadcast));

    if (output->type == EMBER_FLOAT32) {
        EMBER_CHECK(ctx, ember_activation_range_f32(activation, &data->f32.act_min, &data->f32.act_max),
                    EMBER_UNSUPPORTED, "%s %ld: fused activation %d is not supported", name, (long)n,
                    (int)activation);
        data->row = sign > 0 ? add_row_f32 : sub_row_f32;
    } else if (output->type == EMBER_INT8) {
        add_i8_params *p = &data->i8;
        float s1, s2, so;
        int32_t z1, z2, zo;
        double twice_max;
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, input1, &s1, &z1));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, input2, &s2, &z2));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &so, &zo));
        p->input1_offset = -z1;
        p->input2_offset = -z2;
        p->output_offset = zo;
        p->left_shift = 20;
        twice_max = 2.0 * (double)(s1 > s2 ? s1 : s2);
        EMBER_TRY(smaller_than_one(ctx, node, (double)s1 / twice_max, "input 1", &p->input1_multiplier,
                                   &p->input1_shift));
        EMBER_TRY(smaller_than_one(ctx, node, (double)s2 / twice_max, "input 2", &p->input2_multiplier,
                                   &p->input2_shift));
        EMBER_TRY(smaller_than_one(ctx, node, twice_max / ((double)(1 << p->left_shift) * (double)so),
                                   "output", &p->output_multiplier, &p->output_shift));
        EMBER_CHECK(ctx, ember_activation_range_i8(activation, so, zo, &p->act_min, &p->act_max),
                    EMBER_UNSUPPORTED, "%s %ld: fused activation %d is not supported", name, (long)n,
                    (int)activation);
        data->row = sign > 0 ? add_row_i8 : sub_row_i8;
    } else {
        return ember_fail(ctx, EMBER_UNSUPPORTED, "%s %ld: type %s is not supported (float32 and int8 are)",
                          name, (long)n, ember_type_name(output->type));
    }
    return EMBER_OK;
}

ember_status ember_add_sub_eval(ember_interpreter *ctx, const ember_node *node) {
    const add_data *data = (const add_data *)node->op_data;
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const int is_float = output->type == EMBER_FLOAT32;
    ember_broadcast_run(&data->broadcast, data->row,
                        is_float ? (const void *)&data->f32 : (const void *)&data->i8,
                        ember_node_input(ctx, node, 0)->data, ember_node_input(ctx, node, 1)->data,
                        output->data, is_float ? sizeof(float) : sizeof(int8_t));
    return EMBER_OK;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    return ember_add_sub_prepare(ctx, node, 1);
}

/* Versions 1-5 as LiteRT registers them; int16 and int32/int64 variants are refused by type in prepare. */
const ember_kernel ember_kernel_add = {
    TFL_OP_ADD, "ADD", 5, TFL_OPTIONS_ADD, sizeof(add_data), prepare, ember_add_sub_eval,
};
