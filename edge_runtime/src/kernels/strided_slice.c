/* STRIDED_SLICE with constant begin/end/strides (int32 or int64) and TFLite's mask semantics
 * (strided_slice_logic.h): begin_mask/end_mask take the full range, negative indices count from the end,
 * starts and stops are clamped, shrink_axis_mask keeps the element at begin (which must lie in [-dim, dim)
 * unless begin_mask covers the axis) and drops the axis, offset makes end
 * relative to begin. ellipsis_mask and new_axis_mask are refused. Axes beyond the operands' length are taken
 * whole. */
#include <limits.h>
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "tflite_schema.h"

typedef struct strided_slice_data {
    int32_t rank;
    int32_t start[EMBER_MAX_DIMS];
    int32_t step[EMBER_MAX_DIMS];  /* input elements per step along the axis (stride * axis stride) */
    int32_t count[EMBER_MAX_DIMS]; /* elements taken along the axis */
    int64_t in_strides[EMBER_MAX_DIMS];
    int32_t total;
    size_t elem;
} strided_slice_data;

static int64_t clamp64(int64_t x, int64_t lo, int64_t hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    strided_slice_data *data = (strided_slice_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *begin = ember_node_input(ctx, node, 1);
    const ember_tensor *end = ember_node_input(ctx, node, 2);
    const ember_tensor *strides = ember_node_input(ctx, node, 3);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, d, len, begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_mask, o = 0;
    int8_t offset;
    int ok;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 4 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "STRIDED_SLICE %ld: needs 4 inputs and 1 output, has %ld and %ld", (long)n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, input->type == output->type, EMBER_INVALID_MODEL,
                "STRIDED_SLICE %ld: input is %s, output %s", (long)n, ember_type_name(input->type),
                ember_type_name(output->type));
    EMBER_TRY(ember_check_const_int(ctx, node, begin, "begin", -1, 1));
    len = ember_element_count(begin);
    EMBER_CHECK(ctx, len <= input->rank, EMBER_INVALID_MODEL,
                "STRIDED_SLICE %ld: begin has %ld entries, input '%.64s' has rank %ld", (long)n, (long)len,
                input->name, (long)input->rank);
    EMBER_TRY(ember_check_const_int(ctx, node, end, "end", len, 1));
    EMBER_TRY(ember_check_const_int(ctx, node, strides, "strides", len, 1));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_SS_BEGIN_MASK, 0, &begin_mask));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_SS_END_MASK, 0, &end_mask));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_SS_ELLIPSIS_MASK, 0, &ellipsis_mask));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_SS_NEW_AXIS_MASK, 0, &new_axis_mask));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_SS_SHRINK_AXIS_MASK, 0, &shrink_mask));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_SS_OFFSET, 0, &offset));
    EMBER_CHECK(ctx, ellipsis_mask == 0 && new_axis_mask == 0, EMBER_UNSUPPORTED,
                "STRIDED_SLICE %ld: ellipsis_mask %ld and new_axis_mask %ld are not supported (must be 0)",
                (long)n, (long)ellipsis_mask, (long)new_axis_mask);

    ember_strides(input->dims, input->rank, data->in_strides);
    data->rank = input->rank;
    data->total = 1;
    ok = 1;
    for (d = 0; d < input->rank && ok; ++d) {
        const int64_t size = input->dims[d];
        int64_t start = 0, stop = size, stride = 1;
        const int shrink = d < len && (shrink_mask >> d) & 1;
        if (d < len) {
            /* TFLite reads these as int32; clamping int64 operands keeps the arithmetic below in range. */
            stride = clamp64(ember_const_int(strides, d), INT32_MIN + 1, INT32_MAX);
            EMBER_CHECK(ctx, stride != 0, EMBER_INVALID_MODEL, "STRIDED_SLICE %ld: stride of axis %ld is 0",
                        (long)n, (long)d);
            start = clamp64(ember_const_int(begin, d), INT32_MIN, INT32_MAX);
            stop = clamp64(ember_const_int(end, d), INT32_MIN, INT32_MAX);
            if (offset)
                stop += start;
            /* TFLite clamps begin, which on a shrunk axis would name an element outside the tensor; like
             * TensorFlow (ValidateStridedSliceOp) a shrunk axis needs begin in [-dim, dim). */
            EMBER_CHECK(
                ctx, !shrink || ((begin_mask >> d) & 1) || (start >= -size && start < size),
                EMBER_INVALID_MODEL,
                "STRIDED_SLICE %ld: shrunk axis %ld of input '%.64s' %s has begin %lld, outside [%ld, "
                "%ld); a shrunk axis takes the element at begin",
                (long)n, (long)d, input->name, ember_shape_string(input, a, sizeof a),
                (long long)ember_const_int(begin, d), (long)-size, (long)size);
            if ((begin_mask >> d) & 1)
                start = stride > 0 ? INT32_MIN : INT32_MAX;
            if (start < 0)
                start += size;
            start = stride > 0 ? clamp64(start, 0, size) : clamp64(start, -1, size - 1);
            if (shrink) {
                /* One element at begin whatever the stride's sign (TFLite's StopForAxis; the stride is moot).
                 */
                stop = start + 1;
                stride = 1;
            } else {
                if ((end_mask >> d) & 1)
                    stop = stride > 0 ? INT32_MAX : INT32_MIN;
                if (stop < 0)
                    stop += size;
                stop = stride > 0 ? clamp64(stop, 0, size) : clamp64(stop, -1, size - 1);
            }
        }
        if (size == 0)
            start = stop = 0;
        data->start[d] = (int32_t)start;
        data->step[d] = (int32_t)stride;
        data->count[d] = (int32_t)(stride > 0 ? (stop > start ? (stop - start + stride - 1) / stride : 0)
                                              : (stop < start ? (start - stop - stride - 1) / -stride : 0));
        EMBER_CHECK(
            ctx, !shrink || data->count[d] == 1, EMBER_INVALID_MODEL,
            "STRIDED_SLICE %ld: shrunk axis %ld of input '%.64s' %s has no element at the begin index",
            (long)n, (long)d, input->name, ember_shape_string(input, a, sizeof a));
        data->total *= data->count[d];
        if (!shrink) {
            ok = o < output->rank && output->dims[o] == data->count[d];
            ++o;
        }
    }
    EMBER_CHECK(ctx, ok && o == output->rank, EMBER_INVALID_MODEL,
                "STRIDED_SLICE %ld: slicing input '%.64s' %s does not give output '%.64s' %s", (long)n,
                input->name, ember_shape_string(input, a, sizeof a), output->name,
                ember_shape_string(output, b, sizeof b));
    data->elem = ember_type_size(input->type);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const strided_slice_data *p = (const strided_slice_data *)node->op_data;
    const uint8_t *in = (const uint8_t *)ember_node_input(ctx, node, 0)->data;
    uint8_t *out = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    int32_t index[EMBER_MAX_DIMS] = {0}, i, d;
    int64_t src = 0;
    if (p->total == 0)
        return EMBER_OK;
    for (d = 0; d < p->rank; ++d)
        src += (int64_t)p->start[d] * p->in_strides[d];
    for (i = 0; i < p->total; ++i) {
        memcpy(out + (size_t)i * p->elem, in + (size_t)src * p->elem, p->elem);
        for (d = p->rank - 1; d >= 0; --d) {
            src += (int64_t)p->step[d] * p->in_strides[d];
            if (++index[d] < p->count[d])
                break;
            src -= (int64_t)p->step[d] * p->in_strides[d] * p->count[d];
            index[d] = 0;
        }
    }
    return EMBER_OK;
}

EMBER_U8_AS_BYTES(strided_slice, prepare, eval)

const ember_kernel ember_kernel_strided_slice = {
    TFL_OP_STRIDED_SLICE,
    "STRIDED_SLICE",
    8,
    TFL_OPTIONS_STRIDED_SLICE,
    sizeof(strided_slice_data),
    strided_slice_prepare_u8,
    strided_slice_eval_u8,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
