/* LOG_SOFTMAX over the last axis. float32, in the order of TFLite's reference (reference/log_softmax.h): the
 * row maximum (from the lowest float), the sum of exp(x - max), then x - max - log(sum). int8 and uint8:
 * TFLite's reference fixed-point kernel (reference_integer_ops::LogSoftmax, gemmlowp arithmetic): x - max
 * scaled to Q5.26 by s_in (beta is 1), exp on negative values summed in Q12.19, its log in Q5.26 subtracted,
 * the result rounded to the fixed output (16/256, 127) (uint8: 255). Differences whose scaled value would be
 * below the Q5.26 range (diff_min), or below it once the log is subtracted, give the lowest code. x - max
 * takes only the 256 values -255 .. 0, so prepare tabulates its Q5.26 value and its exp once in the op
 * data. */
#include <float.h>
#include <math.h>

#include "fixed_point.h"
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct log_softmax_data {
    int32_t outer, depth;
    int32_t diff_min;           /* int8: differences below this are left out of the sum */
    int32_t reverse_multiplier; /* int8: 1 / (s_in * 2^26) as multiplier and (non-positive) shift */
    int reverse_shift;
    const int32_t *scaled_diff; /* int8: [-diff] the difference in Q5.26 */
    const int32_t *exp_q12;     /* int8: [-diff] its exp in Q12.19 */
} log_softmax_data;

enum {
    DIFF_TABLE_SIZE = 256,
    INPUT_INTEGER_BITS = 5,
    ACCUMULATION_INTEGER_BITS = 12,
    OUTPUT_INTEGER_BITS = 4
};

static size_t op_data_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const size_t base = ember_align_size(sizeof(log_softmax_data));
    const ember_type out = node->output_count >= 1 && node->outputs[0] >= 0
                               ? ctx->tensors[node->outputs[0]].type
                               : EMBER_FLOAT32;
    return out == EMBER_INT8 || out == EMBER_UINT8 ? base + 2 * sizeof(int32_t) * DIFF_TABLE_SIZE : base;
}

/* TFLite's PreprocessLogSoftmaxScalingExp and CalculateInputRadius for beta 1, refusing what its
 * QuantizeMultiplierGreaterThanOne / SmallerThanOneExp checks abort on. */
static ember_status prepare_i8(ember_interpreter *ctx, const ember_node *node, log_softmax_data *data) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const long n = (long)node->index;
    const int u8 = ember_is_u8(output);
    float s_in, s_out;
    int32_t z_in, z_out, multiplier, *scaled, *exps;
    int left_shift, d;
    double real;

    EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &z_in));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &z_out));
    EMBER_CHECK(
        ctx, s_out == 16.0f / 256.0f && z_out == 127, EMBER_INVALID_MODEL,
        "LOG_SOFTMAX %ld: %s output '%.64s' has scale %g and zero point %ld; it must be 16/256 and %d "
        "(the fixed output range [-255/16, 0] of LiteRT's quantised kernel)",
        n, u8 ? "uint8" : "int8", output->name, (double)s_out, (long)(z_out + (u8 ? 128 : 0)),
        u8 ? 255 : 127);
    /* s_in in Q5.26 (beta 1), capped below 2^31; LiteRT requires it above 1, i.e. s_in > 2^-26. */
    real = (double)s_in * (double)(1 << (31 - INPUT_INTEGER_BITS));
    real = real < 2147483647.0 ? real : 2147483647.0;
    EMBER_CHECK(ctx, real > 1.0, EMBER_UNSUPPORTED,
                "LOG_SOFTMAX %ld: input '%.64s' has scale %g; the quantised kernel needs a scale above 2^-26 "
                "(LiteRT's aborts below it): quantise the input with a larger scale",
                n, input->name, (double)s_in);
    ember_quantize_multiplier(real, &multiplier, &left_shift);
    /* The reverse scaling 2^(31 - left_shift) / multiplier, which maps a Q5.26 value back to input units. */
    ember_quantize_multiplier((double)((int64_t)1 << (31 - left_shift)) / (double)multiplier,
                              &data->reverse_multiplier, &data->reverse_shift);
    EMBER_CHECK(ctx, data->reverse_shift <= 0, EMBER_UNSUPPORTED,
                "LOG_SOFTMAX %ld: input '%.64s' has scale %g, too close to 2^-26 for the quantised kernel", n,
                input->name, (double)s_in);
    /* CalculateInputRadius: the largest difference whose rescaled value still fits Q5.26. */
    data->diff_min =
        -(int32_t)floor(((1 << INPUT_INTEGER_BITS) - 1) * (double)((int64_t)1 << (31 - INPUT_INTEGER_BITS)) /
                        (double)((int64_t)1 << left_shift));
    scaled = (int32_t *)(void *)((uint8_t *)node->op_data + ember_align_size(sizeof(log_softmax_data)));
    exps = scaled + DIFF_TABLE_SIZE;
    for (d = 0; d < DIFF_TABLE_SIZE; ++d) {
        /* differences below diff_min are never looked up (their scaled value would overflow) */
        scaled[d] =
            -d >= data->diff_min ? ember_multiply_by_quantized_multiplier(-d, multiplier, left_shift) : 0;
        exps[d] = -d >= data->diff_min
                      ? ember_rdbpot(ember_exp_on_negative_values_q5(scaled[d]), ACCUMULATION_INTEGER_BITS)
                      : 0;
    }
    data->scaled_diff = scaled;
    data->exp_q12 = exps;
    return EMBER_OK;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    log_softmax_data *data = (log_softmax_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    long n = (long)node->index;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "LOG_SOFTMAX %ld: needs 1 input and 1 output, has %ld and %ld", n, (long)node->input_count,
                (long)node->output_count);
    EMBER_CHECK(ctx,
                input->type == output->type && (input->type == EMBER_FLOAT32 || input->type == EMBER_INT8),
                EMBER_UNSUPPORTED,
                "LOG_SOFTMAX %ld: types input %s, output %s; float32, int8 and uint8 are supported", n,
                ember_type_name(input->type), ember_type_name(output->type));
    EMBER_CHECK(
        ctx, ember_same_shape(input, output) && input->rank >= 1, EMBER_INVALID_MODEL,
        "LOG_SOFTMAX %ld: input '%.64s' %s and output '%.64s' %s must have the same shape of rank >= 1", n,
        input->name, ember_shape_string(input, a, sizeof a), output->name,
        ember_shape_string(output, b, sizeof b));
    data->depth = input->dims[input->rank - 1];
    data->outer = data->depth ? ember_element_count(input) / data->depth : 0;
    return input->type == EMBER_INT8 ? prepare_i8(ctx, node, data) : EMBER_OK;
}

