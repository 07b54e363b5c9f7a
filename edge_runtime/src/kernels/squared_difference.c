/* SQUARED_DIFFERENCE, (x1 - x2)^2 with numpy broadcasting, as TFLite's reference (squared_difference.cc):
 * float32 (d * d), int32 (wrapping as LiteRT on two's complement hardware) and int8, LiteRT's requantisation:
 * each input's offset value shifted left by 7 and scaled by its scale over twice the larger input scale (Q31,
 * below one), their difference squared and scaled by (2 max scale)^2 / (2^14 output scale), plus the output's
 * zero point, clamped to int8 (no fused activation: LiteRT's int8 kernel ignores it). */
#include "kernels/broadcast.h"
#include "kernels/kernels.h"
#include "quantization.h"
#include "tflite_schema.h"

#define SQDIFF_LEFT_SHIFT 7

typedef struct sqdiff_i8_params {
    int32_t input1_offset, input2_offset, output_offset;
    int32_t input1_multiplier, input2_multiplier, output_multiplier;
    int input1_shift, input2_shift, output_shift;
} sqdiff_i8_params;

typedef struct squared_difference_data {
    ember_broadcast broadcast;
    sqdiff_i8_params i8;
} squared_difference_data;

static void squared_difference_f32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                                   void *out, int32_t n) {
    const float *a = (const float *)x1, *b = (const float *)x2;
    float *y = (float *)out;
    int32_t i;
    (void)params;
    for (i = 0; i < n; ++i) {
        const float d = a[i * s1] - b[i * s2];
        y[i] = d * d;
    }
}

static void squared_difference_i32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                                   void *out, int32_t n) {
    const int32_t *a = (const int32_t *)x1, *b = (const int32_t *)x2;
    int32_t *y = (int32_t *)out;
    int32_t i;
    (void)params;
    for (i = 0; i < n; ++i) {
        const uint32_t d = (uint32_t)a[i * s1] - (uint32_t)b[i * s2];
        y[i] = ember_wrap_i32(d * d);
    }
}

static void squared_difference_i8(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                                  void *out, int32_t n) {
    const sqdiff_i8_params *p = (const sqdiff_i8_params *)params;
    const int8_t *a = (const int8_t *)x1, *b = (const int8_t *)x2;
    int8_t *y = (int8_t *)out;
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t v1 = ember_multiply_by_quantized_multiplier(
            (p->input1_offset + a[i * s1]) * (1 << SQDIFF_LEFT_SHIFT), p->input1_multiplier, p->input1_shift);
        const int32_t v2 = ember_multiply_by_quantized_multiplier(
            (p->input2_offset + b[i * s2]) * (1 << SQDIFF_LEFT_SHIFT), p->input2_multiplier, p->input2_shift);
        const int32_t d = v1 - v2; /* |d| < 2^15: its square fits */
        int32_t r = ember_multiply_by_quantized_multiplier(d * d, p->output_multiplier, p->output_shift) +
                    p->output_offset;
        r = r < -128 ? -128 : (r > 127 ? 127 : r);
        y[i] = (int8_t)r;
    }
}

/* TFLite's QuantizeMultiplierSmallerThanOneExp: the factor must lie in (0, 1) (LiteRT aborts otherwise). */
static ember_status smaller_than_one(ember_interpreter *ctx, const ember_node *node, double real,
                                     const char *what, int32_t *multiplier, int *shift) {
    EMBER_CHECK(
        ctx, real > 0.0 && real < 1.0, EMBER_UNSUPPORTED,
        "SQUARED_DIFFERENCE %ld: %s rescale factor %g is outside (0, 1); the output scale is too small "
        "for the inputs' (LiteRT cannot run it either)",
        (long)node->index, what, real);
    ember_quantize_multiplier(real, multiplier, shift);
    return EMBER_OK;
}

static ember_status prepare_i8(ember_interpreter *ctx, const ember_node *node, sqdiff_i8_params *p) {
    float s1 = 0.0f, s2 = 0.0f, so = 0.0f;
    int32_t z1 = 0, z2 = 0, zo = 0;
    double twice_max;
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, ember_node_input(ctx, node, 0), &s1, &z1));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, ember_node_input(ctx, node, 1), &s2, &z2));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, ember_node_output(ctx, node, 0), &so, &zo));
    p->input1_offset = -z1;
    p->input2_offset = -z2;
    p->output_offset = zo;
    twice_max = 2.0 * (double)(s1 > s2 ? s1 : s2);
    EMBER_TRY(smaller_than_one(ctx, node, (double)s1 / twice_max, "input 1", &p->input1_multiplier,
                               &p->input1_shift));
    EMBER_TRY(smaller_than_one(ctx, node, (double)s2 / twice_max, "input 2", &p->input2_multiplier,
                               &p->input2_shift));
    return smaller_than_one(ctx, node,
                            twice_max * twice_max / ((double)(1 << (SQDIFF_LEFT_SHIFT * 2)) * (double)so),
                            "output", &p->output_multiplier, &p->output_shift);
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    squared_difference_data *data = (squared_difference_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    EMBER_TRY(ember_binary_prepare(ctx, node, &data->broadcast));
    EMBER_CHECK(ctx,
                input->type == output->type && (output->type == EMBER_FLOAT32 ||
                                                output->type == EMBER_INT32 || output->type == EMBER_INT8),
                EMBER_UNSUPPORTED,
                "SQUARED_DIFFERENCE %ld: types input %s, output %s; float32, int32 or int8 (all alike) are "
                "supported",
                (long)node->index, ember_type_name(input->type), ember_type_name(output->type));
    if (output->type == EMBER_INT8)
        EMBER_TRY(prepare_i8(ctx, node, &data->i8));
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const squared_difference_data *data = (const squared_difference_data *)node->op_data;
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    ember_binary_row row = output->type == EMBER_FLOAT32 ? squared_difference_f32
                           : output->type == EMBER_INT32 ? squared_difference_i32
                                                         : squared_difference_i8;
    ember_broadcast_run(&data->broadcast, row, &data->i8, ember_node_input(ctx, node, 0)->data,
                        ember_node_input(ctx, node, 1)->data, output->data, ember_type_size(output->type));
    return EMBER_OK;
}

/* Versions 1-2 as LiteRT registers them (2: int8). */
const ember_kernel ember_kernel_squared_difference = {
    TFL_OP_SQUARED_DIFFERENCE,
    "SQUARED_DIFFERENCE",
    2,
    TFL_OPTIONS_SQUARED_DIFFERENCE,
    sizeof(squared_difference_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I32 | EMBER_T_I8,
};
