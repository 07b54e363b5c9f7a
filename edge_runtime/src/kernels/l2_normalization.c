/* L2_NORMALIZATION over the last axis: x / max(sqrt(sum x^2), 1e-6) in float32. Quantised outputs have scale
 * 1/128 (zero point 0 for int8, 128 for uint8), as LiteRT requires. LiteRT's reference: v = x - zp_in,
 * sum v^2 in int32, its inverse square root as a multiplier and shift (GetInvSqrtQuantizedMultiplierExp);
 * int8 then requantises v by it with 7 more bits of left shift, uint8 scales 128 * v by it with a single
 * rounding divide (MultiplyByQuantizedMultiplierSmallerThanOneExp) and adds 128; both clamp. */
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "quantization.h"
#include "tflite_schema.h"

#define L2_EPSILON 1e-6f

typedef struct l2_norm_data {
    int32_t outer, depth;
    int32_t input_zero_point;
} l2_norm_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    l2_norm_data *data = (l2_norm_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    long n = (long)node->index;
    int8_t activation;
    char a[96];

    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "L2_NORMALIZATION %ld: needs 1 input and 1 output, has %ld and %ld", n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx,
                input->type == output->type &&
                    (input->type == EMBER_FLOAT32 || input->type == EMBER_INT8 || input->type == EMBER_UINT8),
                EMBER_UNSUPPORTED,
                "L2_NORMALIZATION %ld: types input %s, output %s (float32, int8, uint8 are supported)", n,
                ember_type_name(input->type), ember_type_name(output->type));
    EMBER_CHECK(ctx, ember_same_shape(input, output) && input->rank >= 1, EMBER_INVALID_MODEL,
                "L2_NORMALIZATION %ld: input '%.64s' %s and output '%.64s' need the same shape, rank >= 1", n,
                input->name, ember_shape_string(input, a, sizeof a), output->name);
    EMBER_TRY(ember_option_i8(ctx, node, TFL_L2_NORM_FUSED_ACTIVATION, TFL_ACT_NONE, &activation));
    EMBER_CHECK(ctx, activation == TFL_ACT_NONE, EMBER_UNSUPPORTED,
                "L2_NORMALIZATION %ld: fused activation %d is not supported (LiteRT supports none either)", n,
                (int)activation);
    data->depth = input->dims[input->rank - 1];
    data->outer = data->depth ? ember_element_count(input) / data->depth : 0;
    data->input_zero_point = 0;
    if (input->type != EMBER_FLOAT32) {
        float s_in, s_out;
        int32_t zp_out;
        const int32_t want_zp = input->type == EMBER_INT8 ? 0 : 128;
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &data->input_zero_point));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &zp_out));
        EMBER_CHECK(
            ctx, s_out == 1.0f / 128.0f && zp_out == want_zp, EMBER_INVALID_MODEL,
            "L2_NORMALIZATION %ld: %s output '%.64s' has scale %g and zero point %ld; it must be 1/128 "
            "and %ld",
            n, ember_type_name(output->type), output->name, (double)s_out, (long)zp_out, (long)want_zp);
    }
    return EMBER_OK;
}

static void eval_f32(const l2_norm_data *p, const float *x, float *y) {
    int32_t i, c;
    for (i = 0; i < p->outer; ++i, x += p->depth, y += p->depth) {
        float sum = 0.0f, norm;
        for (c = 0; c < p->depth; ++c)
            sum += x[c] * x[c];
        norm = sqrtf(sum);
        norm = norm > L2_EPSILON ? norm : L2_EPSILON;
        for (c = 0; c < p->depth; ++c)
            y[c] = x[c] / norm;
    }
}

/* Sum of (code - zp)^2 over one row, wrapping like TFLite's int32 (only hostile rows of over 33000 codes
 * can overflow; the inverse square root then treats the wrapped value as 1). */
static int32_t row_square_sum(const int8_t *s8, const uint8_t *u8, int32_t depth, int32_t zp) {
    uint32_t sum = 0;
    int32_t c;
    for (c = 0; c < depth; ++c) {
        const int32_t v = (s8 ? s8[c] : u8[c]) - zp;
        sum += (uint32_t)(v * v);
    }
    return ember_wrap_i32(sum);
}

static void eval_quantized(const l2_norm_data *p, const ember_tensor *input, ember_tensor *output) {
    const int is_i8 = input->type == EMBER_INT8;
    int32_t i, c;
    for (i = 0; i < p->outer; ++i) {
        const size_t row = (size_t)i * (size_t)p->depth;
        const int8_t *s8 = is_i8 ? (const int8_t *)input->data + row : NULL;
        const uint8_t *u8 = is_i8 ? NULL : (const uint8_t *)input->data + row;
        int32_t multiplier;
        int shift;
        ember_inv_sqrt_multiplier(row_square_sum(s8, u8, p->depth, p->input_zero_point), &multiplier, &shift);
        for (c = 0; c < p->depth; ++c) {
            const int32_t v = (is_i8 ? s8[c] : u8[c]) - p->input_zero_point;
            if (is_i8) {
                const int32_t y = ember_multiply_by_quantized_multiplier(v, multiplier, shift + 7);
                ((int8_t *)output->data)[row + c] = ember_clamp_i8(y, -128, 127);
            } else {
                const int32_t y = 128 + ember_rdbpot(ember_srdhm(128 * v, multiplier), -shift);
                ((uint8_t *)output->data)[row + c] = (uint8_t)(y < 0 ? 0 : (y > 255 ? 255 : y));
            }
        }
    }
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const l2_norm_data *p = (const l2_norm_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    if (input->type == EMBER_FLOAT32)
        eval_f32(p, (const float *)input->data, (float *)output->data);
    else
        eval_quantized(p, input, output);
    return EMBER_OK;
}

const ember_kernel ember_kernel_l2_normalization = {
    TFL_OP_L2_NORMALIZATION,
    "L2_NORMALIZATION",
    2,
    TFL_OPTIONS_L2_NORM,
    sizeof(l2_norm_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};