static void log_softmax_i8(const log_softmax_data *p, const int8_t *input, int8_t *output) {
    int32_t i, c;
    for (i = 0; i < p->outer; ++i) {
        const int8_t *x = input + (size_t)i * (size_t)p->depth;
        int8_t *y = output + (size_t)i * (size_t)p->depth;
        int32_t max = -128, log_sum, adjusted_diff_min, below;
        uint32_t sum = 0;
        for (c = 0; c < p->depth; ++c)
            max = x[c] > max ? x[c] : max;
        for (c = 0; c < p->depth; ++c) {
            const int32_t diff = x[c] - max;
            if (diff >= p->diff_min)
                sum += (uint32_t)p->exp_q12[-diff];
        }
        /* Each exp is at most 2^19 (1 in Q12.19), so past 4095 values near the row maximum the int32 sum of
         * TFLite's kernel wraps; it wraps here too, to give LiteRT's bits for long rows. */
        log_sum = ember_log_x_ge_1_q12_to_q5(ember_wrap_i32(sum));
        /* The lowest Q5.26 value plus the log, back in input units: smaller differences leave the range
         * once the log is subtracted. Note > below, where the sum took >=. */
        below = ember_multiply_by_quantized_multiplier(ember_wrap_i32((uint32_t)log_sum + 0x80000000u),
                                                       p->reverse_multiplier, p->reverse_shift);
        adjusted_diff_min = below > p->diff_min - 1 ? below : p->diff_min - 1;
        for (c = 0; c < p->depth; ++c) {
            const int32_t diff = x[c] - max;
            if (diff > adjusted_diff_min) {
                const int32_t q5 = ember_wrap_i32((uint32_t)p->scaled_diff[-diff] - (uint32_t)log_sum);
                const int32_t out = ember_rdbpot(q5, 31 - INPUT_INTEGER_BITS - OUTPUT_INTEGER_BITS) + 127;
                y[c] = ember_clamp_i8(out, -128, 127);
            } else {
                y[c] = -128;
            }
        }
    }
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const log_softmax_data *data = (const log_softmax_data *)node->op_data;
    const ember_tensor *in = ember_node_input(ctx, node, 0);
    int32_t i, c;
    if (in->type == EMBER_INT8) {
        log_softmax_i8(data, (const int8_t *)in->data, (int8_t *)ember_node_output(ctx, node, 0)->data);
        return EMBER_OK;
    }
    for (i = 0; i < data->outer; ++i) {
        const float *x = (const float *)in->data + (size_t)i * (size_t)data->depth;
        float *y = (float *)ember_node_output(ctx, node, 0)->data + (size_t)i * (size_t)data->depth;
        float max = -FLT_MAX, sum = 0.0f, log_sum;
        for (c = 0; c < data->depth; ++c)
            max = max < x[c] ? x[c] : max; /* std::max(max, x) */
        for (c = 0; c < data->depth; ++c)
            sum += expf(x[c] - max);
        log_sum = logf(sum);
        for (c = 0; c < data->depth; ++c)
            y[c] = x[c] - max - log_sum;
    }
    return EMBER_OK;
}

/* uint8 is the int8 kernel on flipped bytes: LiteRT's uint8 kernel differs only by the offset of 128 in its
 * codes, its maximum, zero point (255) and clamp range. */
EMBER_U8_VIA_I8(log_softmax, prepare, eval, NULL)

/* Versions 1-2 as LiteRT registers them (2: int8). */
const ember_kernel ember_kernel_log_softmax = {
    TFL_OP_LOG_SOFTMAX,
    "LOG_SOFTMAX",
    2,
    TFL_OPTIONS_LOG_SOFTMAX,
    sizeof(log_softmax_data),
    log_softmax_prepare_u8,
    log_softmax_eval_u8,
    op_data_bytes,
    log_softmax_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};
