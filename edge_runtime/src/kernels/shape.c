/* SHAPE: the input's dims as an int32 or int64 vector (out_type). Shapes are static, so the values are those
 * of the declared input shape. */
#include "kernels/kernels.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int8_t out_type;
    char a[96];
    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "SHAPE %ld: needs 1 input and 1 output, has %ld and %ld", (long)node->index,
                (long)node->input_count, (long)node->output_count);
    EMBER_TRY(ember_option_i8(ctx, node, TFL_SHAPE_OUT_TYPE, (int8_t)output->type, &out_type));
    EMBER_CHECK(ctx,
                (output->type == EMBER_INT32 || output->type == EMBER_INT64) &&
                    (int32_t)output->type == (int32_t)out_type,
                EMBER_INVALID_MODEL,
                "SHAPE %ld: output '%.64s' is %s, out_type option is %d (int32 or int64)", (long)node->index,
                output->name, ember_type_name(output->type), (int)out_type);
    EMBER_CHECK(ctx, output->rank == 1 && output->dims[0] == input->rank, EMBER_INVALID_MODEL,
                "SHAPE %ld: output '%.64s' %s must be a vector of %ld elements (the input's rank)",
                (long)node->index, output->name, ember_shape_string(output, a, sizeof a), (long)input->rank);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t d;
    for (d = 0; d < input->rank; ++d) {
        if (output->type == EMBER_INT64)
            ((int64_t *)output->data)[d] = input->dims[d];
        else
            ((int32_t *)output->data)[d] = input->dims[d];
    }
    return EMBER_OK;
}

const ember_kernel ember_kernel_shape = {
    TFL_OP_SHAPE,
    "SHAPE",
    1,
    TFL_OPTIONS_SHAPE,
    0,
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_I32 | EMBER_T_I64,
};
