/* SQUEEZE: drops axes of size 1; the bytes do not change. The output shape is the model's (static shapes),
 * and the squeeze_dims option is checked against it when given. */
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, d, o = 0;
    uint8_t squeeze[EMBER_MAX_DIMS] = {0};
    fb_vector dims;
    uint32_t i;
    int ok;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "SQUEEZE %ld: needs 1 input and 1 output, has %ld and %ld", (long)n, (long)node->input_count,
                (long)node->output_count);
    EMBER_TRY(ember_option_int_vector(ctx, node, TFL_SQUEEZE_DIMS, &dims));
    for (i = 0; i < dims.len; ++i) {
        int32_t axis = fb_vector_i32(&ctx->model, &dims, i);
        axis = axis < 0 ? axis + input->rank : axis;
        EMBER_CHECK(ctx, axis >= 0 && axis < input->rank && input->dims[axis] == 1, EMBER_INVALID_MODEL,
                    "SQUEEZE %ld: squeeze_dims entry %ld is not an axis of size 1 of input '%.64s' %s",
                    (long)n, (long)fb_vector_i32(&ctx->model, &dims, i), input->name,
                    ember_shape_string(input, a, sizeof a));
        squeeze[axis] = 1;
    }
    /* Expected output: the input without the listed axes, or without every size-1 axis when none are listed.
     */
    ok = input->type == output->type;
    for (d = 0; d < input->rank && ok; ++d) {
        if (dims.len ? squeeze[d] : input->dims[d] == 1)
            continue;
        ok = o < output->rank && output->dims[o] == input->dims[d];
        ++o;
    }
    EMBER_CHECK(ctx, ok && o == output->rank, EMBER_INVALID_MODEL,
                "SQUEEZE %ld: output '%.64s' %s %s does not match input '%.64s' %s %s squeezed", (long)n,
                output->name, ember_type_name(output->type), ember_shape_string(output, b, sizeof b),
                input->name, ember_type_name(input->type), ember_shape_string(input, a, sizeof a));
    return EMBER_OK;
}

EMBER_U8_AS_BYTES(squeeze, prepare, ember_copy_eval)

const ember_kernel ember_kernel_squeeze = {
    TFL_OP_SQUEEZE,
    "SQUEEZE",
    2,
    TFL_OPTIONS_SQUEEZE,
    0,
    squeeze_prepare_u8,
    squeeze_eval_u8,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
