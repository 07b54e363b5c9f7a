/* Broadcasting and shape operands (see shapes.h). */
#include "kernels/shapes.h"

#include <string.h>

#include "kernels/kernels.h"
#include "quantization.h"
#include "tflite_schema.h"

int ember_same_shape(const ember_tensor *a, const ember_tensor *b) {
    int32_t d;
    if (a->rank != b->rank)
        return 0;
    for (d = 0; d < a->rank; ++d) {
        if (a->dims[d] != b->dims[d])
            return 0;
    }
    return 1;
}

void ember_strides(const int32_t *dims, int32_t rank, int64_t *strides) {
    int64_t stride = 1;
    int32_t d;
    for (d = rank - 1; d >= 0; --d) {
        strides[d] = stride;
        /* A zero dim would zero every stride before it; they count the non-zero dims instead, which the
         * loader bounded by EMBER_MAX_TENSOR_SPAN, so no product can overflow. */
        stride *= dims[d] ? dims[d] : 1;
    }
}

int64_t ember_dims_product(const int32_t *dims, int32_t begin, int32_t end) {
    int64_t product = 1;
    int32_t d;
    for (d = begin; d < end; ++d) {
        if (dims[d] == 0)
            return 0;
        product *= dims[d];
    }
    return product;
}

ember_status ember_broadcast_prepare(ember_interpreter *ctx, const ember_node *node,
                                     const ember_tensor *input1, const ember_tensor *input2,
                                     const ember_tensor *output, ember_broadcast *b) {
    int32_t rank = input1->rank > input2->rank ? input1->rank : input2->rank;
    int64_t s1[EMBER_MAX_DIMS], s2[EMBER_MAX_DIMS];
    int32_t d;
    int ok = output->rank == rank;
    char a[96], c[96], o[96];

    memset(b, 0, sizeof *b);
    if (ember_same_shape(input1, input2)) {
        b->rank = 1;
        b->dims[0] = ember_element_count(input1);
        b->strides1[0] = b->strides2[0] = 1;
        ok = ember_same_shape(input1, output);
    } else {
        ember_strides(input1->dims, input1->rank, s1);
        ember_strides(input2->dims, input2->rank, s2);
        b->rank = rank;
        for (d = 0; d < rank && ok; ++d) {
            /* Axis d of the output is axis d - (rank - r) of an operand of rank r. */
            int32_t d1 = d - (rank - input1->rank), d2 = d - (rank - input2->rank);
            int32_t n1 = d1 >= 0 ? input1->dims[d1] : 1, n2 = d2 >= 0 ? input2->dims[d2] : 1;
            int32_t n = n1 == 1 ? n2 : n1;
            ok = (n1 == n2 || n1 == 1 || n2 == 1) && output->dims[d] == n;
            b->dims[d] = n;
            b->strides1[d] = n1 == 1 ? 0 : s1[d1];
            b->strides2[d] = n2 == 1 ? 0 : s2[d2];
        }
    }
    b->empty = ember_element_count(output) == 0;
    EMBER_CHECK(ctx, ok, EMBER_INVALID_MODEL,
                "%s %ld: inputs '%.48s' %s and '%.48s' %s do not broadcast to output '%.48s' %s",
                node->kernel->name, (long)node->index, input1->name, ember_shape_string(input1, a, sizeof a),
                input2->name, ember_shape_string(input2, c, sizeof c), output->name,
                ember_shape_string(output, o, sizeof o));
    return EMBER_OK;
}

void ember_broadcast_run(const ember_broadcast *b, ember_binary_row row, const void *params, const void *x1,
                         const void *x2, void *out, size_t elem_size) {
    const int32_t last = b->rank - 1;
    int32_t index[EMBER_MAX_DIMS] = {0};
    size_t off1 = 0, off2 = 0, off_out = 0;
    const uint8_t *p1 = (const uint8_t *)x1, *p2 = (const uint8_t *)x2;
    uint8_t *po = (uint8_t *)out;
    int32_t d;

    if (b->empty)
        return;
    for (;;) {
        /* The last axis's strides are 1 or 0 (broadcast). */
        row(params, p1 + off1 * elem_size, (int32_t)b->strides1[last], p2 + off2 * elem_size,
            (int32_t)b->strides2[last], po + off_out * elem_size, b->dims[last]);
        off_out += (size_t)b->dims[last];
        /* Odometer over the outer axes. */
        for (d = last - 1; d >= 0; --d) {
            off1 += (size_t)b->strides1[d];
            off2 += (size_t)b->strides2[d];
            if (++index[d] < b->dims[d])
                break;
            off1 -= (size_t)b->strides1[d] * (size_t)b->dims[d];
            off2 -= (size_t)b->strides2[d] * (size_t)b->dims[d];
            index[d] = 0;
        }
        if (d < 0)
            return;
    }
}

