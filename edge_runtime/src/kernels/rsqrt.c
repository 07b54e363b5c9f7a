/* RSQRT, 1 / sqrt(x). float: 1.0f / sqrtf(x) as LiteRT, unchecked (0 gives inf, a negative NaN). int8:
 * LiteRT's reference (elementwise.cc, RsqrtEvalQuantizedInt8): the code's offset from the zero point v gets
 * gemmlowp's fixed-point inverse square root (GetInvSqrtQuantizedMultiplierExp), is made an integer with 20
 * fractional bits, then requantised by 1 / (sqrt(s_in) * s_out); v == 0 gives 127. That depends on the code
 * alone, so prepare tabulates it. LiteRT fails at invoke on a code below the zero point (a negative real
 * input); so do we, with EMBER_RUNTIME_ERROR. */
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "quantization.h"
#include "tflite_schema.h"

/* Fraction bits of the inverse square root as an integer before requantisation (LiteRT's kShift). */
#define RSQRT_FRACTION_BITS 20

typedef struct rsqrt_data {
    int32_t count;
    int32_t input_zero_point;
    float input_scale;
    int8_t table[256]; /* by code; codes below the zero point are refused in eval */
} rsqrt_data;

static int8_t rsqrt_i8(int32_t value, int32_t multiplier, int shift, int32_t output_zero_point) {
    int32_t inv_multiplier = INT32_MAX, fixed, out;
    int inv_shift = 0;
    if (value == 0) /* LiteRT: any input that close to 0 maps to the largest output */
        return 127;
    if (value > 1)
        ember_inv_sqrt_multiplier(value, &inv_multiplier, &inv_shift);
    fixed = ember_multiply_by_quantized_multiplier(1, inv_multiplier, inv_shift + RSQRT_FRACTION_BITS);
    out = ember_multiply_by_quantized_multiplier(fixed, multiplier, shift - RSQRT_FRACTION_BITS);
    return (int8_t)ember_offset_clamp(out, output_zero_point, -128, 127);
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    rsqrt_data *data = (rsqrt_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    EMBER_TRY(ember_check_unary(ctx, node, 1));
    data->count = ember_element_count(input);
    if (input->type == EMBER_INT8) {
        float s_in, s_out;
        double real;
        int32_t z_in, z_out, multiplier, q;
        int shift;
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &z_in));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &z_out));
        /* LiteRT's SetRsqrtOutputMultiplier: sqrt and product in float, the reciprocal in double. */
        real = 1.0 / (double)(sqrtf(s_in) * s_out);
        ember_quantize_multiplier(real, &multiplier, &shift);
        /* Outside [2^-12, 2^30) LiteRT's requantisation of the 20-fraction-bit value shifts right by more
         * than 31 or overflows int32 on the left: undefined in C, and no converter writes such scales. */
        EMBER_CHECK(ctx, multiplier != 0 && shift >= -11 && shift <= 30, EMBER_UNSUPPORTED,
                    "RSQRT %ld: int8 scales of '%.64s' (%g) and '%.64s' (%g) give the requantisation 1 / "
                    "(sqrt(s_in) * s_out) = %g, outside the supported [2^-12, 2^30)",
                    (long)node->index, input->name, (double)s_in, output->name, (double)s_out, real);
        data->input_zero_point = z_in;
        data->input_scale = s_in;
        for (q = -128; q <= 127; ++q)
            data->table[(uint8_t)(int8_t)q] = q < z_in ? 0 : rsqrt_i8(q - z_in, multiplier, shift, z_out);
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const rsqrt_data *data = (const rsqrt_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t i;
    if (input->type == EMBER_FLOAT32) {
        for (i = 0; i < data->count; ++i)
            ((float *)output->data)[i] = 1.0f / sqrtf(((const float *)input->data)[i]);
    } else {
        const int8_t *in = (const int8_t *)input->data;
        int8_t *out = (int8_t *)output->data;
        for (i = 0; i < data->count; ++i) {
            EMBER_CHECK(ctx, in[i] >= data->input_zero_point, EMBER_RUNTIME_ERROR,
                        "RSQRT %ld: input '%.64s' element %ld is %d (zero point %ld), i.e. %g; RSQRT is only "
                        "defined for non-negative inputs",
                        (long)node->index, input->name, (long)i, in[i], (long)data->input_zero_point,
                        (double)data->input_scale * (in[i] - data->input_zero_point));
            out[i] = data->table[(uint8_t)in[i]];
        }
    }
    return EMBER_OK;
}

const ember_kernel ember_kernel_rsqrt = {
    TFL_OP_RSQRT, "RSQRT", 2, 0, sizeof(rsqrt_data), prepare, eval, NULL, NULL, EMBER_T_F32 | EMBER_T_I8,
};
