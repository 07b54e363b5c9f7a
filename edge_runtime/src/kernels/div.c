/* DIV: out = act(x1 / x2) with numpy broadcasting, as TFLite's reference (div.cc, reference/div.h).
 * float32: the quotient, then the fused activation's clamp; division by zero gives inf or NaN as in C.
 * int8 and uint8: the codes minus their zero points, the divisor made positive (both signs flipped), its
 * fixed-point reciprocal (GetReciprocal), the dividend shifted left by its leading sign bits and multiplied
 * by it, then one requantisation by s1 / (s2 * s_out) whose right shift subtracts the reciprocal's and the
 * dividend's shifts. That shift passes 31 for small dividends over larger divisors (0 / d for every d > 1 at
 * a ratio up to 1) and can reach 69, where gemmlowp's RoundingDivideByPOT is undefined; we compute what
 * LiteRT's x86-64 build computes there (0 / d comes out as output zero point + 1, -1 / d often saturates;
 * the tests pin it down on every code pair). A divisor
 * code equal to its zero point fails the invoke, as LiteRT fails it. uint8 is computed on its own codes: the
 * arithmetic is that of int8 on the shifted codes, but a direct row needs no flipped copies. */
#include <stddef.h>

#include "fixed_point.h"
#include "kernels/broadcast.h"
#include "kernels/kernels.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct div_data {
    ember_arith_params params; /* first: the float32 row reads it */
    ember_broadcast broadcast;
    int32_t output_multiplier;
    int output_shift;
    int32_t divisor_count;
    /* int8 and uint8 only (op_data_bytes): GetReciprocal(d, 31) of every divisor magnitude d in [1, 255] */
    int32_t reciprocal[256];
} div_data;

static size_t op_data_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const ember_type out = node->output_count >= 1 && node->outputs[0] >= 0
                               ? ctx->tensors[node->outputs[0]].type
                               : EMBER_FLOAT32;
    return out == EMBER_INT8 || out == EMBER_UINT8 ? sizeof(div_data) : offsetof(div_data, reciprocal);
}

static void div_row_f32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                        int32_t n) {
    const ember_arith_params *p = (const ember_arith_params *)params;
    const float *a = (const float *)x1, *b = (const float *)x2;
    float *y = (float *)out;
    int32_t i;
    for (i = 0; i < n; ++i)
        y[i] = ember_clamp_f32(a[i * s1] / b[i * s2], p->act_min_f, p->act_max_f);
}

/* TFLite's CountLeadingSignBits: the bits after the sign bit equal to it, 31 for 0. */
static int leading_sign_bits(int32_t x) {
    return x == 0 ? 31 : ember_count_leading_zeros(x > 0 ? (uint32_t)x : ~(uint32_t)x) - 1;
}

/* gemmlowp's RoundingDivideByPOT as LiteRT's x86-64 build evaluates it for an exponent in [0, 69]: the mask
 * (1ll << exponent) - 1 is shifted in 64 bits (count mod 64) and truncated to int32, x is shifted in 32 bits
 * (count mod 32), and the rounding bit is added with int32's wraparound. Equal to ember_rdbpot up to 31. */
static int32_t rounding_divide_x86(int32_t x, int exponent) {
    const int32_t mask = ember_wrap_i32((uint32_t)((((uint64_t)1) << (exponent & 63)) - 1));
    const int32_t threshold = (mask >> 1) + (x < 0);
    return ember_wrap_i32((uint32_t)(x >> (exponent & 31)) + ((x & mask) > threshold));
}

/* The requantised quotient of x1 / x2 (x2 != 0, both in [-255, 255]) before the output offset. */
static int32_t quotient_q(const div_data *d, int32_t x1, int32_t x2) {
    int clz, headroom;
    int32_t unscaled;
    if (x2 < 0) { /* the reciprocal is a positive multiplier */
        x1 = -x1;
        x2 = -x2;
    }
    clz = ember_count_leading_zeros((uint32_t)x2);
    headroom = leading_sign_bits(x1);
    unscaled = ember_srdhm(ember_wrap_i32((uint32_t)x1 << headroom), d->reciprocal[x2]);
    /* -(output_shift - (31 - clz) - headroom) >= 0: prepare bounds output_shift by 23 */
    return rounding_divide_x86(ember_srdhm(unscaled, d->output_multiplier),
                               headroom + 31 - clz - d->output_shift);
}

#define DIV_ROW_Q(name, type)                                                                                \
    static void name(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,  \
                     int32_t n) {                                                                            \
        const div_data *d = (const div_data *)params;                                                        \
        const ember_arith_params *p = &d->params;                                                            \
        const type *a = (const type *)x1, *b = (const type *)x2;                                             \
        type *y = (type *)out;                                                                               \
        int32_t i;                                                                                           \
        for (i = 0; i < n; ++i) {                                                                            \
            const int32_t q = quotient_q(d, p->input1_offset + a[i * s1], p->input2_offset + b[i * s2]);     \
            /* LiteRT adds the offset in int32, wrapping */                                                  \
            const int32_t v = ember_wrap_i32((uint32_t)p->output_offset + (uint32_t)q);                      \
            y[i] = (type)(v < p->act_min ? p->act_min : (v > p->act_max ? p->act_max : v));                  \
        }                                                                                                    \
    }

DIV_ROW_Q(div_row_i8, int8_t)
DIV_ROW_Q(div_row_u8, uint8_t)