ember_status ember_arith_prepare(ember_interpreter *ctx, const ember_node *node, ember_broadcast *b,
                                 ember_arith_params *p) {
    const ember_tensor *input1 = ember_node_input(ctx, node, 0);
    const ember_tensor *input2 = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const char *name = node->kernel->name;
    long n = (long)node->index;
    int8_t activation;
    int32_t z1, z2, zo;

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input1 && input2,
                EMBER_INVALID_MODEL, "%s %ld: needs 2 inputs and 1 output, has %ld and %ld", name, n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, input1->type == output->type && input2->type == output->type, EMBER_INVALID_MODEL,
                "%s %ld: types input %s, %s, output %s must match", name, n, ember_type_name(input1->type),
                ember_type_name(input2->type), ember_type_name(output->type));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_ARITH_FUSED_ACTIVATION, TFL_ACT_NONE, &activation));
    EMBER_TRY(ember_broadcast_prepare(ctx, node, input1, input2, output, b));
    if (output->type == EMBER_FLOAT32) {
        EMBER_CHECK(ctx, ember_activation_range_f32(activation, &p->act_min_f, &p->act_max_f),
                    EMBER_UNSUPPORTED, "%s %ld: fused activation %d is not supported", name, n,
                    (int)activation);
        return EMBER_OK;
    }
    EMBER_CHECK(ctx, output->type == EMBER_INT8, EMBER_UNSUPPORTED,
                "%s %ld: type %s is not supported (float32 and int8 are)", name, n,
                ember_type_name(output->type));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, input1, &p->input1_scale, &z1));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, input2, &p->input2_scale, &z2));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &p->output_scale, &zo));
    p->input1_offset = -z1;
    p->input2_offset = -z2;
    p->output_offset = zo;
    EMBER_CHECK(ctx, ember_activation_range_i8(activation, p->output_scale, zo, &p->act_min, &p->act_max),
                EMBER_UNSUPPORTED, "%s %ld: fused activation %d is not supported", name, n, (int)activation);
    return EMBER_OK;
}

void ember_arith_eval(ember_interpreter *ctx, const ember_node *node, const ember_broadcast *b,
                      ember_binary_row row_f32, ember_binary_row row_i8, const void *params) {
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const int is_float = output->type == EMBER_FLOAT32;
    ember_broadcast_run(b, is_float ? row_f32 : row_i8, params, ember_node_input(ctx, node, 0)->data,
                        ember_node_input(ctx, node, 1)->data, output->data,
                        is_float ? sizeof(float) : sizeof(int8_t));
}

ember_status ember_copy_eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    /* Input and output are both live during the op, so the planner gave them disjoint bytes. */
    if (output->bytes)
        memcpy(output->data, input->data, output->bytes);
    return EMBER_OK;
}

int64_t ember_const_int(const ember_tensor *t, int32_t i) {
    return t->type == EMBER_INT64 ? ((const int64_t *)t->data)[i] : ((const int32_t *)t->data)[i];
}

ember_status ember_check_const_int(ember_interpreter *ctx, const ember_node *node, const ember_tensor *t,
                                   const char *what, int32_t count, int allow_int64) {
    char a[96];
    EMBER_CHECK(ctx, t != NULL, EMBER_INVALID_MODEL, "%s %ld: the %s input is missing", node->kernel->name,
                (long)node->index, what);
    EMBER_CHECK(ctx, t->is_constant, EMBER_UNSUPPORTED,
                "%s %ld: %s '%.64s' is computed at run time; only constant %s are supported",
                node->kernel->name, (long)node->index, what, t->name, what);
    EMBER_CHECK(ctx, t->type == EMBER_INT32 || (allow_int64 && t->type == EMBER_INT64), EMBER_INVALID_MODEL,
                "%s %ld: %s '%.64s' has type %s, expected int32%s", node->kernel->name, (long)node->index,
                what, t->name, ember_type_name(t->type), allow_int64 ? " or int64" : "");
    EMBER_CHECK(ctx, count < 0 || ember_element_count(t) == count, EMBER_INVALID_MODEL,
                "%s %ld: %s '%.64s' has shape %s, expected %ld elements", node->kernel->name,
                (long)node->index, what, t->name, ember_shape_string(t, a, sizeof a), (long)count);
    return EMBER_OK;
}

