/* HARD_SWISH: x * relu6(x + 3) / 6. int8 follows TFLite's reference fixed-point arithmetic in int16: the
 * input on a "hires" scale s_in / 128, a "reluish" factor in [0, 1] from a multiplier s_hires / (3 / 32768),
 * and an output multiplier s_hires / s_out, both rounded to int16 fixed point. */
#include "gemm/elementwise.h"
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct hard_swish_data {
    int32_t count;
    int32_t input_zero_point, output_zero_point;
    int16_t output_multiplier, reluish_multiplier;
    int output_exponent, reluish_exponent;
    /* fast (not EMBER_ISA=reference): gemm/elementwise.h at level isa, SIMD float32 and, for int8, look-ups
     * in the output of every input code (by (uint8_t)x), made by hard_swish_i8 at prepare; otherwise the
     * reference's arithmetic on each element. */
    int fast;
    ember_isa isa;
    int8_t table[256];
} hard_swish_data;

/* gemmlowp's int16 saturating rounding doubling high multiply. */
static int16_t srdhm16(int16_t a, int16_t b) {
    const int32_t ab = (int32_t)a * (int32_t)b;
    const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
    if (a == b && a == INT16_MIN)
        return INT16_MAX;
    return (int16_t)((ab + nudge) / (1 << 15));
}

/* TFLite's SaturatingDoublingHighMul (no rounding nudge: it cancels the bias of the two rounded products). */
static int16_t sdhm16(int16_t a, int16_t b) {
    if (a == b && a == INT16_MIN)
        return INT16_MAX;
    return (int16_t)(((int32_t)a * (int32_t)b) / (1 << 15));
}

static int16_t saturating_left_shift16(int16_t x, int amount) {
    const int64_t y = (int64_t)x * ((int64_t)1 << amount);
    return (int16_t)(y < INT16_MIN ? INT16_MIN : (y > INT16_MAX ? INT16_MAX : y));
}

/* TFLite's DownScaleInt32ToInt16Multiplier. */
static int16_t to_int16_multiplier(int32_t m) {
    if (m >= INT32_MAX - (1 << 15))
        return INT16_MAX;
    return (int16_t)((m + (1 << 15)) >> 16);
}

static int8_t hard_swish_i8(const hard_swish_data *p, int8_t x) {
    const int16_t v = (int16_t)(x - p->input_zero_point);
    const int16_t hires = (int16_t)(v * (1 << 7));
    const int16_t preshift_output = srdhm16(hires, p->output_multiplier);
    int16_t reluish = hires, out;
    int32_t y;
    if (p->reluish_exponent > 0)
        reluish = saturating_left_shift16(reluish, p->reluish_exponent - 1);
    reluish = srdhm16(reluish, p->reluish_multiplier);
    if (p->reluish_exponent > 0)
        reluish = saturating_left_shift16(reluish, 1);
    if (p->reluish_exponent < 0)
        reluish = (int16_t)ember_rdbpot(reluish, -p->reluish_exponent);
    /* [-1, 1] to [0, 1] in Q15 */
    reluish = (int16_t)((reluish + (1 << 15)) >> 1);
    out = (int16_t)ember_rdbpot(sdhm16(reluish, preshift_output), -p->output_exponent);
    y = out + p->output_zero_point;
    return ember_clamp_i8(y, -128, 127);
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    hard_swish_data *data = (hard_swish_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    EMBER_TRY(ember_check_unary(ctx, node, 1));
    data->count = ember_element_count(input);
    data->fast = !ctx->reference_kernels;
    data->isa = ctx->isa;
    if (input->type == EMBER_INT8) {
        float s_in, s_out, hires;
        int32_t m, q;
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &data->input_zero_point));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &data->output_zero_point));
        hires = (1.0f / 128.0f) * s_in;
        ember_quantize_multiplier((double)(hires / s_out), &m, &data->output_exponent);
        data->output_multiplier = to_int16_multiplier(m);
        EMBER_CHECK(ctx, data->output_exponent <= 0, EMBER_UNSUPPORTED,
                    "HARD_SWISH %ld: input scale %g is too large for output scale %g (TFLite needs "
                    "s_in / 128 <= s_out)",
                    (long)node->index, (double)s_in, (double)s_out);
        ember_quantize_multiplier((double)(hires / (3.0f / 32768.0f)), &m, &data->reluish_exponent);
        data->reluish_multiplier = to_int16_multiplier(m);
        for (q = -128; q < 128; ++q)
            data->table[(uint8_t)q] = hard_swish_i8(data, (int8_t)q);
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const hard_swish_data *data = (const hard_swish_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t i;
    if (input->type == EMBER_FLOAT32) {
        const float *x = (const float *)input->data;
        float *y = (float *)output->data;
        if (data->fast) {
            ember_hard_swish_f32(data->isa, x, y, data->count);
        } else {
            for (i = 0; i < data->count; ++i) {
                const float r = x[i] + 3.0f;
                y[i] = x[i] * (r < 0.0f ? 0.0f : (r > 6.0f ? 6.0f : r)) / 6.0f;
            }
        }
    } else {
        const int8_t *x = (const int8_t *)input->data;
        int8_t *y = (int8_t *)output->data;
        if (data->fast) {
            ember_lut_i8(data->isa, data->table, x, y, data->count);
        } else {
            for (i = 0; i < data->count; ++i)
                y[i] = hard_swish_i8(data, x[i]);
        }
    }
    return EMBER_OK;
}

const ember_kernel ember_kernel_hard_swish = {
    TFL_OP_HARD_SWISH,
    "HARD_SWISH",
    1,
    TFL_OPTIONS_HARD_SWISH,
    sizeof(hard_swish_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8,
};
