/* ADD (and, through ember_add_sub_prepare, SUB): out = act(x1 +- x2) with numpy broadcasting.
 * int16 (16x8, zero points 0) takes one of LiteRT's two paths: the general one is int8's arithmetic with a
 * left shift of 15 instead of 20; when the op's pot_scale_int16 option is true (the schema's default) and all
 * three scales are powers of two (to within LiteRT's CheckedLog2 tolerance), one input is divided by a power
 * of two and the two are added or subtracted as they are. int8 follows TFLite's reference: both inputs are
 * shifted left by 20 bits and brought to a common scale (twice the larger input scale), added or subtracted,
 * then rescaled to the output. SUB subtracts the scaled second input, -srdhm(x, M), as LiteRT 2.x's reference
 * does; older TFLite negated the multiplier instead, srdhm(x, -M), which rounds ties the other way
 * (test_int8_sub_rounds_ties_like_litert tells them apart). */
#include "kernels/add_sub.h"
#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

static void add_row_f32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                        int32_t n) {
    const add_params *p = (const add_params *)params;
    const float *a = (const float *)x1, *b = (const float *)x2;
    float *y = (float *)out;
    int32_t i;
    for (i = 0; i < n; ++i)
        y[i] = ember_clamp_f32(p->subtract ? a[i * s1] - b[i * s2] : a[i * s1] + b[i * s2], p->a.act_min_f,
                               p->a.act_max_f);
}

static void add_row_i8(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                       int32_t n) {
    const add_params *p = (const add_params *)params;
    const int8_t *a = (const int8_t *)x1, *b = (const int8_t *)x2;
    int8_t *y = (int8_t *)out;
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t v1 = (p->a.input1_offset + a[i * s1]) * (1 << p->left_shift);
        const int32_t v2 = (p->a.input2_offset + b[i * s2]) * (1 << p->left_shift);
        const int32_t scaled1 =
            ember_multiply_by_quantized_multiplier(v1, p->input1_multiplier, p->input1_shift);
        const int32_t scaled2 =
            ember_multiply_by_quantized_multiplier(v2, p->input2_multiplier, p->input2_shift);
        const int32_t raw = ember_multiply_by_quantized_multiplier(
            p->subtract ? scaled1 - scaled2 : scaled1 + scaled2, p->output_multiplier, p->output_shift);
        y[i] = (int8_t)ember_offset_clamp(raw, p->a.output_offset, p->a.act_min, p->a.act_max);
    }
}

static void add_row_i16(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                        int32_t n) {
    const add_params *p = (const add_params *)params;
    const int16_t *a = (const int16_t *)x1, *b = (const int16_t *)x2;
    int16_t *y = (int16_t *)out;
    int32_t i;
    for (i = 0; i < n; ++i) {
        /* |x| <= 2^15, so x * 2^15 fits int32 (zero points are 0) */
        const int32_t scaled1 = ember_multiply_by_quantized_multiplier(a[i * s1] * (1 << p->left_shift),
                                                                       p->input1_multiplier, p->input1_shift);
        const int32_t scaled2 = ember_multiply_by_quantized_multiplier(b[i * s2] * (1 << p->left_shift),
                                                                       p->input2_multiplier, p->input2_shift);
        const int32_t raw = ember_multiply_by_quantized_multiplier(
            p->subtract ? scaled1 - scaled2 : scaled1 + scaled2, p->output_multiplier, p->output_shift);
        y[i] = ember_clamp_i16(raw, p->a.act_min, p->a.act_max);
    }
}

/* gemmlowp's RoundingDivideByPOT instantiated on int16, as LiteRT's power-of-two int16 ADD and SUB call it:
 * its mask 2^e - 1 is an int16 too, so from e = 16 on the mask is -1 and the result is 1 for x >= 0 (0
 * included) and -1 for x < 0. 0 <= e <= 31 (prepare refuses more). */
static int32_t rdbpot_i16(int32_t x, int e) {
    const uint32_t low = (uint32_t)(((uint64_t)1 << e) - 1u) & 0xffffu;
    const int32_t mask = low >= 0x8000u ? (int32_t)low - 0x10000 : (int32_t)low;
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0);
    return (x >> e) + (remainder > threshold);
}

static void add_row_i16_pot(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                            void *out, int32_t n) {
    const add_params *p = (const add_params *)params;
    const int16_t *a = (const int16_t *)x1, *b = (const int16_t *)x2;
    int16_t *y = (int16_t *)out;
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t v1 = rdbpot_i16(a[i * s1], p->pot_shift1), v2 = rdbpot_i16(b[i * s2], p->pot_shift2);
        /* LiteRT saturates to int16 before clamping to the activation range, which lies inside int16 */
        y[i] = ember_clamp_i16(p->subtract ? v1 - v2 : v1 + v2, p->a.act_min, p->a.act_max);
    }
}

