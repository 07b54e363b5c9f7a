/* DEQUANTIZE: int8 or int16 -> float32, scale * (q - zp) computed in double and rounded once to float
 * (TFLite's reference Dequantize; int16 with zero point 0, as LiteRT requires); float16 -> float32, exact
 * (TensorFlow's float16 post-training quantisation stores weights as float16 constants, each behind a
 * DEQUANTIZE). With a constant input the node is folded (ember_fold_constants): the float32 output lives in
 * this node's op data, computed once by prepare, and invoke never runs it. */
#include <string.h>

#include "kernels/int16_quant.h"
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

/* IEEE binary16 -> binary32, exact for every value (subnormals, infinities, NaN payloads). */
static float half_to_float(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu, bits;
    float f;
    if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else {
        /* Subnormal: normalise (value = mantissa * 2^-24). */
        exponent = 113;
        while (!(mantissa & 0x400u)) {
            mantissa <<= 1;
            --exponent;
        }
        bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
    }
    memcpy(&f, &bits, sizeof f);
    return f;
}

static void dequantize(const dequantize_data *data, ember_type type, const void *in, float *y) {
    int32_t i;
    if (type == EMBER_FLOAT16) {
        const uint8_t *x = (const uint8_t *)in;
        for (i = 0; i < data->count; ++i)
            y[i] = half_to_float(fb_u16_at(x + 2 * (size_t)i));
    } else if (type == EMBER_INT16) {
        const int16_t *x = (const int16_t *)in;
        for (i = 0; i < data->count; ++i)
            y[i] = (float)(data->scale * (double)(x[i] - data->zero_point));
    } else {
        const int8_t *x = (const int8_t *)in;
        for (i = 0; i < data->count; ++i)
            y[i] = (float)(data->scale * (double)(x[i] - data->zero_point));
    }
}

/* A folded node's output follows its struct in the op data. */
static size_t op_data_bytes(const ember_interpreter *ctx, const ember_node *node) {
    if (!node->folded)
        return sizeof(dequantize_data);
    return ember_align_size(sizeof(dequantize_data)) + ctx->tensors[node->outputs[0]].bytes;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    dequantize_data *data = (dequantize_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    float scale;
    char a[96], b[96];
    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "DEQUANTIZE %ld: needs 1 input and 1 output, has %ld and %ld", (long)node->index,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx,
                (input->type == EMBER_INT8 || input->type == EMBER_INT16 || input->type == EMBER_FLOAT16) &&
                    output->type == EMBER_FLOAT32,
                EMBER_UNSUPPORTED,
                "DEQUANTIZE %ld: %s -> %s is not supported (int8, uint8, int16 or float16 -> float32 is)",
                (long)node->index, ember_type_name(input->type), ember_type_name(output->type));
    EMBER_CHECK(ctx, ember_same_shape(input, output), EMBER_INVALID_MODEL,
                "DEQUANTIZE %ld: input '%.64s' %s and output '%.64s' %s must have the same shape",
                (long)node->index, input->name, ember_shape_string(input, a, sizeof a), output->name,
                ember_shape_string(output, b, sizeof b));
    data->scale = 1.0;
    data->zero_point = 0;
    if (input->type == EMBER_INT8) {
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &scale, &data->zero_point));
        data->scale = (double)scale;
    } else if (input->type == EMBER_INT16) {
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, input, 1, &scale, &data->zero_point));
        data->scale = (double)scale;
    }
    data->count = ember_element_count(input);
    if (node->folded) {
        output->data = (uint8_t *)node->op_data + ember_align_size(sizeof(dequantize_data));
        dequantize(data, input->type, input->data, (float *)output->data);
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    dequantize((const dequantize_data *)node->op_data, input->type, input->data,
               (float *)ember_node_output(ctx, node, 0)->data);
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
    op_data_bytes,
    dequantize_scratch_u8,
    EMBER_T_F32 | EMBER_T_F16 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
