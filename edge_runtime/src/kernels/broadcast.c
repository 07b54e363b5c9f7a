/* Broadcasting and the broadcasting arithmetic ops' prepare and eval (see broadcast.h). */
#include "kernels/broadcast.h"

#include <string.h>

#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "quantization.h"
#include "tflite_schema.h"

/* Drops axes of size 1 and merges each axis into the next inner one where both operands step through the two
 * as through one (outer stride = inner stride * inner size: contiguous, or broadcast along both), so that
 * rows are as long as the broadcast allows (a scalar or equal shapes: one row; a channel vector: rows of the
 * channels). The elements visited, and their order, stay the same. The last axis's strides stay 1 or 0. */
static void collapse_axes(ember_broadcast *b) {
    int32_t rank = 0, d;
    for (d = 0; d < b->rank; ++d) {
        if (b->dims[d] == 1)
            continue;
        if (rank > 0 && b->strides1[rank - 1] == b->strides1[d] * b->dims[d] &&
            b->strides2[rank - 1] == b->strides2[d] * b->dims[d]) {
            b->dims[rank - 1] *= b->dims[d];
        } else {
            b->dims[rank] = b->dims[d];
            ++rank;
        }
        b->strides1[rank - 1] = b->strides1[d];
        b->strides2[rank - 1] = b->strides2[d];
    }
    if (rank == 0) {
        rank = 1;
        b->dims[0] = 1;
        b->strides1[0] = b->strides2[0] = 0;
    }
    b->rank = rank;
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
    /* An empty output's dims may multiply past int32; eval runs nothing for it anyway. */
    if (ok && !b->empty)
        collapse_axes(b);
    EMBER_CHECK(ctx, ok, EMBER_INVALID_MODEL,
                "%s %ld: inputs '%.48s' %s and '%.48s' %s do not broadcast to output '%.48s' %s",
                node->kernel->name, (long)node->index, input1->name, ember_shape_string(input1, a, sizeof a),
                input2->name, ember_shape_string(input2, c, sizeof c), output->name,
                ember_shape_string(output, o, sizeof o));
    return EMBER_OK;
}

void ember_broadcast_run(const ember_broadcast *b, ember_binary_row row, const void *params, const void *x1,
                         const void *x2, void *out, size_t elem_size) {
    ember_broadcast_run_sized(b, row, params, x1, x2, out, elem_size, elem_size);
}

void ember_broadcast_run_sized(const ember_broadcast *b, ember_binary_row row, const void *params,
                               const void *x1, const void *x2, void *out, size_t in_size, size_t out_size) {
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
        row(params, p1 + off1 * in_size, (int32_t)b->strides1[last], p2 + off2 * in_size,
            (int32_t)b->strides2[last], po + off_out * out_size, b->dims[last]);
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

ember_status ember_binary_prepare(ember_interpreter *ctx, const ember_node *node, ember_broadcast *b) {
    const ember_tensor *input1 = ember_node_input(ctx, node, 0);
    const ember_tensor *input2 = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const char *name = node->kernel->name;
    long n = (long)node->index;
    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input1 && input2,
                EMBER_INVALID_MODEL, "%s %ld: needs 2 inputs and 1 output, has %ld and %ld", name, n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, input1->type == input2->type, EMBER_INVALID_MODEL,
                "%s %ld: inputs '%.48s' (%s) and '%.48s' (%s) must have the same type", name, n, input1->name,
                ember_type_name(input1->type), input2->name, ember_type_name(input2->type));
    return ember_broadcast_prepare(ctx, node, input1, input2, output, b);
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
    if (output->type == EMBER_INT16) {
        /* 16x8: LiteRT's int16 ADD, SUB and MUL take zero points 0 only. */
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, input1, 1, &p->input1_scale, &z1));
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, input2, 1, &p->input2_scale, &z2));
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, output, 1, &p->output_scale, &zo));
        p->input1_offset = p->input2_offset = p->output_offset = 0;
        EMBER_CHECK(
            ctx,
            ember_activation_range_q(activation, p->output_scale, 0, -32768, 32767, &p->act_min, &p->act_max),
            EMBER_UNSUPPORTED, "%s %ld: fused activation %d is not supported", name, n, (int)activation);
        return EMBER_OK;
    }
    EMBER_CHECK(ctx, output->type == EMBER_INT8, EMBER_UNSUPPORTED,
                "%s %ld: type %s is not supported (float32, int8 and int16 are)", name, n,
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
                        is_float ? sizeof(float) : ember_type_size(output->type));
}
