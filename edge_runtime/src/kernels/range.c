/* RANGE: start, start + delta, ... up to (not including) limit; start, limit and delta constant scalars of
 * one type (float32, int32, int64), since the output's length depends on their values (a computed range would
 * need dynamic shapes). The length is TFLite's (range.cc): ceil(|(limit - start) / delta|) in float32, and
 * (|limit - start| + |delta| - 1) / |delta| for integers; values are accumulated (value += delta) as LiteRT
 * does, so float32 outputs match it bit for bit rather than start + i * delta. */
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

static ember_status check_scalar(ember_interpreter *ctx, const ember_node *node, const ember_tensor *t,
                                 const char *what, ember_type type) {
    EMBER_CHECK(ctx, t != NULL, EMBER_INVALID_MODEL, "RANGE %ld: the %s input is missing", (long)node->index,
                what);
    EMBER_CHECK(
        ctx, t->is_constant, EMBER_UNSUPPORTED,
        "RANGE %ld: %s '%.64s' is computed at run time, so the output's length is only known then; only "
        "constant start, limit and delta are supported (dynamic shapes are not)",
        (long)node->index, what, t->name);
    EMBER_CHECK(ctx, t->type == type && t->rank == 0, EMBER_INVALID_MODEL,
                "RANGE %ld: %s '%.64s' must be a %s scalar like the output, is %s of rank %ld",
                (long)node->index, what, t->name, ember_type_name(type), ember_type_name(t->type),
                (long)t->rank);
    return EMBER_OK;
}

/* Length of an integer range, or -1 when delta is 0 or points away from limit. */
static int64_t int_length(int64_t start, int64_t limit, int64_t delta) {
    uint64_t span, step;
    if (delta == 0 || (limit > start && delta < 0) || (limit < start && delta > 0))
        return -1;
    span = limit >= start ? (uint64_t)limit - (uint64_t)start : (uint64_t)start - (uint64_t)limit;
    step = delta > 0 ? (uint64_t)delta : (uint64_t)0 - (uint64_t)delta;
    span = span / step + (span % step != 0);
    return span > (uint64_t)INT32_MAX ? INT32_MAX : (int64_t)span;
}

static int64_t float_length(float start, float limit, float delta) {
    float count;
    if (delta == 0.0f || (limit > start && delta < 0.0f) || (limit < start && delta > 0.0f))
        return -1;
    count = ceilf(fabsf((limit - start) / delta));
    return count >= 0.0f && count <= 2147483520.0f ? (int64_t)count : -1; /* NaN and inf are refused */
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const ember_tensor *start = ember_node_input(ctx, node, 0);
    const ember_tensor *limit = ember_node_input(ctx, node, 1);
    const ember_tensor *delta = ember_node_input(ctx, node, 2);
    int32_t n = node->index;
    int64_t length;
    char a[96];

    EMBER_CHECK(ctx, node->input_count == 3 && node->output_count == 1, EMBER_INVALID_MODEL,
                "RANGE %ld: needs 3 inputs (start, limit, delta) and 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx,
                output->type == EMBER_FLOAT32 || output->type == EMBER_INT32 || output->type == EMBER_INT64,
                EMBER_UNSUPPORTED, "RANGE %ld: output '%.64s' is %s; float32, int32 and int64 are supported",
                (long)n, output->name, ember_type_name(output->type));
    EMBER_TRY(check_scalar(ctx, node, start, "start", output->type));
    EMBER_TRY(check_scalar(ctx, node, limit, "limit", output->type));
    EMBER_TRY(check_scalar(ctx, node, delta, "delta", output->type));
    if (output->type == EMBER_FLOAT32)
        length = float_length(*(const float *)start->data, *(const float *)limit->data,
                              *(const float *)delta->data);
    else
        length = int_length(ember_const_int(start, 0), ember_const_int(limit, 0), ember_const_int(delta, 0));
    EMBER_CHECK(ctx, length >= 0, EMBER_INVALID_MODEL,
                "RANGE %ld: delta '%.64s' is 0 or does not lead from start '%.64s' to limit '%.64s'", (long)n,
                delta->name, start->name, limit->name);
    EMBER_CHECK(ctx, output->rank == 1 && output->dims[0] == length, EMBER_INVALID_MODEL,
                "RANGE %ld: the range has %lld elements, output '%.64s' is %s", (long)n, (long long)length,
                output->name, ember_shape_string(output, a, sizeof a));
    return EMBER_OK;
}

/* y[i] = y[i - 1] + delta: LiteRT's accumulation, without the step past the last element that could leave an
 * integer type. */
#define RANGE_FILL(T)                                                                                        \
    do {                                                                                                     \
        T *y = (T *)output->data;                                                                            \
        const T step = *(const T *)delta->data;                                                              \
        if (count > 0)                                                                                       \
            y[0] = *(const T *)start->data;                                                                  \
        for (i = 1; i < count; ++i)                                                                          \
            y[i] = y[i - 1] + step;                                                                          \
    } while (0)

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *start = ember_node_input(ctx, node, 0);
    const ember_tensor *delta = ember_node_input(ctx, node, 2);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    const int32_t count = output->dims[0];
    int32_t i;
    if (output->type == EMBER_FLOAT32)
        RANGE_FILL(float);
    else if (output->type == EMBER_INT32)
        RANGE_FILL(int32_t);
    else
        RANGE_FILL(int64_t);
    return EMBER_OK;
}

const ember_kernel ember_kernel_range = {
    TFL_OP_RANGE,
    "RANGE",
    2,
    TFL_OPTIONS_RANGE,
    0,
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I32 | EMBER_T_I64,
};
