/* FLOOR_DIV and FLOOR_MOD with numpy broadcasting, as TFLite's reference (floor_div.cc, floor_mod.cc,
 * reference/binary_function.h): FLOOR_DIV is floor((double)x1 / (double)x2) converted back to the type, on
 * float32, int32, int16 and int8 (on integer codes as plain integers: LiteRT ignores any quantisation);
 * FLOOR_MOD is the truncated remainder (fmodf for float32) moved to the divisor's sign, on float32, int32,
 * int64, int16 and int8. A divisor of 0 anywhere fails the invoke with EMBER_RUNTIME_ERROR, as LiteRT does
 * ("Division by 0"), but for float32 FLOOR_MOD, where it gives NaN. */
#include <math.h>

#include "kernels/broadcast.h"
#include "kernels/kernels.h"
#include "tflite_schema.h"

typedef struct floor_data {
    ember_broadcast broadcast;
    int32_t divisor_count;
} floor_data;

/* (int32_t)d for d = floor(x1 / x2) of two integers: always in range but for INT32_MIN / -1, which wraps as
 * x86's conversion does for LiteRT. */
static int64_t floor_quotient(double q) {
    return q >= 2147483648.0 ? INT32_MIN : (int64_t)q;
}

#define FLOOR_DIV_ROW(name, type, convert)                                                                   \
    static void name(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,  \
                     int32_t n) {                                                                            \
        const type *a = (const type *)x1, *b = (const type *)x2;                                             \
        type *y = (type *)out;                                                                               \
        int32_t i;                                                                                           \
        (void)params;                                                                                        \
        for (i = 0; i < n; ++i)                                                                              \
            y[i] = (type)convert(floor((double)a[i * s1] / (double)b[i * s2]));                              \
    }

#define NO_CONVERSION(x) (x)
FLOOR_DIV_ROW(floor_div_f32, float, NO_CONVERSION)
FLOOR_DIV_ROW(floor_div_i32, int32_t, floor_quotient)
/* int8: -128 / -1 = 128 converts to -128 through int32 (two's complement), as in LiteRT. */
FLOOR_DIV_ROW(floor_div_i8, int8_t, floor_quotient)
FLOOR_DIV_ROW(floor_div_i16, int16_t, floor_quotient)

/* Truncated remainder moved to the divisor's sign. x % -1 is 0 (C leaves INT_MIN % -1 undefined). */
#define FLOOR_MOD_ROW(name, type)                                                                            \
    static void name(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,  \
                     int32_t n) {                                                                            \
        const type *a = (const type *)x1, *b = (const type *)x2;                                             \
        type *y = (type *)out;                                                                               \
        int32_t i;                                                                                           \
        (void)params;                                                                                        \
        for (i = 0; i < n; ++i) {                                                                            \
            const type d = b[i * s2];                                                                        \
            const type m = d == -1 ? 0 : (type)(a[i * s1] % d);                                              \
            y[i] = m != 0 && ((d < 0) != (m < 0)) ? (type)(m + d) : m;                                       \
        }                                                                                                    \
    }

FLOOR_MOD_ROW(floor_mod_i8, int8_t)
FLOOR_MOD_ROW(floor_mod_i16, int16_t)
FLOOR_MOD_ROW(floor_mod_i32, int32_t)
FLOOR_MOD_ROW(floor_mod_i64, int64_t)

static void floor_mod_f32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                          void *out, int32_t n) {
    const float *a = (const float *)x1, *b = (const float *)x2;
    float *y = (float *)out;
    int32_t i;
    (void)params;
    for (i = 0; i < n; ++i) {
        const float d = b[i * s2], m = fmodf(a[i * s1], d);
        y[i] = m != 0.0f && ((d < 0.0f) != (m < 0.0f)) ? m + d : m;
    }
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    floor_data *data = (floor_data *)node->op_data;
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    EMBER_TRY(ember_binary_prepare(ctx, node, &data->broadcast));
    EMBER_CHECK(ctx, ember_node_input(ctx, node, 0)->type == output->type, EMBER_INVALID_MODEL,
                "%s %ld: output '%.64s' is %s, the inputs %s", node->kernel->name, (long)node->index,
                output->name, ember_type_name(output->type),
                ember_type_name(ember_node_input(ctx, node, 0)->type));
    EMBER_CHECK(ctx, (unsigned)output->type < 32 && (node->kernel->types & (1u << output->type)),
                EMBER_UNSUPPORTED, "%s %ld: type %s is not supported", node->kernel->name, (long)node->index,
                ember_type_name(output->type));
    data->divisor_count = ember_element_count(ember_node_input(ctx, node, 1));
    return EMBER_OK;
}

/* Index of the first 0 (or -0.0f) among the divisor's elements, -1 when there is none. */
static int32_t find_zero(const ember_tensor *divisor, int32_t count) {
    int32_t i;
    for (i = 0; i < count; ++i) {
        const int zero = divisor->type == EMBER_FLOAT32 ? ((const float *)divisor->data)[i] == 0.0f
                         : divisor->type == EMBER_INT8  ? ((const int8_t *)divisor->data)[i] == 0
                         : divisor->type == EMBER_INT16 ? ((const int16_t *)divisor->data)[i] == 0
                         : divisor->type == EMBER_INT32 ? ((const int32_t *)divisor->data)[i] == 0
                                                        : ((const int64_t *)divisor->data)[i] == 0;
        if (zero)
            return i;
    }
    return -1;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const floor_data *data = (const floor_data *)node->op_data;
    const ember_tensor *x = ember_node_input(ctx, node, 0), *divisor = ember_node_input(ctx, node, 1);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    const int is_div = node->kernel->builtin_code == TFL_OP_FLOOR_DIV;
    ember_binary_row row;
    if (is_div || output->type != EMBER_FLOAT32) { /* float32 FLOOR_MOD by 0 is NaN */
        const int32_t zero = find_zero(divisor, data->divisor_count);
        EMBER_CHECK(ctx, zero < 0, EMBER_RUNTIME_ERROR,
                    "%s %ld: division by 0: element %ld of divisor '%.64s' is 0 (%s %s has no value for "
                    "it; LiteRT fails the same way)",
                    node->kernel->name, (long)node->index, (long)zero, divisor->name,
                    ember_type_name(output->type), node->kernel->name);
    }
    switch (output->type) {
    case EMBER_FLOAT32:
        row = is_div ? floor_div_f32 : floor_mod_f32;
        break;
    case EMBER_INT32:
        row = is_div ? floor_div_i32 : floor_mod_i32;
        break;
    case EMBER_INT8:
        row = is_div ? floor_div_i8 : floor_mod_i8;
        break;
    case EMBER_INT16:
        row = is_div ? floor_div_i16 : floor_mod_i16;
        break;
    default: /* FLOOR_MOD int64 */
        row = floor_mod_i64;
        break;
    }
    ember_broadcast_run(&data->broadcast, row, NULL, x->data, divisor->data, output->data,
                        ember_type_size(output->type));
    return EMBER_OK;
}

/* Versions as LiteRT registers them. */
const ember_kernel ember_kernel_floor_div = {
    TFL_OP_FLOOR_DIV,
    "FLOOR_DIV",
    3,
    TFL_OPTIONS_FLOOR_DIV,
    sizeof(floor_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I32 | EMBER_T_I16 | EMBER_T_I8,
};
const ember_kernel ember_kernel_floor_mod = {
    TFL_OP_FLOOR_MOD,
    "FLOOR_MOD",
    2,
    TFL_OPTIONS_FLOOR_MOD,
    sizeof(floor_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_I16 | EMBER_T_I8,
};
