/* ARG_MAX and ARG_MIN over one constant int32/int64 axis (negative counts from the end), int32 or int64
 * output as output_type says. Like LiteRT (whose ARG_MAX runs the same kernel under BUILTIN_REF) the scan
 * starts from index 0 and -inf (ARG_MIN: +inf; integers: the first element) and moves only on a strictly
 * greater (smaller) value: ties give the first index, a NaN is never chosen (a row of NaNs or of -inf gives
 * 0) and [NaN, 1, 2] gives 2. Inputs float32, int8, uint8 (codes compare as values: the scale is positive),
 * int32 and bool. */
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

typedef struct arg_data {
    int32_t outer, axis_size, inner; /* outer 0: nothing to do */
} arg_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    arg_data *data = (arg_data *)node->op_data;
    const char *name = node->kernel->name;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *axis_t = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const unsigned type_field =
        node->kernel->builtin_code == TFL_OP_ARG_MAX ? TFL_ARG_MAX_OUTPUT_TYPE : TFL_ARG_MIN_OUTPUT_TYPE;
    int32_t n = node->index, d;
    int8_t output_type;
    int64_t axis;
    int ok;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "%s %ld: needs 2 inputs (input, axis) and 1 output, has %ld and %ld", name, (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(
        ctx, input->type != EMBER_INT64, EMBER_UNSUPPORTED,
        "%s %ld: int64 input '%.64s' is not supported (float32, int8, uint8, int32 and bool are, as in "
        "LiteRT)",
        name, (long)n, input->name);
    EMBER_TRY(ember_check_const_int(ctx, node, axis_t, "axis", 1, 1));
    /* TensorType is a byte; the schema's default is FLOAT32, which LiteRT refuses too. */
    EMBER_TRY(ember_option_i8(ctx, node, type_field, EMBER_FLOAT32, &output_type));
    EMBER_CHECK(
        ctx,
        (output_type == EMBER_INT32 || output_type == EMBER_INT64) && (int8_t)output->type == output_type,
        EMBER_INVALID_MODEL, "%s %ld: output '%.64s' is %s, output_type is %s; int32 or int64 (the same)",
        name, (long)n, output->name, ember_type_name(output->type), ember_type_name((ember_type)output_type));
    axis = ember_const_int(axis_t, 0);
    EMBER_CHECK(ctx, axis >= -(int64_t)input->rank && axis < input->rank, EMBER_INVALID_MODEL,
                "%s %ld: axis %lld is outside input '%.64s' %s", name, (long)n, (long long)axis, input->name,
                ember_shape_string(input, a, sizeof a));
    if (axis < 0)
        axis += input->rank;
    ok = output->rank == input->rank - 1;
    for (d = 0; ok && d < output->rank; ++d)
        ok = output->dims[d] == input->dims[d < axis ? d : d + 1];
    EMBER_CHECK(ctx, ok, EMBER_INVALID_MODEL,
                "%s %ld: input '%.64s' %s without axis %ld does not give output '%.64s' %s", name, (long)n,
                input->name, ember_shape_string(input, a, sizeof a), (long)axis, output->name,
                ember_shape_string(output, b, sizeof b));
    EMBER_CHECK(ctx, input->dims[axis] > 0 || ember_element_count(output) == 0, EMBER_INVALID_MODEL,
                "%s %ld: axis %ld of input '%.64s' %s is empty: there is no position to return", name,
                (long)n, (long)axis, input->name, ember_shape_string(input, a, sizeof a));
    ok = ember_element_count(output) != 0;
    data->outer = ok ? (int32_t)ember_dims_product(input->dims, 0, (int32_t)axis) : 0;
    data->axis_size = input->dims[axis];
    data->inner = ok ? (int32_t)ember_dims_product(input->dims, (int32_t)axis + 1, input->rank) : 0;
    return EMBER_OK;
}

/* One scan loop a (type, direction, start value): OP is > for ARG_MAX, < for ARG_MIN. */
#define ARG_SCAN(T, OP, FIRST)                                                                               \
    do {                                                                                                     \
        const T *x = (const T *)in;                                                                          \
        for (o = 0; o < p->outer; ++o) {                                                                     \
            for (i = 0; i < p->inner; ++i) {                                                                 \
                const T *row = x + (size_t)o * (size_t)p->axis_size * (size_t)p->inner + i;                  \
                T best = FIRST;                                                                              \
                int32_t at = 0, k;                                                                           \
                for (k = 0; k < p->axis_size; ++k) {                                                         \
                    const T v = row[(size_t)k * (size_t)p->inner];                                           \
                    if (v OP best) {                                                                         \
                        best = v;                                                                            \
                        at = k;                                                                              \
                    }                                                                                        \
                }                                                                                            \
                if (wide)                                                                                    \
                    ((int64_t *)out)[j++] = at;                                                              \
                else                                                                                         \
                    ((int32_t *)out)[j++] = at;                                                              \
            }                                                                                                \
        }                                                                                                    \
    } while (0)

#define ARG_TYPES(OP, FLOAT_FIRST)                                                                           \
    switch (input->type) {                                                                                   \
    case EMBER_FLOAT32:                                                                                      \
        ARG_SCAN(float, OP, FLOAT_FIRST);                                                                    \
        break;                                                                                               \
    case EMBER_INT8:                                                                                         \
        ARG_SCAN(int8_t, OP, row[0]);                                                                        \
        break;                                                                                               \
    case EMBER_INT32:                                                                                        \
        ARG_SCAN(int32_t, OP, row[0]);                                                                       \
        break;                                                                                               \
    default: /* uint8 and bool (one byte, 0 or 1) */                                                         \
        ARG_SCAN(uint8_t, OP, row[0]);                                                                       \
        break;                                                                                               \
    }

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const arg_data *p = (const arg_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    const void *in = input->data;
    void *out = output->data;
    const int wide = output->type == EMBER_INT64;
    int32_t o, i;
    size_t j = 0;
    if (node->kernel->builtin_code == TFL_OP_ARG_MAX) {
        ARG_TYPES(>, -INFINITY)
    } else {
        ARG_TYPES(<, INFINITY)
    }
    return EMBER_OK;
}

const ember_kernel ember_kernel_arg_max = {
    TFL_OP_ARG_MAX,
    "ARG_MAX",
    3,
    TFL_OPTIONS_ARG_MAX,
    sizeof(arg_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
const ember_kernel ember_kernel_arg_min = {
    TFL_OP_ARG_MIN,
    "ARG_MIN",
    3,
    TFL_OPTIONS_ARG_MIN,
    sizeof(arg_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
