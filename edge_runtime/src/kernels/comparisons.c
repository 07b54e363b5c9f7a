/* LESS, LESS_EQUAL, GREATER, GREATER_EQUAL, EQUAL and NOT_EQUAL with numpy broadcasting and a bool output, as
 * TFLite's reference (comparisons.cc, reference/comparisons.h): float32, int32, int64 and int16 compare the
 * values (NaN compares unequal to everything; int16 as plain integers whatever its quantisation, as LiteRT
 * does); EQUAL and NOT_EQUAL also compare bool. int8 and uint8 compare the rescaled offsets of the two
 * inputs, which need not share quantisation (ComparisonWithScaling): each code q becomes ((q - zero_point) <<
 * 8) times the input's scale as a Q31 multiplier (scales below 1, as LiteRT's
 * QuantizeMultiplierSmallerThanOneExp requires), rounded twice like every requantisation. That depends on the
 * code alone, so prepare tabulates it. */
#include "kernels/broadcast.h"
#include "kernels/kernels.h"
#include "quantization.h"
#include "tflite_schema.h"

/* LiteRT's left shift of the offsets before rescaling. */
#define COMPARISON_LEFT_SHIFT 8

enum { CMP_LESS, CMP_LESS_EQUAL, CMP_GREATER, CMP_GREATER_EQUAL, CMP_EQUAL, CMP_NOT_EQUAL };

typedef struct comparison_params {
    int kind;
    int32_t scaled1[256], scaled2[256]; /* int8 and uint8: the rescaled value of each code */
} comparison_params;

typedef struct comparison_data {
    ember_broadcast broadcast;
    comparison_params params;
} comparison_data;

/* y[i] = A op B over a row, A and B expressions of i, op the node's comparison. */
#define COMPARE(A, B)                                                                                        \
    switch (p->kind) {                                                                                       \
    case CMP_LESS:                                                                                           \
        for (i = 0; i < n; ++i)                                                                              \
            y[i] = (A) < (B);                                                                                \
        break;                                                                                               \
    case CMP_LESS_EQUAL:                                                                                     \
        for (i = 0; i < n; ++i)                                                                              \
            y[i] = (A) <= (B);                                                                               \
        break;                                                                                               \
    case CMP_GREATER:                                                                                        \
        for (i = 0; i < n; ++i)                                                                              \
            y[i] = (A) > (B);                                                                                \
        break;                                                                                               \
    case CMP_GREATER_EQUAL:                                                                                  \
        for (i = 0; i < n; ++i)                                                                              \
            y[i] = (A) >= (B);                                                                               \
        break;                                                                                               \
    case CMP_EQUAL:                                                                                          \
        for (i = 0; i < n; ++i)                                                                              \
            y[i] = (A) == (B);                                                                               \
        break;                                                                                               \
    default:                                                                                                 \
        for (i = 0; i < n; ++i)                                                                              \
            y[i] = (A) != (B);                                                                               \
        break;                                                                                               \
    }

#define COMPARE_ROW(name, type, A, B)                                                                        \
    static void name(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,  \
                     int32_t n) {                                                                            \
        const comparison_params *p = (const comparison_params *)params;                                      \
        const type *a = (const type *)x1, *b = (const type *)x2;                                             \
        uint8_t *y = (uint8_t *)out;                                                                         \
        int32_t i;                                                                                           \
        COMPARE(A, B)                                                                                        \
    }

COMPARE_ROW(compare_f32, float, a[i * s1], b[i * s2])
COMPARE_ROW(compare_i32, int32_t, a[i * s1], b[i * s2])
COMPARE_ROW(compare_i64, int64_t, a[i * s1], b[i * s2])
COMPARE_ROW(compare_i16, int16_t, a[i * s1], b[i * s2])
COMPARE_ROW(compare_bool, uint8_t, a[i * s1], b[i * s2])
/* int8 and uint8 both index the tables by their byte. */
COMPARE_ROW(compare_scaled, uint8_t, p->scaled1[a[i * s1]], p->scaled2[b[i * s2]])

static int comparison_kind(int32_t code) {
    switch (code) {
    case TFL_OP_LESS:
        return CMP_LESS;
    case TFL_OP_LESS_EQUAL:
        return CMP_LESS_EQUAL;
    case TFL_OP_GREATER:
        return CMP_GREATER;
    case TFL_OP_GREATER_EQUAL:
        return CMP_GREATER_EQUAL;
    case TFL_OP_EQUAL:
        return CMP_EQUAL;
    default:
        return CMP_NOT_EQUAL;
    }
}

