/* SOFTMAX over the last axis. float32: exp(beta * (x - max)) / sum, subtracting the row maximum first so exp
 * never overflows (TFLite's reference order of operations). int8: TFLite's reference fixed-point kernel
 * (reference_ops::Softmax, gemmlowp arithmetic): x - max scaled to Q5.26 by beta * s_in, exp on negative
 * values, a Q12.19 sum, a fixed-point reciprocal, output (1/256, -128). x - max takes only the 256 values
 * -255 .. 0, so prepare evaluates exp on each once into a table in the op data; eval reads the same bits.
 * int16 (16x8, LiteRT's SoftmaxInt16): x - max rescaled so that [-65535, 0] stands for [-10, 0], exp from a
 * 513-entry interpolated table, the sum's reciprocal from a second one (1 / (1 + x) on [0, 1]) after
 * normalising it, output scale 1/32768 and zero points 0. Both tables are LiteRT's LUTPopulate<int16_t> in
 * double, built at prepare into the op data. int8 (and uint8) input with an int16 output: the int8 kernel
 * with 16 output bits, codes of scale 1/65536 and zero point -32768 whatever the output tensor says, as
 * LiteRT. */
#include <math.h>

#include "fixed_point.h"
#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct softmax_data {
    int32_t outer;
    int32_t depth;
    float beta;
    int32_t input_multiplier; /* int8: beta * s_in * 2^26 as multiplier and left shift */
    int input_left_shift;
    int32_t diff_min;         /* int8: differences below this contribute exp() == 0 */
    const int32_t *exp_table; /* int8: [-diff] exp_on_negative_values of the rescaled diff, Q0.31 */
    const int16_t *exp_lut;   /* int16: exp on [-10, 0] and 1 / (1 + x) on [0, 1], LUT_I16_SIZE each */
    const int16_t *reciprocal_lut;
} softmax_data;

enum { EXP_TABLE_SIZE = 256, LUT_I16_SIZE = 513 };

static size_t op_data_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const size_t base = ember_align_size(sizeof(softmax_data));
    const ember_type in =
        node->input_count >= 1 && node->inputs[0] >= 0 ? ctx->tensors[node->inputs[0]].type : EMBER_FLOAT32;
    if (in == EMBER_INT16)
        return base + 2 * sizeof(int16_t) * LUT_I16_SIZE;
    return in == EMBER_INT8 || in == EMBER_UINT8 ? base + sizeof(int32_t) * EXP_TABLE_SIZE : base;
}

static double exp_f64(double x) {
    return exp(x);
}

static double one_over_one_plus_x(double x) {
    return 1.0 / (1.0 + x);
}

static void softmax_i16(const softmax_data *p, const int16_t *input, int16_t *output) {
    int32_t i, c;
    for (i = 0; i < p->outer; ++i) {
        const int16_t *x = input + (size_t)i * (size_t)p->depth;
        int16_t *y = output + (size_t)i * (size_t)p->depth; /* holds the exps until they are rescaled */
        int32_t max = -32768, sum = 0, shifted, reciprocal, right_shift;
        int headroom_plus_one;
        for (c = 0; c < p->depth; ++c)
            max = x[c] > max ? x[c] : max;
        for (c = 0; c < p->depth; ++c) {
            const int32_t scaled =
                ember_multiply_by_quantized_multiplier(x[c] - max, p->input_multiplier, p->input_left_shift);
            const int32_t sym = scaled + 32767;
            y[c] = (int16_t)ember_lut_lookup_i16(sym < -32768 ? -32768 : (sym > 32767 ? 32767 : sym),
                                                 p->exp_lut);
            sum += y[c];
        }
        headroom_plus_one = ember_count_leading_zeros((uint32_t)sum);
        shifted = (int32_t)((((int64_t)sum << (headroom_plus_one - 1)) + (1 << 13)) >> 14) - (32768 + 65536);
        reciprocal = ember_lut_lookup_i16(shifted < -32768 ? -32768 : (shifted > 32767 ? 32767 : shifted),
                                          p->reciprocal_lut);
        right_shift = 31 - headroom_plus_one;
        for (c = 0; c < p->depth; ++c) {
            const int64_t r = ((int64_t)y[c] * reciprocal + ((int64_t)1 << (right_shift - 1))) >> right_shift;
            y[c] = (int16_t)(r < 0 ? 0 : (r > 32767 ? 32767 : r));
        }
    }
}

enum { SCALED_DIFF_INTEGER_BITS = 5, ACCUMULATION_INTEGER_BITS = 12 };

/* int8 (or uint8 as its int8 image) input; output int8, or int16 with out16 (reference Softmax<int8, int16>:
 * the same exps and reciprocal, 16 output bits offset by -32768). */
