/* Broadcasting and shape operands (see shapes.h). */
#include "kernels/shapes.h"

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

void ember_strides(const int32_t *dims, int32_t rank, int32_t *strides) {
    int32_t d, stride = 1;
    for (d = rank - 1; d >= 0; --d) {
        strides[d] = stride;
        stride *= dims[d];
    }
}

ember_status ember_broadcast_prepare(ember_interpreter *ctx, const ember_node *node,
                                     const ember_tensor *input1, const ember_tensor *input2,
                                     const ember_tensor *output, ember_broadcast *b) {
    int32_t rank = input1->rank > input2->rank ? input1->rank : input2->rank;
    int32_t s1[EMBER_MAX_DIMS], s2[EMBER_MAX_DIMS], d;
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

    for (d = 0; d < b->rank; ++d) {
        if (b->dims[d] == 0)
            return;
    }
    for (;;) {
        row(params, p1 + off1 * elem_size, b->strides1[last], p2 + off2 * elem_size, b->strides2[last],
            po + off_out * elem_size, b->dims[last]);
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
