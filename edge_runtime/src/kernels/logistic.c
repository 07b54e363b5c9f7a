/* LOGISTIC (sigmoid). float: TFLite's reference, 1 / (1 + exp(-x)) with its cut-offs (exp(x) below -9, 1
 * above 16.62), which matter for the 1e-5 relative match at large negative x. int8: LiteRT's 256-entry table
 * built in float from the same formula (its reference kernel uses the table too); output scale must be 1/256.
 */
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct logistic_data {
    int32_t count;
    int8_t table[256];
} logistic_data;

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
    EMBER_TRY(ember_check_unary(ctx, node, 1));
    data->count = ember_element_count(input);
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
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};
