/* MAXIMUM and MINIMUM with numpy broadcasting, as TFLite's reference (maximum_minimum.cc):
 * `x1 > x2 ? x1 : x2` and `x1 < x2 ? x1 : x2`, on float32 values or on int8 and uint8 codes, which compare
 * like the values only when both inputs and the output share one scale and zero point (the converter writes
 * them so; prepare checks it). */
#include "kernels/broadcast.h"
#include "kernels/kernels.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct max_min_data {
    ember_broadcast broadcast;
} max_min_data;

#define MAX_MIN_ROW(name, type, cmp)                                                                         \
    static void name(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,  \
                     int32_t n) {                                                                            \
        const type *a = (const type *)x1, *b = (const type *)x2;                                             \
        type *y = (type *)out;                                                                               \
        int32_t i;                                                                                           \
        (void)params;                                                                                        \
        for (i = 0; i < n; ++i)                                                                              \
            y[i] = a[i * s1] cmp b[i * s2] ? a[i * s1] : b[i * s2];                                          \
    }

MAX_MIN_ROW(maximum_f32, float, >)
MAX_MIN_ROW(minimum_f32, float, <)
MAX_MIN_ROW(maximum_i8, int8_t, >)
MAX_MIN_ROW(minimum_i8, int8_t, <)

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    max_min_data *data = (max_min_data *)node->op_data;
    const ember_tensor *input1 = ember_node_input(ctx, node, 0);
    const ember_tensor *input2 = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const char *name = node->kernel->name;
    long n = (long)node->index;

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input1 && input2,
                EMBER_INVALID_MODEL, "%s %ld: needs 2 inputs and 1 output, has %ld and %ld", name, n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx,
                input1->type == output->type && input2->type == output->type &&
                    (output->type == EMBER_FLOAT32 || output->type == EMBER_INT8),
                EMBER_UNSUPPORTED,
                "%s %ld: types input %s, %s, output %s; float32 or int8 (all alike) are supported", name, n,
                ember_type_name(input1->type), ember_type_name(input2->type), ember_type_name(output->type));
    EMBER_TRY(ember_broadcast_prepare(ctx, node, input1, input2, output, &data->broadcast));
    if (output->type == EMBER_INT8) {
        EMBER_TRY(ember_check_same_quant_i8(ctx, node, input1, output, NULL, NULL));
        EMBER_TRY(ember_check_same_quant_i8(ctx, node, input2, output, NULL, NULL));
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const max_min_data *data = (const max_min_data *)node->op_data;
    const int is_max = node->kernel->builtin_code == TFL_OP_MAXIMUM;
    ember_arith_eval(ctx, node, &data->broadcast, is_max ? maximum_f32 : minimum_f32,
                     is_max ? maximum_i8 : minimum_i8, NULL);
    return EMBER_OK;
}

/* uint8 through the int8 rows (kernels/uint8.h): u -> u - 128 keeps the order. */
EMBER_U8_VIA_I8(max_min, prepare, eval, NULL)

/* Versions 1-4 as LiteRT registers them (3: broadcasting beyond 4-D; 4: int16, refused by type). */
const ember_kernel ember_kernel_maximum = {
    TFL_OP_MAXIMUM,
    "MAXIMUM",
    4,
    TFL_OPTIONS_MAXIMUM_MINIMUM,
    sizeof(max_min_data),
    max_min_prepare_u8,
    max_min_eval_u8,
    NULL,
    max_min_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};
const ember_kernel ember_kernel_minimum = {
    TFL_OP_MINIMUM,
    "MINIMUM",
    4,
    TFL_OPTIONS_MAXIMUM_MINIMUM,
    sizeof(max_min_data),
    max_min_prepare_u8,
    max_min_eval_u8,
    NULL,
    max_min_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};
