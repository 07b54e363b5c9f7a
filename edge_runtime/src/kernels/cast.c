/* CAST between float32, int32, int64, int16, int8, uint8 and bool, as TFLite's cast.cc: the value is
 * converted, never the quantisation (an int8 or uint8 code is cast as the integer it is). Integer to integer
 * keeps the low bits (two's complement wrap), anything to bool is `x != 0` (NaN is true), bool is 0 or 1,
 * integers become the nearest float. float32 to an integer truncates towards zero and saturates at the
 * type's limits, NaN giving the largest value (LiteRT's SaturatingCastFloatingToInteger). */
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

typedef struct cast_data {
    int32_t count;
} cast_data;

#define CAST_TYPES                                                                                           \
    (EMBER_T_F32 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_I16 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_BOOL)

/* Element i of an integer or bool tensor as int64. */
static int64_t load_int(const void *data, ember_type type, int32_t i) {
    switch (type) {
    case EMBER_INT64:
        return ((const int64_t *)data)[i];
    case EMBER_INT32:
        return ((const int32_t *)data)[i];
    case EMBER_INT16:
        return ((const int16_t *)data)[i];
    case EMBER_INT8:
        return ((const int8_t *)data)[i];
    default: /* uint8, bool */
        return ((const uint8_t *)data)[i];
    }
}

/* Stores the low bits of v as element i of an integer tensor (the conversions of two's complement). */
static void store_int(void *data, ember_type type, int32_t i, int64_t v) {
    const uint64_t u = (uint64_t)v;
    switch (type) {
    case EMBER_INT64:
        ((int64_t *)data)[i] = v;
        break;
    case EMBER_INT32:
        ((uint32_t *)data)[i] = (uint32_t)u;
        break;
    case EMBER_INT16:
        ((uint16_t *)data)[i] = (uint16_t)u;
        break;
    default: /* int8, uint8 */
        ((uint8_t *)data)[i] = (uint8_t)u;
        break;
    }
}

/* float32 to an integer type: truncation, saturated; NaN gives the largest value. The upper limit is the
 * largest float not above the type's maximum (2^31 - 128 for int32, 2^63 - 2^39 for int64). */
static int64_t saturate_float(float x, ember_type type) {
    float lo, hi;
    int64_t lo_i, hi_i;
    switch (type) {
    case EMBER_INT64:
        lo = -9223372036854775808.0f, hi = 9223371487098961920.0f;
        lo_i = INT64_MIN, hi_i = INT64_MAX;
        break;
    case EMBER_INT32:
        lo = -2147483648.0f, hi = 2147483520.0f, lo_i = INT32_MIN, hi_i = INT32_MAX;
        break;
    case EMBER_INT16:
        lo = -32768.0f, hi = 32767.0f, lo_i = INT16_MIN, hi_i = INT16_MAX;
        break;
    case EMBER_INT8:
        lo = -128.0f, hi = 127.0f, lo_i = INT8_MIN, hi_i = INT8_MAX;
        break;
    default: /* uint8 */
        lo = 0.0f, hi = 255.0f, lo_i = 0, hi_i = UINT8_MAX;
        break;
    }
    if (x != x || x > hi)
        return hi_i;
    if (x < lo)
        return lo_i;
    return (int64_t)x;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    long n = (long)node->index;
    char a[96], b[96];
    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "CAST %ld: needs 1 input and 1 output, has %ld and %ld", n, (long)node->input_count,
                (long)node->output_count);
    EMBER_CHECK(
        ctx,
        (unsigned)input->type < 32 && (CAST_TYPES & (1u << input->type)) && (unsigned)output->type < 32 &&
            (CAST_TYPES & (1u << output->type)),
        EMBER_UNSUPPORTED,
        "CAST %ld: %s to %s is not supported (float32, int32, int64, int16, int8, uint8 and bool are)", n,
        ember_type_name(input->type), ember_type_name(output->type));
    EMBER_CHECK(ctx, ember_same_shape(input, output), EMBER_INVALID_MODEL,
                "CAST %ld: input '%.64s' %s and output '%.64s' %s must have the same shape", n, input->name,
                ember_shape_string(input, a, sizeof a), output->name,
                ember_shape_string(output, b, sizeof b));
    ((cast_data *)node->op_data)->count = ember_element_count(input);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    const int32_t count = ((const cast_data *)node->op_data)->count;
    const ember_type from = input->type, to = output->type;
    int32_t i;
    for (i = 0; i < count; ++i) {
        if (from == EMBER_FLOAT32) {
            const float x = ((const float *)input->data)[i];
            if (to == EMBER_FLOAT32)
                ((float *)output->data)[i] = x;
            else if (to == EMBER_BOOL)
                ((uint8_t *)output->data)[i] = x != 0.0f;
            else
                store_int(output->data, to, i, saturate_float(x, to));
        } else {
            const int64_t v = load_int(input->data, from, i);
            if (to == EMBER_FLOAT32)
                ((float *)output->data)[i] = (float)v;
            else if (to == EMBER_BOOL)
                ((uint8_t *)output->data)[i] = v != 0;
            else
                store_int(output->data, to, i, v);
        }
    }
    return EMBER_OK;
}

/* Versions as LiteRT registers them (the later ones add types refused here: float16, uint32, int4). */
const ember_kernel ember_kernel_cast = {
    TFL_OP_CAST, "CAST", 9, TFL_OPTIONS_CAST, sizeof(cast_data), prepare, eval, NULL, NULL, CAST_TYPES,
};
