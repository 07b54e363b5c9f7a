/* QUANTIZE: float32 -> int8, clamp(round_half_away(x / scale) + zp) with the division done in double as
 * TFLite's AffineQuantize does; int8 -> int8 requantises (x - zp_in) with one multiplier s_in / s_out. */
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct quantize_data {
    int32_t count;
    double scale;
    int32_t input_zero_point, output_zero_point;
    int32_t multiplier;
    int shift;
} quantize_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    quantize_data *data = (quantize_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    float s_in, s_out;
    char a[96], b[96];
    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "QUANTIZE %ld: needs 1 input and 1 output, has %ld and %ld", (long)node->index,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx,
                (input->type == EMBER_FLOAT32 || input->type == EMBER_INT8) && output->type == EMBER_INT8,
                EMBER_UNSUPPORTED, "QUANTIZE %ld: %s -> %s is not supported (float32 or int8 -> int8 are)",
                (long)node->index, ember_type_name(input->type), ember_type_name(output->type));
    EMBER_CHECK(ctx, ember_same_shape(input, output), EMBER_INVALID_MODEL,
                "QUANTIZE %ld: input '%.64s' %s and output '%.64s' %s must have the same shape",
                (long)node->index, input->name, ember_shape_string(input, a, sizeof a), output->name,
                ember_shape_string(output, b, sizeof b));
    data->count = ember_element_count(input);
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &data->output_zero_point));
    data->scale = (double)s_out;
    if (input->type == EMBER_INT8) {
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &data->input_zero_point));
        ember_quantize_multiplier((double)s_in / (double)s_out, &data->multiplier, &data->shift);
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const quantize_data *data = (const quantize_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    int8_t *y = (int8_t *)ember_node_output(ctx, node, 0)->data;
    int32_t i;
    if (input->type == EMBER_FLOAT32) {
        const float *x = (const float *)input->data;
        for (i = 0; i < data->count; ++i) {
            double q = round((double)x[i] / data->scale);
            /* Clamp before converting so huge values stay defined; NaN maps to the zero point. */
            q = q != q ? 0.0 : (q < -1024.0 ? -1024.0 : (q > 1024.0 ? 1024.0 : q));
            y[i] = ember_clamp_i8((int32_t)q + data->output_zero_point, -128, 127);
        }
    } else {
        const int8_t *x = (const int8_t *)input->data;
        for (i = 0; i < data->count; ++i) {
            const int32_t v = ember_multiply_by_quantized_multiplier(x[i] - data->input_zero_point,
                                                                     data->multiplier, data->shift);
            y[i] = (int8_t)ember_offset_clamp(v, data->output_zero_point, -128, 127);
        }
    }
    return EMBER_OK;
}

EMBER_U8_VIA_I8(quantize, prepare, eval, NULL)

const ember_kernel ember_kernel_quantize = {
    TFL_OP_QUANTIZE,     "QUANTIZE",       3,    TFL_OPTIONS_QUANTIZE, sizeof(quantize_data),
    quantize_prepare_u8, quantize_eval_u8, NULL, quantize_scratch_u8,  EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};
