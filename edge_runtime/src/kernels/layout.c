/* Strided copies and axis splits shared by the layout kernels (see layout.h). */
#include "kernels/layout.h"

#include <string.h>

#include "kernels/operands.h"

void ember_strided_copy_plan(ember_strided_copy *c, int32_t rank, const int32_t *dims, const int64_t *strides,
                             int64_t start, size_t elem) {
    int32_t d, r = 0;
    int64_t total = 1;
    for (d = 0; d < rank; ++d)
        total *= dims[d];
    c->start = start;
    c->elem = elem;
    c->run = 1;
    for (d = 0; d < rank && total; ++d) {
        if (dims[d] == 1)
            continue;
        if (r > 0 && c->strides[r - 1] == strides[d] * dims[d]) {
            c->dims[r - 1] *= dims[d];
            c->strides[r - 1] = strides[d];
        } else {
            c->dims[r] = dims[d];
            c->strides[r++] = strides[d];
        }
    }
    /* A last axis of stride 1 is one memcpy a row. */
    if (r > 0 && c->strides[r - 1] == 1)
        c->run = c->dims[--r];
    c->rank = r;
    c->runs = total ? total / c->run : 0;
}

ember_status ember_strided_copy_eval(ember_interpreter *ctx, const ember_node *node) {
    ember_strided_copy_run((const ember_strided_copy *)node->op_data, ember_node_input(ctx, node, 0)->data,
                           ember_node_output(ctx, node, 0)->data);
    return EMBER_OK;
}

void ember_strided_copy_run(const ember_strided_copy *c, const void *input, void *output) {
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    const size_t run_bytes = (size_t)c->run * c->elem;
    int32_t index[EMBER_COPY_MAX_AXES] = {0}, d;
    int64_t i, src = c->start;
    for (i = 0; i < c->runs; ++i) {
        memcpy(out, in + (ptrdiff_t)src * (ptrdiff_t)c->elem, run_bytes);
        out += run_bytes;
        /* Odometer over the axes, tracking the input element. */
        for (d = c->rank - 1; d >= 0; --d) {
            src += c->strides[d];
            if (++index[d] < c->dims[d])
                break;
            src -= c->strides[d] * c->dims[d];
            index[d] = 0;
        }
    }
}

size_t ember_axis_split_bytes(int32_t count) {
    return sizeof(ember_axis_split) + (size_t)(count > 1 ? count - 1 : 0) * sizeof(int32_t);
}

void ember_axis_split_plan(ember_axis_split *s, const ember_tensor *input, int32_t axis) {
    /* An empty input's partial products may pass int32 (EMBER_MAX_TENSOR_SPAN); there is nothing to copy. */
    const int empty = ember_element_count(input) == 0;
    s->outer = empty ? 0 : (int32_t)ember_dims_product(input->dims, 0, axis);
    s->axis_size = input->dims[axis];
    s->inner_bytes =
        empty ? 0
              : (size_t)ember_dims_product(input->dims, axis + 1, input->rank) * ember_type_size(input->type);
}

void ember_axis_split_run(ember_interpreter *ctx, const ember_node *node, const ember_axis_split *s,
                          const ember_tensor *input) {
    const uint8_t *in = (const uint8_t *)input->data;
    int32_t o, i;
    for (o = 0; o < s->outer; ++o) {
        for (i = 0; i < s->count; ++i) {
            const size_t bytes = (size_t)s->sizes[i] * s->inner_bytes;
            uint8_t *out = (uint8_t *)ember_node_output(ctx, node, i)->data;
            if (bytes)
                memcpy(out + (size_t)o * bytes, in, bytes);
            in += bytes;
        }
    }
}

/* The scale and zero point LiteRT keeps per tensor (TfLiteQuantizationParams): those of a per-tensor
 * quantisation, else 0. */
static void legacy_quant(const ember_interpreter *ctx, const ember_tensor *t, float *scale,
                         int64_t *zero_point) {
    *scale = t->quant_count == 1 ? fb_f32_at(ctx->model.data + t->scales_pos) : 0.0f;
    *zero_point = t->quant_count == 1 ? fb_i64_at(ctx->model.data + t->zero_points_pos) : 0;
}

ember_status ember_check_outputs_like(ember_interpreter *ctx, const ember_node *node,
                                      const ember_tensor *input, int same_quant) {
    float s_in, s_out;
    int64_t z_in, z_out;
    int32_t i;
    legacy_quant(ctx, input, &s_in, &z_in);
    for (i = 0; i < node->output_count; ++i) {
        const ember_tensor *t = ember_node_output(ctx, node, i);
        EMBER_CHECK(ctx, t->type == input->type, EMBER_INVALID_MODEL,
                    "%s %ld: output %ld '%.64s' is %s, input '%.64s' is %s", node->kernel->name,
                    (long)node->index, (long)i, t->name, ember_type_name(t->type), input->name,
                    ember_type_name(input->type));
        if (!same_quant)
            continue;
        legacy_quant(ctx, t, &s_out, &z_out);
        EMBER_CHECK(
            ctx, s_in == s_out && z_in == z_out, EMBER_INVALID_MODEL,
            "%s %ld: output %ld '%.64s' (scale %g, zero point %lld) must have the quantisation of input "
            "'%.64s' (scale %g, zero point %lld): the op copies values without requantising",
            node->kernel->name, (long)node->index, (long)i, t->name, (double)s_out, (long long)z_out,
            input->name, (double)s_in, (long long)z_in);
    }
    return EMBER_OK;
}