/* The rescaled value of every code of an int8 or uint8 input (table index: the code's byte). */
static ember_status prepare_scaled(ember_interpreter *ctx, const ember_node *node, const ember_tensor *t,
                                   int32_t *scaled) {
    float scale;
    int32_t zero_point, multiplier, q;
    int shift;
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, t, &scale, &zero_point));
    EMBER_CHECK(ctx, scale < 1.0f, EMBER_UNSUPPORTED,
                "%s %ld: quantised input '%.64s' has scale %g; LiteRT compares quantised inputs only with "
                "scales below 1",
                node->kernel->name, (long)node->index, t->name, (double)scale);
    ember_quantize_multiplier(scale, &multiplier, &shift);
    for (q = 0; q < 256; ++q) {
        const int32_t code = t->type == EMBER_INT8 ? (int32_t)(int8_t)q : q;
        scaled[q] = ember_multiply_by_quantized_multiplier((code - zero_point) * (1 << COMPARISON_LEFT_SHIFT),
                                                           multiplier, shift < 0 ? shift : 0);
    }
    return EMBER_OK;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    comparison_data *data = (comparison_data *)node->op_data;
    const ember_tensor *input1 = ember_node_input(ctx, node, 0);
    const ember_tensor *input2 = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    data->params.kind = comparison_kind(node->kernel->builtin_code);
    EMBER_TRY(ember_binary_prepare(ctx, node, &data->broadcast));
    EMBER_CHECK(ctx, output->type == EMBER_BOOL, EMBER_INVALID_MODEL,
                "%s %ld: output '%.64s' is %s; it must be bool", node->kernel->name, (long)node->index,
                output->name, ember_type_name(output->type));
    EMBER_CHECK(ctx,
                input1->type == EMBER_FLOAT32 || input1->type == EMBER_INT32 || input1->type == EMBER_INT64 ||
                    input1->type == EMBER_INT16 || input1->type == EMBER_INT8 ||
                    input1->type == EMBER_UINT8 ||
                    (input1->type == EMBER_BOOL && comparison_kind(node->kernel->builtin_code) >= CMP_EQUAL),
                EMBER_UNSUPPORTED, "%s %ld: input type %s is not supported", node->kernel->name,
                (long)node->index, ember_type_name(input1->type));
    /* LiteRT's EQUAL rescales quantised int16 inputs (its ordering comparisons compare the codes) */
    EMBER_CHECK(
        ctx,
        input1->type != EMBER_INT16 || data->params.kind != CMP_EQUAL ||
            (input1->quant_count == 0 && input2->quant_count == 0),
        EMBER_UNSUPPORTED,
        "EQUAL %ld: quantised int16 inputs ('%.48s', '%.48s') are not supported (plain int16 ones are)",
        (long)node->index, input1->name, input2->name);
    if (input1->type == EMBER_INT8 || input1->type == EMBER_UINT8) {
        EMBER_TRY(prepare_scaled(ctx, node, input1, data->params.scaled1));
        EMBER_TRY(prepare_scaled(ctx, node, input2, data->params.scaled2));
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const comparison_data *data = (const comparison_data *)node->op_data;
    const ember_tensor *input1 = ember_node_input(ctx, node, 0);
    ember_binary_row row;
    switch (input1->type) {
    case EMBER_FLOAT32:
        row = compare_f32;
        break;
    case EMBER_INT32:
        row = compare_i32;
        break;
    case EMBER_INT64:
        row = compare_i64;
        break;
    case EMBER_INT16:
        row = compare_i16;
        break;
    case EMBER_BOOL:
        row = compare_bool;
        break;
    default: /* int8, uint8 */
        row = compare_scaled;
        break;
    }
    ember_broadcast_run_sized(&data->broadcast, row, &data->params, input1->data,
                              ember_node_input(ctx, node, 1)->data, ember_node_output(ctx, node, 0)->data,
                              ember_type_size(input1->type), 1);
    return EMBER_OK;
}

#define COMPARISON_TYPES                                                                                     \
    (EMBER_T_F32 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_I16 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_BOOL)

/* Versions as LiteRT registers them (the later ones add int16 and string; strings are refused). The bool bit
 * of the ordering ops stands for their output; prepare refuses bool inputs to them, as LiteRT does. */
const ember_kernel ember_kernel_less = {
    TFL_OP_LESS, "LESS", 3,    TFL_OPTIONS_LESS, sizeof(comparison_data), prepare,
    eval,        NULL,   NULL, COMPARISON_TYPES,
};
const ember_kernel ember_kernel_less_equal = {
    TFL_OP_LESS_EQUAL,
    "LESS_EQUAL",
    2,
    TFL_OPTIONS_LESS_EQUAL,
    sizeof(comparison_data),
    prepare,
    eval,
    NULL,
    NULL,
    COMPARISON_TYPES,
};
const ember_kernel ember_kernel_greater = {
    TFL_OP_GREATER, "GREATER", 2,    TFL_OPTIONS_GREATER, sizeof(comparison_data), prepare,
    eval,           NULL,      NULL, COMPARISON_TYPES,
};
const ember_kernel ember_kernel_greater_equal = {
    TFL_OP_GREATER_EQUAL,
    "GREATER_EQUAL",
    3,
    TFL_OPTIONS_GREATER_EQUAL,
    sizeof(comparison_data),
    prepare,
    eval,
    NULL,
    NULL,
    COMPARISON_TYPES,
};
const ember_kernel ember_kernel_equal = {
    TFL_OP_EQUAL, "EQUAL", 5,    TFL_OPTIONS_EQUAL, sizeof(comparison_data), prepare,
    eval,         NULL,    NULL, COMPARISON_TYPES,
};
const ember_kernel ember_kernel_not_equal = {
    TFL_OP_NOT_EQUAL,
    "NOT_EQUAL",
    4,
    TFL_OPTIONS_NOT_EQUAL,
    sizeof(comparison_data),
    prepare,
    eval,
    NULL,
    NULL,
    COMPARISON_TYPES & ~EMBER_T_I16, /* LiteRT 2.3's NOT_EQUAL leaves an int16 output unwritten: no oracle */
};
