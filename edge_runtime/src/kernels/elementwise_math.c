/* ABS, EXP, LOG, SQRT, FLOOR, SIN, COS and NEG element by element. float32: fabsf, expf, logf, sqrtf, floorf,
 * sinf, cosf and -x, unchecked as LiteRT's reference (elementwise.cc, exp.cc, floor.cc, sin.cc, cos.cc,
 * neg.cc): LOG of 0 is -inf, LOG and SQRT of a negative are NaN. NEG also negates int32 and int64 (wrapping
 * at the type's lowest value, as two's complement hardware does for LiteRT). int8 EXP and LOG are LiteRT's
 * 256-entry tables of the float function (LUTPopulate; LOG of a value <= 0 is the lowest code); int8 SQRT is
 * its truncating float formula (prepare_sqrt_i8), failing the invoke on a negative value as LiteRT does; int8
 * ABS is its integer formula |q - z_in| requantised by in_scale / out_scale (one
 * MultiplyByQuantizedMultiplier, skipped when the scales are equal) plus z_out, tabulated too. */
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct math_data {
    int32_t count;
    int32_t zero_point; /* int8 SQRT: codes below it are negative values */
    int8_t table[256];  /* int8: the output code of each input code (index: its byte) */
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

/* LiteRT's int8 ABS: |q - z_in|, rescaled when the scales differ, plus z_out, clamped. */
static ember_status prepare_abs_i8(ember_interpreter *ctx, const ember_node *node, int8_t *table) {
    float s_in = 0.0f, s_out = 0.0f;
    int32_t z_in = 0, z_out = 0, multiplier = 0, q;
    int shift = 0;
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, ember_node_input(ctx, node, 0), &s_in, &z_in));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, ember_node_output(ctx, node, 0), &s_out, &z_out));
    if (s_in != s_out)
        ember_quantize_multiplier((double)s_in / (double)s_out, &multiplier, &shift);
    for (q = -128; q <= 127; ++q) {
        const int32_t value = q - z_in < 0 ? z_in - q : q - z_in;
        int32_t y =
            (s_in != s_out ? ember_multiply_by_quantized_multiplier(value, multiplier, shift) : value) +
            z_out;
        y = y < -128 ? -128 : (y > 127 ? 127 : y);
        table[(uint8_t)(q & 0xff)] = (int8_t)y;
    }
    return EMBER_OK;
}

/* LiteRT's int8 SQRT (SqrtEvalQuantized): sqrtf of the dequantised value divided by the output scale,
 * truncated (x86's conversion of an out-of-range float is INT32_MIN), plus z_out wrapping, clamped. Codes
 * below z_in are refused at eval; their entries are unused. */
static ember_status prepare_sqrt_i8(ember_interpreter *ctx, const ember_node *node, int8_t *table) {
    float s_in = 0.0f, s_out = 0.0f;
    int32_t z_in = 0, z_out = 0, q;
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, ember_node_input(ctx, node, 0), &s_in, &z_in));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, ember_node_output(ctx, node, 0), &s_out, &z_out));
    for (q = -128; q <= 127; ++q) {
        const float v = q < z_in ? 0.0f : sqrtf(s_in * (float)(q - z_in)) / s_out;
        const int32_t t = v < 2147483648.0f ? (int32_t)v : INT32_MIN;
        int32_t y = ember_wrap_i32((uint32_t)t + (uint32_t)z_out);
        y = y < -128 ? -128 : (y > 127 ? 127 : y);
        table[(uint8_t)(q & 0xff)] = (int8_t)y;
    }
    return EMBER_OK;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    math_data *data = (math_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    EMBER_TRY(ember_check_unary_typed(ctx, node, node->kernel->types));
    data->count = ember_element_count(input);
    if (input->type == EMBER_INT8) {
        float scale;
        if (node->kernel->builtin_code == TFL_OP_ABS)
            return prepare_abs_i8(ctx, node, data->table);
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &scale, &data->zero_point));
        if (node->kernel->builtin_code == TFL_OP_SQRT)
            return prepare_sqrt_i8(ctx, node, data->table);
        return ember_prepare_lut_i8(ctx, node, math_function(node->kernel->builtin_code), data->table);
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    void *out = ember_node_output(ctx, node, 0)->data;
    const math_data *data = (const math_data *)node->op_data;
    const int32_t count = data->count;
    int32_t i;
    if (input->type == EMBER_INT8) {
        if (node->kernel->builtin_code == TFL_OP_SQRT) {
            const int8_t *x = (const int8_t *)input->data;
            for (i = 0; i < count && x[i] >= data->zero_point; ++i) {
            }
            EMBER_CHECK(
                ctx, i == count, EMBER_RUNTIME_ERROR,
                "SQRT %ld: element %ld of int8 input '%.64s' is %d, below its zero point %ld: the square "
                "root of a negative value (LiteRT fails the same way)",
                (long)node->index, (long)i, input->name, i < count ? x[i] : 0, (long)data->zero_point);
        }
        ember_lut_eval(input, ember_node_output(ctx, node, 0), count, NULL, data->table);
    } else if (input->type == EMBER_FLOAT32) {
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

/* Versions as LiteRT registers them; what the later ones add (int16, int32) is refused by type. */
const ember_kernel ember_kernel_abs = {
    TFL_OP_ABS, "ABS", 5,    TFL_OPTIONS_ABS,          sizeof(math_data), prepare,
    eval,       NULL,  NULL, EMBER_T_F32 | EMBER_T_I8,
};
const ember_kernel ember_kernel_exp = {
    TFL_OP_EXP, "EXP", 2,    TFL_OPTIONS_EXP,          sizeof(math_data), prepare,
    eval,       NULL,  NULL, EMBER_T_F32 | EMBER_T_I8,
};
const ember_kernel ember_kernel_log = {
    TFL_OP_LOG, "LOG", 2, 0, sizeof(math_data), prepare, eval, NULL, NULL, EMBER_T_F32 | EMBER_T_I8,
};
const ember_kernel ember_kernel_sqrt = {
    TFL_OP_SQRT, "SQRT", 2, 0, sizeof(math_data), prepare, eval, NULL, NULL, EMBER_T_F32 | EMBER_T_I8,
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
