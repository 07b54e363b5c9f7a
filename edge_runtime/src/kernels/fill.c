/* FILL(dims, value): every element of the output is the scalar `value`, as TFLite's fill.cc, on float32,
 * int32, int64, int16, int8 (the code copied: value and output must share quantisation, as LiteRT requires)
 * and bool. The output's shape is the model's; constant dims are checked against it at prepare, run-time dims
 * at eval. */
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct fill_data {
    size_t elem_size;
    int32_t count;
} fill_data;

/* 1 when the int32 or int64 dims tensor holds exactly the output's shape. */
static int dims_match(const ember_tensor *dims, const ember_tensor *output) {
    int32_t d;
    if (ember_element_count(dims) != output->rank)
        return 0;
    for (d = 0; d < output->rank; ++d) {
        if (ember_const_int(dims, d) != output->dims[d])
            return 0;
    }
    return 1;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    fill_data *data = (fill_data *)node->op_data;
    const ember_tensor *dims = ember_node_input(ctx, node, 0);
    const ember_tensor *value = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    long n = (long)node->index;
    char a[96];
    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && dims && value, EMBER_INVALID_MODEL,
                "FILL %ld: needs dims, value and 1 output", n);
    EMBER_CHECK(ctx, (dims->type == EMBER_INT32 || dims->type == EMBER_INT64) && dims->rank == 1,
                EMBER_INVALID_MODEL,
                "FILL %ld: dims '%.64s' must be an int32 or int64 vector, is %s of rank %ld", n, dims->name,
                ember_type_name(dims->type), (long)dims->rank);
    EMBER_CHECK(ctx, ember_element_count(value) == 1 && value->rank == 0, EMBER_INVALID_MODEL,
                "FILL %ld: value '%.64s' must be a scalar, has shape %s", n, value->name,
                ember_shape_string(value, a, sizeof a));
    EMBER_CHECK(ctx,
                value->type == output->type && (unsigned)value->type < 32 &&
                    (node->kernel->types & (1u << value->type)),
                EMBER_UNSUPPORTED,
                "FILL %ld: value %s and output %s; one of float32, int32, int64, int16, int8, bool", n,
                ember_type_name(value->type), ember_type_name(output->type));
    if (value->type == EMBER_INT8)
        EMBER_TRY(ember_check_same_quant_i8(ctx, node, value, output, NULL, NULL));
    EMBER_CHECK(ctx, !dims->is_constant || dims_match(dims, output), EMBER_INVALID_MODEL,
                "FILL %ld: dims '%.64s' do not give output '%.64s' shape %s", n, dims->name, output->name,
                ember_shape_string(output, a, sizeof a));
    data->elem_size = ember_type_size(output->type);
    data->count = ember_element_count(output);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const fill_data *data = (const fill_data *)node->op_data;
    const ember_tensor *dims = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const uint8_t *value = (const uint8_t *)ember_node_input(ctx, node, 1)->data;
    uint8_t *out = (uint8_t *)output->data;
    int32_t i;
    char a[96];
    EMBER_CHECK(
        ctx, dims->is_constant || dims_match(dims, output), EMBER_UNSUPPORTED,
        "FILL %ld: run-time dims '%.64s' differ from output '%.64s' shape %s; this runtime has static "
        "shapes",
        (long)node->index, dims->name, output->name, ember_shape_string(output, a, sizeof a));
    for (i = 0; i < data->count; ++i)
        memcpy(out + (size_t)i * data->elem_size, value, data->elem_size);
    return EMBER_OK;
}

/* Versions as LiteRT registers them (the string values of version 2 are refused by type). */
const ember_kernel ember_kernel_fill = {
    TFL_OP_FILL,
    "FILL",
    5,
    TFL_OPTIONS_FILL,
    sizeof(fill_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_I16 | EMBER_T_I8 | EMBER_T_BOOL,
};
