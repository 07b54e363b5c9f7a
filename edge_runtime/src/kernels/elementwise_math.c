/* ABS, EXP, LOG, SQRT, FLOOR, SIN, COS and NEG element by element. float32: fabsf, expf, logf, sqrtf, floorf,
 * sinf, cosf and -x, unchecked as LiteRT's reference (elementwise.cc, exp.cc, floor.cc, sin.cc, cos.cc,
 * neg.cc): LOG of 0 is -inf, LOG and SQRT of a negative are NaN. NEG also negates int32 and int64 (wrapping
 * at the type's lowest value, as two's complement hardware does for LiteRT). int8 versions of ABS, EXP, LOG
 * and SQRT (LiteRT's tables and requantisation) are not implemented. */
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

typedef struct math_data {
    int32_t count;
} math_data;

static float neg_f32(float x) {
    return -x;
}

/* The float32 function of the node's op. */
static float (*math_function(int32_t code))(float) {
    switch (code) {
    case TFL_OP_ABS:
        return fabsf;
    case TFL_OP_EXP:
        return expf;
    case TFL_OP_LOG:
        return logf;
    case TFL_OP_SQRT:
        return sqrtf;
    case TFL_OP_FLOOR:
        return floorf;
    case TFL_OP_SIN:
        return sinf;
    case TFL_OP_COS:
        return cosf;
    default: /* TFL_OP_NEG */
        return neg_f32;
    }
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    EMBER_TRY(ember_check_unary_typed(ctx, node, node->kernel->types));
    ((math_data *)node->op_data)->count = ember_element_count(ember_node_input(ctx, node, 0));
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    void *out = ember_node_output(ctx, node, 0)->data;
    const int32_t count = ((const math_data *)node->op_data)->count;
    int32_t i;
    if (input->type == EMBER_FLOAT32) {
        float (*f)(float) = math_function(node->kernel->builtin_code);
        const float *x = (const float *)input->data;
        for (i = 0; i < count; ++i)
            ((float *)out)[i] = f(x[i]);
    } else if (input->type == EMBER_INT32) { /* NEG; unsigned negation wraps without undefined behaviour */
        const int32_t *x = (const int32_t *)input->data;
        for (i = 0; i < count; ++i)
            ((uint32_t *)out)[i] = 0u - (uint32_t)x[i];
    } else { /* NEG int64 */
        const int64_t *x = (const int64_t *)input->data;
        for (i = 0; i < count; ++i)
            ((uint64_t *)out)[i] = 0u - (uint64_t)x[i];
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
const ember_kernel ember_kernel_floor = {
    TFL_OP_FLOOR, "FLOOR", 1, 0, sizeof(math_data), prepare, eval, NULL, NULL, EMBER_T_F32,
};
const ember_kernel ember_kernel_sin = {
    TFL_OP_SIN, "SIN", 1, 0, sizeof(math_data), prepare, eval, NULL, NULL, EMBER_T_F32,
};
const ember_kernel ember_kernel_cos = {
    TFL_OP_COS, "COS", 1, TFL_OPTIONS_COS, sizeof(math_data), prepare, eval, NULL, NULL, EMBER_T_F32,
};
const ember_kernel ember_kernel_neg = {
    TFL_OP_NEG,
    "NEG",
    1,
    TFL_OPTIONS_NEG,
    sizeof(math_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I32 | EMBER_T_I64,
};