static ember_status prepare_quantized(ember_interpreter *ctx, const ember_node *node, div_data *data) {
    const ember_tensor *input1 = ember_node_input(ctx, node, 0), *input2 = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    ember_arith_params *p = &data->params;
    const int u8 = output->type == EMBER_UINT8;
    const long n = (long)node->index;
    int8_t activation;
    int32_t z1, z2, zo, d;
    float product, real;

    EMBER_TRY(ember_option_i8(ctx, node, TFL_ARITH_FUSED_ACTIVATION, TFL_ACT_NONE, &activation));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, input1, &p->input1_scale, &z1));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, input2, &p->input2_scale, &z2));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &p->output_scale, &zo));
    p->input1_offset = -z1;
    p->input2_offset = -z2;
    p->output_offset = zo;
    EMBER_CHECK(ctx,
                ember_activation_range_q(activation, p->output_scale, zo, u8 ? 0 : -128, u8 ? 255 : 127,
                                         &p->act_min, &p->act_max),
                EMBER_UNSUPPORTED, "DIV %ld: fused activation %d is not supported", n, (int)activation);
    /* LiteRT's float expression, rounded to float before QuantizeMultiplier widens it */
    product = p->input2_scale * p->output_scale;
    real = p->input1_scale / product;
    EMBER_CHECK(ctx, real <= 3.4e38f, EMBER_UNSUPPORTED,
                "DIV %ld: scales %g / (%g * %g) overflow float32; rescale the divisor or the output", n,
                (double)p->input1_scale, (double)p->input2_scale, (double)p->output_scale);
    ember_quantize_multiplier((double)real, &data->output_multiplier, &data->output_shift);
    /* The final right shift is output_shift subtracted from at least 23 (the dividend's leading sign bits):
     * past 23 it would be a left shift, which LiteRT's reference leaves undefined. */
    EMBER_CHECK(ctx, data->output_shift <= 23, EMBER_UNSUPPORTED,
                "DIV %ld: scale ratio s1 / (s2 * s_out) = %g is 2^23 or more, beyond TFLite's quantised DIV; "
                "give the output a larger scale",
                n, (double)real);
    data->divisor_count = ember_element_count(input2);
    /* GetReciprocal(d, 31): d normalised into [1, 2) as 1 + r, then 1 / (1 + r) in Q0.31 */
    data->reciprocal[0] = 0; /* never read: eval refuses a divisor at its zero point */
    for (d = 1; d < 256; ++d) {
        const int clz = ember_count_leading_zeros((uint32_t)d);
        data->reciprocal[d] = ember_one_over_one_plus_x(ember_wrap_i32(((uint32_t)d << clz) - 0x80000000u));
    }
    return EMBER_OK;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    div_data *data = (div_data *)node->op_data;
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const ember_tensor *input1;
    EMBER_TRY(ember_binary_prepare(ctx, node, &data->broadcast));
    input1 = ember_node_input(ctx, node, 0);
    EMBER_CHECK(ctx, output && output->type == input1->type, EMBER_INVALID_MODEL,
                "DIV %ld: output is %s, the inputs %s", (long)node->index,
                output ? ember_type_name(output->type) : "?", ember_type_name(input1->type));
    if (output->type == EMBER_INT8 || output->type == EMBER_UINT8)
        return prepare_quantized(ctx, node, data);
    EMBER_CHECK(ctx, output->type == EMBER_FLOAT32, EMBER_UNSUPPORTED,
                "DIV %ld: type %s is not supported (float32, int8 and uint8 are)", (long)node->index,
                ember_type_name(output->type));
    return ember_arith_prepare(ctx, node, &data->broadcast, &data->params);
}

/* Index of the first divisor code equal to the divisor's zero point (its quantised 0), -1 when none. */
static int32_t find_zero(const ember_tensor *divisor, int32_t count, int32_t zero_point) {
    int32_t i;
    for (i = 0; i < count; ++i) {
        const int32_t q = divisor->type == EMBER_UINT8 ? ((const uint8_t *)divisor->data)[i]
                                                       : ((const int8_t *)divisor->data)[i];
        if (q == zero_point)
            return i;
    }
    return -1;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const div_data *data = (const div_data *)node->op_data;
    const ember_tensor *x = ember_node_input(ctx, node, 0), *divisor = ember_node_input(ctx, node, 1);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t zero;
    if (output->type == EMBER_FLOAT32) {
        ember_broadcast_run(&data->broadcast, div_row_f32, &data->params, x->data, divisor->data,
                            output->data, sizeof(float));
        return EMBER_OK;
    }
    zero = find_zero(divisor, data->divisor_count, -data->params.input2_offset);
    EMBER_CHECK(
        ctx, zero < 0, EMBER_RUNTIME_ERROR,
        "DIV %ld: division by 0: element %ld of divisor '%.64s' is its zero point %ld (quantised %s DIV "
        "has no value for it; LiteRT fails the same way)",
        (long)node->index, (long)zero, divisor->name, (long)-data->params.input2_offset,
        ember_type_name(output->type));
    ember_broadcast_run(&data->broadcast, output->type == EMBER_UINT8 ? div_row_u8 : div_row_i8, data,
                        x->data, divisor->data, output->data, 1);
    return EMBER_OK;
}

/* Versions 1-2 as LiteRT's reference resolver registers them (it refuses 3). */
const ember_kernel ember_kernel_div = {
    TFL_OP_DIV,
    "DIV",
    2,
    TFL_OPTIONS_DIV,
    sizeof(div_data),
    prepare,
    eval,
    op_data_bytes,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};
