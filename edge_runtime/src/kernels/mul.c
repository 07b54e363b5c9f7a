/* MUL: out = act(x1 * x2) with numpy broadcasting. int8 (TFLite reference): one multiplier s1 * s2 / s_out,
 * computed in float (LiteRT's expression on float scales), applied to (x1 - zp1) * (x2 - zp2). int16 (16x8,
 * zero points 0) the same on x1 * x2, which fits int32. int16 inputs with an int8 (or uint8) output take
 * LiteRT's LSTM form instead: the Q0.15 product (gemmlowp's int16 fixed-point multiply) divided by 2^8,
 * clamped and offset by the output's zero point; the scales are not used, and the shapes must match (LiteRT
 * has no broadcasting form of it). */
#include "gemm/elementwise.h"
#include "kernels/broadcast.h"
#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct mul_params {
    ember_arith_params a;
    int32_t multiplier;
    int shift;
    int i16_i8; /* int16 inputs, int8 output */
    /* The optimised rows (gemm/elementwise.h) at level isa; fast = 0 (EMBER_ISA=reference): the loops. */
    int fast;
    ember_isa isa;
    ember_mul_i8_params i8;
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
        y[i] = ember_clamp_f32(a[i * s1] * b[i * s2], p->a.act_min_f, p->a.act_max_f);
}

static void mul_row_i8(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                       int32_t n) {
    const mul_params *p = (const mul_params *)params;
    const int8_t *a = (const int8_t *)x1, *b = (const int8_t *)x2;
    int8_t *y = (int8_t *)out;
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t product = (p->a.input1_offset + a[i * s1]) * (p->a.input2_offset + b[i * s2]);
        y[i] = (int8_t)ember_offset_clamp(
            ember_multiply_by_quantized_multiplier(product, p->multiplier, p->shift), p->a.output_offset,
            p->a.act_min, p->a.act_max);
    }
}

static void mul_row_i16(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                        int32_t n) {
    const mul_params *p = (const mul_params *)params;
    const int16_t *a = (const int16_t *)x1, *b = (const int16_t *)x2;
    int16_t *y = (int16_t *)out;
    int32_t i;
    for (i = 0; i < n; ++i)
        y[i] = ember_clamp_i16(
            ember_multiply_by_quantized_multiplier((int32_t)a[i * s1] * b[i * s2], p->multiplier, p->shift),
            p->a.act_min, p->a.act_max);
}

/* gemmlowp's SaturatingRoundingDoublingHighMul on int16: round(a * b / 2^15), -32768 * -32768 saturating. */
static int32_t srdhm_i16(int32_t a, int32_t b) {
    const int32_t ab = a * b;
    const int32_t nudge = ab >= 0 ? (1 << 14) : 1 - (1 << 14);
    return a == -32768 && b == -32768 ? 32767 : (ab + nudge) / (1 << 15);
}

static void mul_row_i16_i8(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                           void *out, int32_t n) {
    const mul_params *p = (const mul_params *)params;
    const int16_t *a = (const int16_t *)x1, *b = (const int16_t *)x2;
    int8_t *y = (int8_t *)out;
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t r = ember_rdbpot(srdhm_i16(a[i * s1], b[i * s2]), 8);
        const int32_t lo = p->a.act_min - p->a.output_offset, hi = p->a.act_max - p->a.output_offset;
        y[i] = (int8_t)(p->a.output_offset + (r < lo ? lo : (r > hi ? hi : r)));
    }
}

static void mul_row_f32_fast(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                             void *out, int32_t n) {
    const mul_params *p = (const mul_params *)params;
    ember_binary_f32_row(p->isa, EMBER_BINARY_MUL, p->a.act_min_f, p->a.act_max_f, (const float *)x1, s1,
                         (const float *)x2, s2, (float *)out, n);
}

static void mul_row_i8_fast(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                            void *out, int32_t n) {
    const mul_params *p = (const mul_params *)params;
    ember_mul_i8_row(p->isa, &p->i8, (const int8_t *)x1, s1, (const int8_t *)x2, s2, (int8_t *)out, n);
}