static void add_row_f32_fast(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                             void *out, int32_t n) {
    const add_params *p = (const add_params *)params;
    ember_binary_f32_row(p->isa, p->subtract ? EMBER_BINARY_SUB : EMBER_BINARY_ADD, p->a.act_min_f,
                         p->a.act_max_f, (const float *)x1, s1, (const float *)x2, s2, (float *)out, n);
}

static void add_row_i8_fast(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                            void *out, int32_t n) {
    const add_params *p = (const add_params *)params;
    ember_add_i8_row(p->isa, &p->i8, (const int8_t *)x1, s1, (const int8_t *)x2, s2, (int8_t *)out, n);
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

static void add_row_i32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                        int32_t n) {
    const add_params *p = (const add_params *)params;
    const int32_t *a = (const int32_t *)x1, *b = (const int32_t *)x2;
    int32_t *y = (int32_t *)out;
    int32_t i;
    /* Two's complement wrap without signed overflow. */
    for (i = 0; i < n; ++i) {
        const uint32_t sum = p->subtract ? (uint32_t)a[i * s1] - (uint32_t)b[i * s2]
                                         : (uint32_t)a[i * s1] + (uint32_t)b[i * s2];
        y[i] = sum <= 0x7fffffffu ? (int32_t)sum : (int32_t)(sum - 0x80000000u) - 0x7fffffff - 1;
    }
}

/* int32 ADD and SUB (the counters of tf.while_loop bodies): LiteRT's plain integer arithmetic. */
static ember_status prepare_i32(ember_interpreter *ctx, ember_node *node, add_params *p, ember_broadcast *b) {
    const ember_tensor *input1 = ember_node_input(ctx, node, 0), *input2 = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int8_t activation;
    EMBER_CHECK(ctx, input1->type == EMBER_INT32 && input2->type == EMBER_INT32, EMBER_INVALID_MODEL,
                "%s %ld: types input %s, %s, output int32 must match", node->kernel->name, (long)node->index,
                ember_type_name(input1->type), ember_type_name(input2->type));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_ARITH_FUSED_ACTIVATION, TFL_ACT_NONE, &activation));
    EMBER_CHECK(ctx, activation == TFL_ACT_NONE, EMBER_UNSUPPORTED,
                "%s %ld: int32 with fused activation %d is not supported (only none)", node->kernel->name,
                (long)node->index, (int)activation);
    p->int32 = 1;
    return ember_broadcast_prepare(ctx, node, input1, input2, output, b);
}

/* TFLite's general-scale ADD/SUB: each input rescaled to twice the larger input scale after a left shift (20
 * for int8, 15 for int16), the sum rescaled to the output. */
static ember_status general_multipliers(ember_interpreter *ctx, const ember_node *node, add_params *p,
                                        int left_shift) {
    const double s1 = p->a.input1_scale, s2 = p->a.input2_scale, twice_max = 2.0 * (s1 > s2 ? s1 : s2);
    p->left_shift = left_shift;
    EMBER_TRY(
        smaller_than_one(ctx, node, s1 / twice_max, "input 1", &p->input1_multiplier, &p->input1_shift));
    EMBER_TRY(
        smaller_than_one(ctx, node, s2 / twice_max, "input 2", &p->input2_multiplier, &p->input2_shift));
    return smaller_than_one(ctx, node, twice_max / ((double)(1 << left_shift) * p->a.output_scale), "output",
                            &p->output_multiplier, &p->output_shift);
}

/* int16: the power-of-two path when the option asks for it (an op without options reads it false, as LiteRT's
 * parser leaves it) and all scales are powers of two, else the general one. */
