/* ABS, EXP, LOG and SQRT on float32: fabsf, expf, logf and sqrtf element by element, unchecked as LiteRT's
 * reference (elementwise.cc, exp.cc): LOG of 0 is -inf, LOG and SQRT of a negative are NaN. int8 versions
 * (LiteRT's tables and requantisation) are not implemented: the exporter writes these ops only in float32
 * models. */
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

typedef struct math_data {
    int32_t count;
} math_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    EMBER_TRY(ember_check_unary(ctx, node, 0));
    ((math_data *)node->op_data)->count = ember_element_count(ember_node_input(ctx, node, 0));
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const float *x = (const float *)ember_node_input(ctx, node, 0)->data;
    float *y = (float *)ember_node_output(ctx, node, 0)->data;
    const int32_t count = ((const math_data *)node->op_data)->count;
    int32_t i;
    switch (node->kernel->builtin_code) {
    case TFL_OP_ABS:
        for (i = 0; i < count; ++i)
            y[i] = fabsf(x[i]);
        break;
    case TFL_OP_EXP:
        for (i = 0; i < count; ++i)
            y[i] = expf(x[i]);
        break;
    case TFL_OP_LOG:
        for (i = 0; i < count; ++i)
            y[i] = logf(x[i]);
        break;
    default: /* TFL_OP_SQRT */
        for (i = 0; i < count; ++i)
            y[i] = sqrtf(x[i]);
        break;
    }
    return EMBER_OK;
}

/* Versions as LiteRT registers them; what the later ones add (int8, int16, int32) is refused by type. */
const ember_kernel ember_kernel_abs = {
    TFL_OP_ABS, "ABS", 5, TFL_OPTIONS_ABS, sizeof(math_data), prepare, eval, NULL, NULL, EMBER_T_F32,
};
const ember_kernel ember_kernel_exp = {
    TFL_OP_EXP, "EXP", 2, TFL_OPTIONS_EXP, sizeof(math_data), prepare, eval, NULL, NULL, EMBER_T_F32,
};
const ember_kernel ember_kernel_log = {
    TFL_OP_LOG, "LOG", 2, 0, sizeof(math_data), prepare, eval, NULL, NULL, EMBER_T_F32,
};
const ember_kernel ember_kernel_sqrt = {
    TFL_OP_SQRT, "SQRT", 1, 0, sizeof(math_data), prepare, eval, NULL, NULL, EMBER_T_F32,
};