static void softmax_i8(const softmax_data *p, const int8_t *input, void *output, int out16) {
    int32_t i, c;
    for (i = 0; i < p->outer; ++i) {
        const int8_t *x = input + (size_t)i * (size_t)p->depth;
        int8_t *y = (int8_t *)output + (size_t)i * (size_t)p->depth;
        int16_t *y16 = (int16_t *)output + (size_t)i * (size_t)p->depth;
        int32_t max = -128, sum = 0, reciprocal, shifted_sum_minus_one, num_bits_over_unit, exponent;
        int headroom_plus_one;
        for (c = 0; c < p->depth; ++c)
            max = x[c] > max ? x[c] : max;
        for (c = 0; c < p->depth; ++c) {
            const int32_t diff = x[c] - max;
            if (diff >= p->diff_min)
                sum += ember_rdbpot(p->exp_table[-diff], ACCUMULATION_INTEGER_BITS);
        }
        /* GetReciprocal: normalise the Q12.19 sum to [1, 2) and invert it */
        headroom_plus_one = ember_count_leading_zeros((uint32_t)sum);
        num_bits_over_unit = ACCUMULATION_INTEGER_BITS - headroom_plus_one;
        shifted_sum_minus_one = (int32_t)(((uint32_t)sum << headroom_plus_one) - 0x80000000u);
        reciprocal = ember_one_over_one_plus_x(shifted_sum_minus_one);
        exponent = num_bits_over_unit + 31 - (out16 ? 16 : 8);
        for (c = 0; c < p->depth; ++c) {
            const int32_t diff = x[c] - max;
            if (diff >= p->diff_min) {
                const int32_t unsat = ember_rdbpot(ember_srdhm(reciprocal, p->exp_table[-diff]), exponent);
                if (out16)
                    y16[c] = ember_clamp_i16(unsat - 32768, -32768, 32767);
                else
                    y[c] = ember_clamp_i8(unsat - 128, -128, 127);
            } else if (out16) {
                y16[c] = -32768;
            } else {
                y[c] = -128;
            }
        }
    }
}