static ember_status prepare_i16(ember_interpreter *ctx, ember_node *node, add_params *p) {
    const char *name = node->kernel->name;
    const long n = (long)node->index;
    int8_t pot = 0;
    int l1 = 0, l2 = 0, lo = 0;
    p->pot16 = 0;
    if (node->has_options)
        EMBER_TRY(ember_option_i8(ctx, node, TFL_ARITH_POT_SCALE_INT16, 1, &pot));
    if (pot && ember_checked_log2(p->a.input1_scale, &l1) && ember_checked_log2(p->a.input2_scale, &l2) &&
        ember_checked_log2(p->a.output_scale, &lo)) {
        const int sh1 = l1 - lo, sh2 = l2 - lo;
        EMBER_CHECK(
            ctx, sh1 == 0 || sh2 == 0, EMBER_UNSUPPORTED,
            "%s %ld: int16 with power-of-two scales 2^%d, 2^%d (output 2^%d) rescales one input only, as "
            "LiteRT does: one input needs the output's scale (or set pot_scale_int16 false)",
            name, n, l1, l2, lo);
        EMBER_CHECK(ctx, sh1 <= 0 && sh2 <= 0, EMBER_UNSUPPORTED,
                    "%s %ld: int16 with power-of-two scales: input scale 2^%d is smaller than the output's "
                    "2^%d; LiteRT's power-of-two path only divides (set pot_scale_int16 false)",
                    name, n, sh1 > 0 ? l1 : l2, lo);
        EMBER_CHECK(ctx, sh1 >= -31 && sh2 >= -31, EMBER_UNSUPPORTED,
                    "%s %ld: int16 with power-of-two scales divides by 2^%d, past the 2^31 LiteRT's rounding "
                    "takes",
                    name, n, -(sh1 < sh2 ? sh1 : sh2));
        EMBER_CHECK(
            ctx,
            p->subtract || (ember_element_count(ember_node_input(ctx, node, 0)) ==
                                ember_element_count(ember_node_output(ctx, node, 0)) &&
                            ember_element_count(ember_node_input(ctx, node, 1)) ==
                                ember_element_count(ember_node_output(ctx, node, 0))),
            EMBER_UNSUPPORTED,
            "%s %ld: int16 with power-of-two scales and broadcasting: LiteRT's kernel for it takes equal "
            "shapes only (it aborts); broadcast the input first or set pot_scale_int16 false",
            name, n);
        p->pot16 = 1;
        p->pot_shift1 = -sh1;
        p->pot_shift2 = -sh2;
        return EMBER_OK;
    }
    return general_multipliers(ctx, node, p, 15);
}

ember_status ember_add_sub_prepare(ember_interpreter *ctx, ember_node *node, int sign) {
    add_data *data = (add_data *)node->op_data;
    add_params *p = &data->params;
    const ember_tensor *output = ember_node_output(ctx, node, 0);

    p->subtract = sign < 0;
    if (node->input_count == 2 && node->output_count == 1 && ember_node_input(ctx, node, 0) &&
        ember_node_input(ctx, node, 1) && output->type == EMBER_INT32)
        return prepare_i32(ctx, node, p, &data->broadcast);
    EMBER_TRY(ember_arith_prepare(ctx, node, &data->broadcast, &p->a));
    p->subtract = sign < 0;
    p->fast = !ctx->reference_kernels;
    p->isa = ctx->isa;
    if (output->type == EMBER_INT16)
        return prepare_i16(ctx, node, p);
    if (output->type == EMBER_INT8) {
        EMBER_TRY(general_multipliers(ctx, node, p, 20));
        p->i8.input1_offset = p->a.input1_offset;
        p->i8.input2_offset = p->a.input2_offset;
        p->i8.output_offset = p->a.output_offset;
        p->i8.left_shift = p->left_shift;
        p->i8.input1_multiplier = p->input1_multiplier;
        p->i8.input1_shift = p->input1_shift;
        p->i8.input2_multiplier = p->input2_multiplier;
        p->i8.input2_shift = p->input2_shift;
        p->i8.output_multiplier = p->output_multiplier;
        p->i8.output_shift = p->output_shift;
        p->i8.act_min = p->a.act_min;
        p->i8.act_max = p->a.act_max;
        p->i8.subtract = p->subtract;
        ember_add_i8_init(&p->i8);
    }
    return EMBER_OK;
}

ember_status ember_add_sub_eval(ember_interpreter *ctx, const ember_node *node) {
    const add_data *data = (const add_data *)node->op_data;
    if (ember_node_output(ctx, node, 0)->type == EMBER_INT16)
        ember_broadcast_run(&data->broadcast, data->params.pot16 ? add_row_i16_pot : add_row_i16,
                            &data->params, ember_node_input(ctx, node, 0)->data,
                            ember_node_input(ctx, node, 1)->data, ember_node_output(ctx, node, 0)->data,
                            sizeof(int16_t));
    else if (data->params.int32)
        ember_broadcast_run(&data->broadcast, add_row_i32, &data->params,
                            ember_node_input(ctx, node, 0)->data, ember_node_input(ctx, node, 1)->data,
                            ember_node_output(ctx, node, 0)->data, sizeof(int32_t));
    else if (data->params.fast)
        ember_arith_eval(ctx, node, &data->broadcast, add_row_f32_fast, add_row_i8_fast, &data->params);
    else
        ember_arith_eval(ctx, node, &data->broadcast, add_row_f32, add_row_i8, &data->params);
    return EMBER_OK;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    return ember_add_sub_prepare(ctx, node, 1);
}

/* Versions 1-5 as LiteRT registers them; int64 variants are refused by type at load. */
EMBER_U8_VIA_I8(add, prepare, ember_add_sub_eval, NULL)

const ember_kernel ember_kernel_add = {
    TFL_OP_ADD,
    "ADD",
    5,
    TFL_OPTIONS_ADD,
    sizeof(add_data),
    add_prepare_u8,
    add_eval_u8,
    NULL,
    add_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32,
};
