/* Operand checks and shape arithmetic shared by kernels (see operands.h). */
#include "kernels/operands.h"

#include <stdio.h>
#include <string.h>

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
    return ember_check_unary_typed(ctx, node, EMBER_T_F32 | (allow_int8 ? EMBER_T_I8 : 0));
}

/* "float32, int32 and int8" for a message: the names of the types in `types`. */
static const char *type_list(uint32_t types, char *buf, size_t capacity) {
    size_t used = 0;
    int t, n = 0;
    buf[0] = '\0';
    for (t = 0; t < 32 && used + 16 < capacity; ++t) {
        if (types & (1u << t))
            used += (size_t)snprintf(buf + used, capacity - used, "%s%s", n++ ? ", " : "",
                                     ember_type_name((ember_type)t));
    }
    return buf;
}

ember_status ember_check_unary_typed(ember_interpreter *ctx, const ember_node *node, uint32_t types) {
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
    EMBER_CHECK(ctx, (unsigned)input->type < 32 && (types & (1u << input->type)), EMBER_UNSUPPORTED,
                "%s %ld: type %s is not supported (%s are)", name, (long)node->index,
                ember_type_name(input->type), type_list(types, a, sizeof a));
    EMBER_CHECK(ctx, ember_same_shape(input, output), EMBER_INVALID_MODEL,
                "%s %ld: input '%.64s' %s and output '%.64s' %s must have the same shape", name,
                (long)node->index, input->name, ember_shape_string(input, a, sizeof a), output->name,
                ember_shape_string(output, b, sizeof b));
    return EMBER_OK;
}