void ember_softmax_f32(const float *input, float *output, int32_t outer, int32_t depth, float beta) {
    int32_t i, c;
    for (i = 0; i < outer; ++i) {
        const float *x = input + (size_t)i * (size_t)depth;
        float *y = output + (size_t)i * (size_t)depth;
        float max = x[0], sum = 0.0f;
        for (c = 1; c < depth; ++c)
            max = x[c] > max ? x[c] : max;
        for (c = 0; c < depth; ++c) {
            y[c] = expf((x[c] - max) * beta);
            sum += y[c];
        }
        for (c = 0; c < depth; ++c)
            y[c] = y[c] / sum;
    }
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    softmax_data *data = (softmax_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, d;
    int same = 1;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "SOFTMAX %ld: needs 1 input and 1 output, has %ld and %ld", (long)n, (long)node->input_count,
                (long)node->output_count);
    EMBER_TRY(ember_option_f32(ctx, node, TFL_SOFTMAX_BETA, 0.0f, &data->beta));
    EMBER_CHECK(
        ctx,
        (input->type == output->type &&
         (input->type == EMBER_FLOAT32 || input->type == EMBER_INT8 || input->type == EMBER_INT16)) ||
            (input->type == EMBER_INT8 && output->type == EMBER_INT16),
        EMBER_UNSUPPORTED,
        "SOFTMAX %ld: types input %s, output %s; float32, int8, int16 and int8 -> int16 are supported",
        (long)n, ember_type_name(input->type), ember_type_name(output->type));
    same = input->rank == output->rank;
    for (d = 0; same && d < input->rank; ++d)
        same = input->dims[d] == output->dims[d];
    EMBER_CHECK(ctx, same && input->rank >= 1, EMBER_INVALID_MODEL,
                "SOFTMAX %ld: input '%.64s' %s and output '%.64s' %s must have the same shape of rank >= 1",
                (long)n, input->name, ember_shape_string(input, a, sizeof a), output->name,
                ember_shape_string(output, b, sizeof b));
    data->depth = input->dims[input->rank - 1];
    data->outer = data->depth ? ember_element_count(input) / data->depth : 0;
    if (input->type == EMBER_INT16) {
        float s_in = 0.0f, s_out = 0.0f; /* set on success; initialised as GCC cannot tell */
        int32_t zp = 0;
        int16_t *luts =
            (int16_t *)(void *)((uint8_t *)node->op_data + ember_align_size(sizeof(softmax_data)));
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, input, 1, &s_in, &zp));
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, output, 1, &s_out, &zp));
        EMBER_CHECK(ctx, fabsf(s_out - 1.0f / 32768.0f) <= 0.001f * (1.0f / 32768.0f), EMBER_INVALID_MODEL,
                    "SOFTMAX %ld: int16 output '%.64s' has scale %.9g; it must be 1/32768 (zero point 0)",
                    (long)n, output->name, (double)s_out);
        /* beta * s_in (a float product, as LiteRT's) rescaled so that a difference of -65535 is -10 */
        ember_quantize_multiplier((double)(s_in * data->beta) / (10.0 / 65535.0), &data->input_multiplier,
                                  &data->input_left_shift);
        EMBER_CHECK(ctx, data->input_left_shift <= 30, EMBER_UNSUPPORTED,
                    "SOFTMAX %ld: beta %g times input scale %g is too large for the int16 kernel (LiteRT's "
                    "int32 rescaling of the differences overflows)",
                    (long)n, (double)data->beta, (double)s_in);
        ember_lut_i16_populate_f64(10.0 / 65535, 32767, 2.0 / 65535, exp_f64, luts);
        ember_lut_i16_populate_f64(1.0 / 65535, -32768, 2.0 / 65535, one_over_one_plus_x,
                                   luts + LUT_I16_SIZE);
        data->exp_lut = luts;
        data->reciprocal_lut = luts + LUT_I16_SIZE;
    }
    if (input->type == EMBER_INT8) {
        float s_in, s_out;
        int32_t z_in, z_out, *table;
        double real, radius;
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &z_in));
        /* an int16 output: LiteRT checks nothing and writes codes of scale 1/65536, zero point -32768 */
        if (output->type != EMBER_INT16) {
            EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &z_out));
            EMBER_CHECK(
                ctx, s_out == 1.0f / 256.0f && z_out == -128, EMBER_INVALID_MODEL,
                "SOFTMAX %ld: int8 output '%.64s' has scale %g and zero point %ld; it must be 1/256 and -128",
                (long)n, output->name, (double)s_out, (long)z_out);
        }
        /* TFLite's PreprocessSoftmaxScaling: beta * s_in in Q5.26, capped below 2^31. */
        real = (double)data->beta * (double)s_in * (double)(1 << (31 - SCALED_DIFF_INTEGER_BITS));
        real = real < 2147483647.0 ? real : 2147483647.0;
        ember_quantize_multiplier(real, &data->input_multiplier, &data->input_left_shift);
        EMBER_CHECK(ctx, data->input_left_shift >= 0 && data->input_left_shift <= 31, EMBER_UNSUPPORTED,
                    "SOFTMAX %ld: beta %g times input scale %g is too small for the int8 kernel", (long)n,
                    (double)data->beta, (double)s_in);
        /* CalculateInputRadius: the largest difference whose rescaled value still fits Q5.26. */
        radius = 1.0 * ((1 << SCALED_DIFF_INTEGER_BITS) - 1) *
                 (double)((int64_t)1 << (31 - SCALED_DIFF_INTEGER_BITS)) /
                 (double)((int64_t)1 << data->input_left_shift);
        data->diff_min = -(int32_t)floor(radius);
        table = (int32_t *)(void *)((uint8_t *)node->op_data + ember_align_size(sizeof(softmax_data)));
        for (d = 0; d < EXP_TABLE_SIZE; ++d) {
            const int32_t scaled = ember_srdhm(ember_saturating_left_shift(-d, data->input_left_shift),
                                               data->input_multiplier); /* Q5.26 */
            table[d] = -d >= data->diff_min ? ember_exp_on_negative_values_q5(scaled) : 0;
        }
        data->exp_table = table;
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const softmax_data *data = (const softmax_data *)node->op_data;
    if (ember_node_input(ctx, node, 0)->type == EMBER_INT16) {
        softmax_i16(data, (const int16_t *)ember_node_input(ctx, node, 0)->data,
                    (int16_t *)ember_node_output(ctx, node, 0)->data);
        return EMBER_OK;
    }
    if (ember_node_input(ctx, node, 0)->type == EMBER_INT8) {
        softmax_i8(data, (const int8_t *)ember_node_input(ctx, node, 0)->data,
                   ember_node_output(ctx, node, 0)->data,
                   ember_node_output(ctx, node, 0)->type == EMBER_INT16);
        return EMBER_OK;
    }
    ember_softmax_f32((const float *)ember_node_input(ctx, node, 0)->data,
                      (float *)ember_node_output(ctx, node, 0)->data, data->outer, data->depth, data->beta);
    return EMBER_OK;
}

EMBER_U8_VIA_I8(softmax, prepare, eval, NULL)

const ember_kernel ember_kernel_softmax = {
    TFL_OP_SOFTMAX,
    "SOFTMAX",
    3,
    TFL_OPTIONS_SOFTMAX,
    sizeof(softmax_data),
    softmax_prepare_u8,
    softmax_eval_u8,
    op_data_bytes,
    softmax_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
