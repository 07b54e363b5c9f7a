/* RESHAPE: same bytes, new shape. The output shape is the output tensor's (models here have static shapes);
 * the requested shape (a constant shape input, else the new_shape option) is checked against it when it is
 * known. */
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "tflite_schema.h"

/* Does the requested shape (with at most one -1, inferred) describe the output's dims? */
static int shape_matches(const fb_reader *r, const fb_vector *shape, const ember_tensor *output,
                         int32_t elements) {
    int32_t d, unknown = -1;
    int64_t known = 1;
    if ((int32_t)shape->len != output->rank)
        return 0;
    for (d = 0; d < output->rank; ++d) {
        int32_t v = fb_vector_i32(r, shape, (uint32_t)d);
        if (v == -1 && unknown < 0) {
            unknown = d;
            continue;
        }
        if (v != output->dims[d])
            return 0;
        known *= v;
    }
    return unknown < 0 || (int64_t)output->dims[unknown] * known == elements;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *shape_input = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index;
    fb_vector shape;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count >= 1 && node->input_count <= 2 && node->output_count == 1 && input,
                EMBER_INVALID_MODEL, "RESHAPE %ld: needs 1 or 2 inputs and 1 output, has %ld and %ld",
                (long)n, (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, input->type == output->type && input->bytes == output->bytes, EMBER_INVALID_MODEL,
                "RESHAPE %ld: input '%.64s' %s %s and output '%.64s' %s %s differ in type or element count",
                (long)n, input->name, ember_type_name(input->type), ember_shape_string(input, a, sizeof a),
                output->name, ember_type_name(output->type), ember_shape_string(output, b, sizeof b));
    if (shape_input) {
        EMBER_CHECK(ctx, shape_input->type == EMBER_INT32 && shape_input->rank == 1, EMBER_INVALID_MODEL,
                    "RESHAPE %ld: shape input '%.64s' must be a 1-D int32 tensor", (long)n,
                    shape_input->name);
        if (!shape_input->is_constant)
            return EMBER_OK; /* computed at run time: the static output shape is authoritative */
        /* Constant data was verified to lie inside the model, so it can be read as a verified vector. */
        shape.pos = (size_t)(shape_input->const_data - ctx->model.data);
        shape.len = (uint32_t)shape_input->dims[0];
    } else {
        EMBER_TRY(ember_option_int_vector(ctx, node, TFL_RESHAPE_NEW_SHAPE, &shape));
        if (!node->has_options || shape.len == 0)
            return EMBER_OK;
    }
    EMBER_CHECK(ctx, shape_matches(&ctx->model, &shape, output, ember_element_count(input)),
                EMBER_INVALID_MODEL, "RESHAPE %ld: requested shape does not match output '%.64s' %s", (long)n,
                output->name, ember_shape_string(output, a, sizeof a));
    return EMBER_OK;
}

EMBER_U8_AS_BYTES(reshape, prepare, ember_copy_eval)

const ember_kernel ember_kernel_reshape = {
    TFL_OP_RESHAPE,
    "RESHAPE",
    2,
    TFL_OPTIONS_RESHAPE,
    0,
    reshape_prepare_u8,
    reshape_eval_u8,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
