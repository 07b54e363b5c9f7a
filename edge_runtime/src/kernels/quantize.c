/* QUANTIZE: float32 -> int8 or int16, clamp(round_half_away(x / scale) + zp) with the division in float, as
 * TFLite's reference AffineQuantize does (val / static_cast<float>(scale): a double quotient rounds some
 * halves the other way); int8 or int16 -> int8 or int16 requantises (x - zp_in) with one multiplier
 * s_in / s_out (TFLite's Requantize, the int8 double rounding). What LiteRT refuses is refused: int16 ->
 * int16 needs zero points 0, int16 -> uint8 is not an op. */
#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct quantize_data {
    int32_t count;
    float scale;
    int32_t input_zero_point, output_zero_point;
    int32_t multiplier;
    int shift;
    int32_t out_min, out_max; /* the output type's range */
} quantize_data;

/* Quantisation parameters of an int8 (or presented uint8) or int16 operand. */
static ember_status operand_quant(ember_interpreter *ctx, const ember_node *node, const ember_tensor *t,
                                  int symmetric16, float *scale, int32_t *zero_point) {
    if (t->type == EMBER_INT16)
        return ember_tensor_quant_i16(ctx, node, t, symmetric16, scale, zero_point);
    return ember_tensor_quant_i8(ctx, node, t, scale, zero_point);
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    quantize_data *data = (quantize_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    float s_in, s_out;
    int both16;
    char a[96], b[96];
    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "QUANTIZE %ld: needs 1 input and 1 output, has %ld and %ld", (long)node->index,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(
        ctx,
        (input->type == EMBER_FLOAT32 || input->type == EMBER_INT8 || input->type == EMBER_INT16) &&
            (output->type == EMBER_INT8 || output->type == EMBER_INT16) &&
            !(input->type == EMBER_INT16 && ember_is_u8(output)),
        EMBER_UNSUPPORTED,
        "QUANTIZE %ld: %s -> %s%s is not supported (float32, int8, uint8 or int16 -> int8 or int16 are; "
        "uint8 outputs take float32, int8 or uint8)",
        (long)node->index, ember_type_name(input->type), ember_is_u8(output) ? "u" : "",
        ember_type_name(output->type));
    EMBER_CHECK(ctx, ember_same_shape(input, output), EMBER_INVALID_MODEL,
                "QUANTIZE %ld: input '%.64s' %s and output '%.64s' %s must have the same shape",
                (long)node->index, input->name, ember_shape_string(input, a, sizeof a), output->name,
                ember_shape_string(output, b, sizeof b));
    data->count = ember_element_count(input);
    /* LiteRT requires symmetric int16 only when both sides are int16. */
    both16 = input->type == EMBER_INT16 && output->type == EMBER_INT16;
    EMBER_TRY(operand_quant(ctx, node, output, both16, &s_out, &data->output_zero_point));
    data->out_min = output->type == EMBER_INT16 ? -32768 : -128;
    data->out_max = output->type == EMBER_INT16 ? 32767 : 127;
    data->scale = s_out;
    if (input->type != EMBER_FLOAT32) {
        EMBER_TRY(operand_quant(ctx, node, input, both16, &s_in, &data->input_zero_point));
        ember_quantize_multiplier((double)s_in / (double)s_out, &data->multiplier, &data->shift);
    }
    return EMBER_OK;
}

static void store(const ember_tensor *output, int32_t i, int32_t v) {
    if (output->type == EMBER_INT16)
        ((int16_t *)output->data)[i] = (int16_t)v;
    else
        ((int8_t *)output->data)[i] = (int8_t)v;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const quantize_data *data = (const quantize_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t i;
    if (input->type == EMBER_FLOAT32) {
        const float *x = (const float *)input->data;
        for (i = 0; i < data->count; ++i) {
            float q = ember_round_f32(x[i] / data->scale);
            /* Clamp before converting so huge values stay defined; NaN maps to the zero point. */
            q = q != q ? 0.0f : (q < -131072.0f ? -131072.0f : (q > 131072.0f ? 131072.0f : q));
            store(output, i,
                  ember_offset_clamp((int32_t)q, data->output_zero_point, data->out_min, data->out_max));
        }
    } else {
        for (i = 0; i < data->count; ++i) {
            const int32_t x = input->type == EMBER_INT16 ? ((const int16_t *)input->data)[i]
                                                         : ((const int8_t *)input->data)[i];
            const int32_t v = ember_multiply_by_quantized_multiplier(x - data->input_zero_point,
                                                                     data->multiplier, data->shift);
            store(output, i, ember_offset_clamp(v, data->output_zero_point, data->out_min, data->out_max));
        }
    }
    return EMBER_OK;
}

EMBER_U8_VIA_I8(quantize, prepare, eval, NULL)

const ember_kernel ember_kernel_quantize = {
    TFL_OP_QUANTIZE,
    "QUANTIZE",
    3,
    TFL_OPTIONS_QUANTIZE,
    sizeof(quantize_data),
    quantize_prepare_u8,
    quantize_eval_u8,
    NULL,
    quantize_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
