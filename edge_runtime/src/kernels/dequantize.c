/* DEQUANTIZE: int8 -> float32, scale * (q - zp) computed in double and rounded once to float (TFLite's
 * reference Dequantize). */
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct dequantize_data {
    int32_t count;
    double scale;
    int32_t zero_point;
} dequantize_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    dequantize_data *data = (dequantize_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    float scale;
    char a[96], b[96];
    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "DEQUANTIZE %ld: needs 1 input and 1 output, has %ld and %ld", (long)node->index,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, input->type == EMBER_INT8 && output->type == EMBER_FLOAT32, EMBER_UNSUPPORTED,
                "DEQUANTIZE %ld: %s -> %s is not supported (int8 -> float32 is)", (long)node->index,
                ember_type_name(input->type), ember_type_name(output->type));
    EMBER_CHECK(ctx, ember_same_shape(input, output), EMBER_INVALID_MODEL,
                "DEQUANTIZE %ld: input '%.64s' %s and output '%.64s' %s must have the same shape",
                (long)node->index, input->name, ember_shape_string(input, a, sizeof a), output->name,
                ember_shape_string(output, b, sizeof b));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &scale, &data->zero_point));
    data->scale = (double)scale;
    data->count = ember_element_count(input);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const dequantize_data *data = (const dequantize_data *)node->op_data;
    const int8_t *x = (const int8_t *)ember_node_input(ctx, node, 0)->data;
    float *y = (float *)ember_node_output(ctx, node, 0)->data;
    int32_t i;
    for (i = 0; i < data->count; ++i)
        y[i] = (float)(data->scale * (double)(x[i] - data->zero_point));
    return EMBER_OK;
}

EMBER_U8_VIA_I8(dequantize, prepare, eval, NULL)

const ember_kernel ember_kernel_dequantize = {
    TFL_OP_DEQUANTIZE,
    "DEQUANTIZE",
    6,
    TFL_OPTIONS_DEQUANTIZE,
    sizeof(dequantize_data),
    dequantize_prepare_u8,
    dequantize_eval_u8,
    NULL,
    dequantize_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};
