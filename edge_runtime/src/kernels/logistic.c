/* LOGISTIC (sigmoid). float: TFLite's reference, 1 / (1 + exp(-x)) with its cut-offs (exp(x) below -9, 1
 * above 16.62), which matter for the 1e-5 relative match at large negative x. int8: LiteRT's 256-entry table
 * built in float from the same formula (its reference kernel uses the table too); output scale must be 1/256.
 * int16 (16x8): LiteRT's fixed-point kernel, the input rescaled to 1/(3 * 4096) (int16_quant.h), its absolute
 * value's top bits indexing sigmoid(i / 24) in Q0.16 and the low 9 interpolating, mirrored for negative
 * inputs; output scale exactly 1/32768, zero points 0. */
#include <math.h>

#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct logistic_data {
    int32_t count;
    int8_t table[256];
    int32_t multiplier; /* int16: the input rescaling (ember_sigmoid_i16_prepare) */
    int shift;
} logistic_data;

static void logistic_i16(const logistic_data *p, const int16_t *input, int16_t *output) {
    int32_t i;
    for (i = 0; i < p->count; ++i) {
        const int32_t v = ember_sigmoid_i16_rescale(input[i], p->multiplier, p->shift);
        const uint32_t a = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
        const uint32_t hi = a >> 9;
        uint32_t r;
        if (hi >= 255) {
            r = 0x7fffu << 10;
        } else {
            const uint32_t lo = ember_sigmoid_table_u16[hi], up = ember_sigmoid_table_u16[hi + 1];
            r = (lo << 9) + (a & 0x1ffu) * (up - lo);
        }
        r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
        output[i] = (int16_t)(r >> 10);
    }
}

static float sigmoid_lut(float x) {
    return 1.0f / (1.0f + expf(-x));
}

static float sigmoid_reference(float x) {
    if (x > 16.619047164916992188f)
        return 1.0f;
    if (x < -9.0f)
        return expf(x);
    return 1.0f / (1.0f + expf(-x));
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    logistic_data *data = (logistic_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    EMBER_TRY(ember_check_unary_typed(ctx, node, EMBER_T_F32 | EMBER_T_I8 | EMBER_T_I16));
    data->count = ember_element_count(input);
    if (input->type == EMBER_INT16) {
        float s_out = 0.0f; /* set on success; initialised as GCC cannot tell */
        int32_t z_out = 0;
        EMBER_TRY(ember_sigmoid_i16_prepare(ctx, node, 0, &data->multiplier, &data->shift));
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, output, 1, &s_out, &z_out));
        EMBER_CHECK(
            ctx, s_out == 1.0f / 32768.0f, EMBER_INVALID_MODEL,
            "LOGISTIC %ld: int16 output '%.64s' has scale %.9g; it must be exactly 1/32768 (zero point 0)",
            (long)node->index, output->name, (double)s_out);
    }
    if (input->type == EMBER_INT8) {
        float s_out;
        int32_t z_out;
        EMBER_TRY(ember_prepare_lut_i8(ctx, node, sigmoid_lut, data->table));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &z_out));
        EMBER_CHECK(ctx, s_out == 1.0f / 256.0f, EMBER_INVALID_MODEL,
                    "LOGISTIC %ld: int8 output '%.64s' has scale %g; it must be 1/256 (zero point -128)",
                    (long)node->index, output->name, (double)s_out);
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const logistic_data *data = (const logistic_data *)node->op_data;
    if (ember_node_input(ctx, node, 0)->type == EMBER_INT16) {
        logistic_i16(data, (const int16_t *)ember_node_input(ctx, node, 0)->data,
                     (int16_t *)ember_node_output(ctx, node, 0)->data);
        return EMBER_OK;
    }
    ember_lut_eval(ember_node_input(ctx, node, 0), ember_node_output(ctx, node, 0), data->count,
                   sigmoid_reference, data->table);
    return EMBER_OK;
}

EMBER_U8_VIA_I8(logistic, prepare, eval, NULL)

const ember_kernel ember_kernel_logistic = {
    TFL_OP_LOGISTIC,
    "LOGISTIC",
    3,
    0,
    sizeof(logistic_data),
    logistic_prepare_u8,
    logistic_eval_u8,
    NULL,
    logistic_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