ember_status ember_check_unary(ember_interpreter *ctx, const ember_node *node, int allow_int8) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const char *name = node->kernel->name;
    char a[96], b[96];
    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "%s %ld: needs 1 input and 1 output, has %ld and %ld", name, (long)node->index,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, input->type == output->type, EMBER_INVALID_MODEL,
                "%s %ld: input '%.64s' is %s but output '%.64s' is %s", name, (long)node->index, input->name,
                ember_type_name(input->type), output->name, ember_type_name(output->type));
    EMBER_CHECK(ctx, input->type == EMBER_FLOAT32 || (allow_int8 && input->type == EMBER_INT8),
                EMBER_UNSUPPORTED, "%s %ld: type %s is not supported (float32%s)", name, (long)node->index,
                ember_type_name(input->type), allow_int8 ? " and int8 are" : " is");
    EMBER_CHECK(ctx, ember_same_shape(input, output), EMBER_INVALID_MODEL,
                "%s %ld: input '%.64s' %s and output '%.64s' %s must have the same shape", name,
                (long)node->index, input->name, ember_shape_string(input, a, sizeof a), output->name,
                ember_shape_string(output, b, sizeof b));
    return EMBER_OK;
}

ember_status ember_space_batch_prepare(ember_interpreter *ctx, const ember_node *node, const char *what,
                                       int input_is_space, ember_space_batch *g) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *block = ember_node_input(ctx, node, 1);
    const ember_tensor *pads = ember_node_input(ctx, node, 2);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const ember_tensor *space = input_is_space ? input : output, *batch = input_is_space ? output : input;
    const char *name = node->kernel->name;
    long n = (long)node->index;
    int32_t spatial, i;
    int64_t bottom, right, space_h, space_w, batch_h, batch_w;
    int ok;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 3 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "%s %ld: needs 3 inputs and 1 output, has %ld and %ld", name, n, (long)node->input_count,
                (long)node->output_count);
    EMBER_CHECK(ctx,
                (input->rank == 4 || input->rank == 3) && output->rank == input->rank &&
                    input->type == output->type,
                EMBER_UNSUPPORTED, "%s %ld: input '%.64s' %s %s must be a 3-D or 4-D tensor like the output",
                name, n, input->name, ember_type_name(input->type), ember_shape_string(input, a, sizeof a));
    spatial = input->rank - 2;
    EMBER_TRY(ember_check_const_int(ctx, node, block, "block_shape", spatial, 1));
    EMBER_TRY(ember_check_const_int(ctx, node, pads, what, spatial * 2, 1));
    for (i = 0; i < spatial * 2; ++i) {
        const int64_t v = ember_const_int(pads, i), k = ember_const_int(block, i / 2);
        EMBER_CHECK(ctx, v >= 0 && v <= 65536 && k >= 1 && k <= 65536, EMBER_INVALID_MODEL,
                    "%s %ld: block_shape must lie in [1, 65536] and %s in [0, 65536]", name, n, what);
    }
    g->in_b = input->dims[0];
    g->in_h = spatial == 2 ? input->dims[1] : 1;
    g->in_w = input->dims[spatial];
    g->block_h = spatial == 2 ? (int32_t)ember_const_int(block, 0) : 1;
    g->block_w = (int32_t)ember_const_int(block, spatial - 1);
    g->top = spatial == 2 ? (int32_t)ember_const_int(pads, 0) : 0;
    bottom = spatial == 2 ? ember_const_int(pads, 1) : 0;
    g->left = (int32_t)ember_const_int(pads, 2 * (spatial - 1));
    right = ember_const_int(pads, 2 * (spatial - 1) + 1);
    g->out_b = output->dims[0];
    g->out_h = spatial == 2 ? output->dims[1] : 1;
    g->out_w = output->dims[spatial];
    space_h = spatial == 2 ? space->dims[1] : 1;
    space_w = space->dims[spatial];
    batch_h = spatial == 2 ? batch->dims[1] : 1;
    batch_w = batch->dims[spatial];
    /* Products in 64 bits: dims < 2^31, blocks <= 2^16. */
    ok = batch->dims[0] == (int64_t)space->dims[0] * g->block_h * g->block_w &&
         space_h + g->top + bottom == batch_h * g->block_h &&
         space_w + g->left + right == batch_w * g->block_w &&
         output->dims[input->rank - 1] == input->dims[input->rank - 1];
    EMBER_CHECK(ctx, ok, EMBER_INVALID_MODEL,
                "%s %ld: input '%.64s' %s with block_shape '%.48s' and %s '%.48s' does not give output "
                "'%.64s' %s",
                name, n, input->name, ember_shape_string(input, a, sizeof a), block->name, what, pads->name,
                output->name, ember_shape_string(output, b, sizeof b));
    g->pixel_bytes = (size_t)input->dims[input->rank - 1] * ember_type_size(input->type);
    return EMBER_OK;
}