/* int16 inputs, int8 output (LiteRT's MUL for LSTM gates). */
static ember_status prepare_i16_i8(ember_interpreter *ctx, ember_node *node, mul_data *data) {
    const ember_tensor *input1 = ember_node_input(ctx, node, 0), *input2 = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    mul_params *p = &data->params;
    int8_t activation;
    EMBER_CHECK(ctx, input2->type == EMBER_INT16, EMBER_INVALID_MODEL,
                "MUL %ld: types input int16, %s, output int8: both inputs must be int16", (long)node->index,
                ember_type_name(input2->type));
    /* a uint8 output arrives as its int8 image (zero point - 128): LiteRT's uint8 form, offset + clamp(r,
     * act - offset), gives the same bytes once flipped back */
    EMBER_TRY(ember_option_i8(ctx, node, TFL_ARITH_FUSED_ACTIVATION, TFL_ACT_NONE, &activation));
    EMBER_TRY(ember_broadcast_prepare(ctx, node, input1, input2, output, &data->broadcast));
    EMBER_CHECK(ctx,
                ember_element_count(input1) == ember_element_count(output) &&
                    ember_element_count(input2) == ember_element_count(output),
                EMBER_UNSUPPORTED,
                "MUL %ld: int16 inputs with an int8 output do not broadcast in LiteRT (it aborts); give both "
                "inputs the output's shape",
                (long)node->index);
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &p->a.output_scale, &p->a.output_offset));
    EMBER_CHECK(ctx,
                ember_activation_range_i8(activation, p->a.output_scale, p->a.output_offset, &p->a.act_min,
                                          &p->a.act_max),
                EMBER_UNSUPPORTED, "MUL %ld: fused activation %d is not supported", (long)node->index,
                (int)activation);
    p->i16_i8 = 1;
    return EMBER_OK;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    mul_data *data = (mul_data *)node->op_data;
    mul_params *p = &data->params;
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    double real;

    p->i16_i8 = 0;
    if (node->input_count == 2 && node->output_count == 1 && ember_node_input(ctx, node, 0) &&
        ember_node_input(ctx, node, 1) && ember_node_input(ctx, node, 0)->type == EMBER_INT16 &&
        output->type == EMBER_INT8)
        return prepare_i16_i8(ctx, node, data);
    EMBER_TRY(ember_arith_prepare(ctx, node, &data->broadcast, &p->a));
    p->fast = !ctx->reference_kernels;
    p->isa = ctx->isa;
    if (output->type == EMBER_INT8 || output->type == EMBER_INT16) {
        /* in float, as LiteRT's Prepare writes it (float scales; the double is taken after the division):
         * the double quotient rounds differently at ties (TensorFlow's 16x8 model shows one) */
        real = (double)(p->a.input1_scale * p->a.input2_scale / p->a.output_scale);
        ember_quantize_multiplier(real, &p->multiplier, &p->shift);
        EMBER_CHECK(ctx, p->shift <= 31, EMBER_UNSUPPORTED,
                    "MUL %ld: rescale factor %g (input scales %g, %g, output scale %g) is too large",
                    (long)node->index, real, (double)p->a.input1_scale, (double)p->a.input2_scale,
                    (double)p->a.output_scale);
        p->i8.input1_offset = p->a.input1_offset;
        p->i8.input2_offset = p->a.input2_offset;
        p->i8.output_offset = p->a.output_offset;
        p->i8.multiplier = p->multiplier;
        p->i8.shift = p->shift;
        p->i8.act_min = p->a.act_min;
        p->i8.act_max = p->a.act_max;
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const mul_data *data = (const mul_data *)node->op_data;
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    if (data->params.i16_i8 || output->type == EMBER_INT16)
        ember_broadcast_run_sized(&data->broadcast, data->params.i16_i8 ? mul_row_i16_i8 : mul_row_i16,
                                  &data->params, ember_node_input(ctx, node, 0)->data,
                                  ember_node_input(ctx, node, 1)->data, output->data, sizeof(int16_t),
                                  ember_type_size(output->type));
    else if (data->params.fast)
        ember_arith_eval(ctx, node, &data->broadcast, mul_row_f32_fast, mul_row_i8_fast, &data->params);
    else
        ember_arith_eval(ctx, node, &data->broadcast, mul_row_f32, mul_row_i8, &data->params);
    return EMBER_OK;
}

EMBER_U8_VIA_I8(mul, prepare, eval, NULL)

const ember_kernel ember_kernel_mul = {
    TFL_OP_MUL,     "MUL",       7,    TFL_OPTIONS_MUL, sizeof(mul_data),
    mul_prepare_u8, mul_eval_u8, NULL, mul_scratch_u8,  EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
