/* Shape propagation (ember_propagate_shapes, ember_internal.h): at load, and again after the caller resizes
 * an input (resize.c).
 *
 * TensorFlow's converter writes each tensor's shape as it saw it with a batch of 1 and marks the dims it did
 * not know with -1 in shape_signature. LiteRT recomputes output shapes at prepare; here every op with a rule
 * below computes its output shape from its (already propagated) inputs, in operator order, the way LiteRT's
 * kernel computes it. At load (EMBER_SHAPES_LOAD) a stored dim that differs is replaced only where
 * shape_signature marks it dynamic (-1): most ops keep the stored batch, but SPACE_TO_BATCH_ND and
 * BATCH_TO_SPACE_ND multiply and divide it (the file stores [1, 8, 8, 8] where the op computes [4, 8, 8, 8]).
 * After a resize (EMBER_SHAPES_RESIZE) every output takes the computed shape, and inputs that admit no output
 * shape (a window larger than the image, a RESHAPE to a size that does not divide) are refused here with the
 * op's name. Either way the kernels' prepare then checks every shape with its own messages.
 *
 * Shapes computed at run time (Keras' Flatten with a dynamic batch becomes SHAPE, STRIDED_SLICE, PACK,
 * RESHAPE) need the values of small int tensors too: those are propagated beside the shapes from constants
 * and SHAPE outputs through STRIDED_SLICE, PACK, CONCATENATION, GATHER, RESHAPE, SQUEEZE and int ADD, SUB,
 * MUL, so that the RESHAPE knows its new shape before invoke. */
#include <stdlib.h>
#include <string.h>

#include "ember_internal.h"
#include "tflite_schema.h"

/* Values kept per int tensor: enough for PAD's paddings of a rank-8 tensor. */
#define MAX_VALUES 16

typedef struct known_values {
    uint8_t *known;  /* per tensor: 1 when values holds its elements */
    int64_t *values; /* MAX_VALUES per tensor */
} known_values;

static ember_tensor *node_in(ember_interpreter *ctx, const ember_node *node, int32_t i) {
    return i < node->input_count && node->inputs[i] >= 0 ? &ctx->tensors[node->inputs[i]] : NULL;
}

static int is_int(const ember_tensor *t) {
    return t->type == EMBER_INT32 || t->type == EMBER_INT64;
}

/* A constant int tensor whose elements lie densely in the model buffer (not sparse, not computed at prepare
 * like a folded DENSIFY's output). */
static int dense_const_int(const ember_tensor *t) {
    return t && t->is_constant && t->const_data && !t->is_sparse && is_int(t);
}

static int64_t const_at(const ember_tensor *t, int32_t i) {
    return t->type == EMBER_INT32 ? fb_i32_at(t->const_data + 4 * (size_t)i)
                                  : fb_i64_at(t->const_data + 8 * (size_t)i);
}

/* The elements of a small int tensor, when they are known before invoke (a constant, or a value propagated
 * here): their count in *count, 0 when unknown. */
static int int_values(const ember_interpreter *ctx, const known_values *kv, const ember_tensor *t,
                      int64_t *out, int32_t *count) {
    const int32_t n = t ? ember_element_count(t) : 0;
    int32_t i;
    if (!t || !is_int(t) || n > MAX_VALUES || t->rank > 1)
        return 0;
    if (t->is_constant) {
        if (!dense_const_int(t))
            return 0;
        for (i = 0; i < n; ++i)
            out[i] = const_at(t, i);
    } else {
        const int32_t index = (int32_t)(t - ctx->tensors);
        if (!kv->known || !kv->known[index])
            return 0;
        memcpy(out, kv->values + (size_t)index * MAX_VALUES, (size_t)n * sizeof *out);
    }
    *count = n;
    return 1;
}

static int32_t opt_i32(ember_interpreter *ctx, const ember_node *node, unsigned id, int32_t def) {
    int32_t v = def;
    if (node->has_options && !fb_get_i32(&ctx->model, &node->options, id, def, &v))
        return def; /* a malformed table: the kernel's prepare reports it */
    return v;
}

static int8_t opt_i8(ember_interpreter *ctx, const ember_node *node, unsigned id, int8_t def) {
    int8_t v = def;
    if (node->has_options && !fb_get_i8(&ctx->model, &node->options, id, def, &v))
        return def;
    return v;
}

/* What a rule found: the output shape, no rule (left to prepare), or inputs no output shape fits. */
enum { RULE_NONE = 0, RULE_SHAPE = 1, RULE_REFUSED = -1 };

typedef struct rule_result {
    int64_t dims[EMBER_MAX_DIMS];
    int32_t rank;
    const char *why; /* RULE_REFUSED: what does not fit */
} rule_result;

static int refuse(rule_result *r, const char *why) {
    r->why = why;
    return RULE_REFUSED;
}

static int copy_shape(const ember_tensor *t, rule_result *r) {
    int32_t d;
    r->rank = t->rank;
    for (d = 0; d < t->rank; ++d)
        r->dims[d] = t->dims[d];
    return RULE_SHAPE;
}

/* NumPy broadcasting of two shapes (ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, PRELU, BATCH_MATMUL's batch). */
static int broadcast(const int32_t *a, int32_t ra, const int32_t *b, int32_t rb, int64_t *out,
                     int32_t *rank) {
    const int32_t r = ra > rb ? ra : rb;
    int32_t d;
    for (d = 0; d < r; ++d) {
        const int64_t x = d < r - ra ? 1 : a[d - (r - ra)], y = d < r - rb ? 1 : b[d - (r - rb)];
        if (x != y && x != 1 && y != 1)
            return 0;
        out[d] = x == 1 ? y : x;
    }
    *rank = r;
    return 1;
}

/* One spatial axis of a windowed op (TFLite's ComputeOutSize). 0: the window does not fit. */
static int window_axis(int64_t in, int32_t filter, int32_t stride, int32_t dilation, int8_t padding,
                       int64_t *out) {
    const int64_t effective = (int64_t)(filter - 1) * dilation + 1;
    if (padding == TFL_PADDING_SAME)
        *out = (in + stride - 1) / stride;
    else
        *out = (in - effective + stride) / stride;
    /* LiteRT computes an empty output where the window does not fit; the kernels here refuse it. */
    return in == 0 || *out > 0;
}

static int window_rule(ember_interpreter *ctx, const ember_node *node, rule_result *r) {
    const ember_tensor *in = node_in(ctx, node, 0), *filter = node_in(ctx, node, 1);
    const int32_t code = node->kernel->builtin_code;
    int32_t fh, fw, sh, sw, dh = 1, dw = 1;
    int8_t padding;
    int64_t channels;
    if (!in || in->rank != 4)
        return RULE_NONE;
    if (code == TFL_OP_CONV_2D || code == TFL_OP_DEPTHWISE_CONV_2D) {
        const int dw_op = code == TFL_OP_DEPTHWISE_CONV_2D;
        if (!filter || filter->rank != 4)
            return RULE_NONE;
        padding = opt_i8(ctx, node, dw_op ? TFL_DW_PADDING : TFL_CONV_PADDING, TFL_PADDING_SAME);
        sw = opt_i32(ctx, node, dw_op ? TFL_DW_STRIDE_W : TFL_CONV_STRIDE_W, 0);
        sh = opt_i32(ctx, node, dw_op ? TFL_DW_STRIDE_H : TFL_CONV_STRIDE_H, 0);
        dw = opt_i32(ctx, node, dw_op ? TFL_DW_DILATION_W : TFL_CONV_DILATION_W, 1);
        dh = opt_i32(ctx, node, dw_op ? TFL_DW_DILATION_H : TFL_CONV_DILATION_H, 1);
        fh = filter->dims[1];
        fw = filter->dims[2];
        channels = dw_op ? filter->dims[3] : filter->dims[0];
    } else {
        padding = opt_i8(ctx, node, TFL_POOL_PADDING, TFL_PADDING_SAME);
        sw = opt_i32(ctx, node, TFL_POOL_STRIDE_W, 0);
        sh = opt_i32(ctx, node, TFL_POOL_STRIDE_H, 0);
        fw = opt_i32(ctx, node, TFL_POOL_FILTER_W, 0);
        fh = opt_i32(ctx, node, TFL_POOL_FILTER_H, 0);
        channels = in->dims[3];
    }
    if (sw < 1 || sh < 1 || dw < 1 || dh < 1 || fw < 1 || fh < 1 ||
        (padding != TFL_PADDING_SAME && padding != TFL_PADDING_VALID))
        return RULE_NONE; /* prepare names the bad option */
    /* LiteRT's CONV_2D refuses an empty image (conv.cc): so does its propagation here. */
    if (code == TFL_OP_CONV_2D && (in->dims[1] == 0 || in->dims[2] == 0))
        return refuse(r, "its height or width is 0");
    r->rank = 4;
    r->dims[0] = in->dims[0];
    r->dims[3] = channels;
    if (!window_axis(in->dims[1], fh, sh, dh, padding, &r->dims[1]) ||
        !window_axis(in->dims[2], fw, sw, dw, padding, &r->dims[2]))
        return refuse(r, "its VALID window is larger than the padded image");
    return RULE_SHAPE;
}

static int fully_connected_rule(ember_interpreter *ctx, const ember_node *node, rule_result *r) {
    const ember_tensor *in = node_in(ctx, node, 0), *weights = node_in(ctx, node, 1);
    int64_t count;
    if (!in || !weights || weights->rank != 2 || weights->dims[1] < 1 || in->rank < 1)
        return RULE_NONE;
    if (opt_i8(ctx, node, TFL_FC_KEEP_NUM_DIMS, 0)) {
        if (in->dims[in->rank - 1] != weights->dims[1])
            return refuse(r, "its last dimension is not the weights' input size");
        copy_shape(in, r);
        r->dims[in->rank - 1] = weights->dims[0];
        return RULE_SHAPE;
    }
    count = ember_element_count(in);
    if (count % weights->dims[1] != 0)
        return refuse(r, "its element count is not a multiple of the weights' input size");
    r->rank = 2;
    r->dims[0] = count / weights->dims[1];
    r->dims[1] = weights->dims[0];
    return RULE_SHAPE;
}

static int batch_matmul_rule(ember_interpreter *ctx, const ember_node *node, rule_result *r) {
    const ember_tensor *a = node_in(ctx, node, 0), *b = node_in(ctx, node, 1);
    int32_t m, k, k2, n;
    if (!a || !b || a->rank < 2 || b->rank < 2)
        return RULE_NONE;
    m = opt_i8(ctx, node, TFL_BMM_ADJ_X, 0) ? a->dims[a->rank - 1] : a->dims[a->rank - 2];
    k = opt_i8(ctx, node, TFL_BMM_ADJ_X, 0) ? a->dims[a->rank - 2] : a->dims[a->rank - 1];
    k2 = opt_i8(ctx, node, TFL_BMM_ADJ_Y, 0) ? b->dims[b->rank - 1] : b->dims[b->rank - 2];
    n = opt_i8(ctx, node, TFL_BMM_ADJ_Y, 0) ? b->dims[b->rank - 2] : b->dims[b->rank - 1];
    if (k != k2)
        return refuse(r, "the inner dimensions of the two operands differ");
    if (!broadcast(a->dims, a->rank - 2, b->dims, b->rank - 2, r->dims, &r->rank))
        return refuse(r, "the batch dimensions do not broadcast");
    r->dims[r->rank] = m;
    r->dims[r->rank + 1] = n;
    r->rank += 2;
    return RULE_SHAPE;
}

static int concatenation_rule(ember_interpreter *ctx, const ember_node *node, rule_result *r) {
    const ember_tensor *first = node_in(ctx, node, 0);
    int32_t axis, i, d;
    if (!first || first->rank < 1)
        return RULE_NONE;
    axis = opt_i32(ctx, node, TFL_CONCAT_AXIS, 0);
    if (axis < 0)
        axis += first->rank;
    if (axis < 0 || axis >= first->rank)
        return RULE_NONE;
    copy_shape(first, r);
    r->dims[axis] = 0;
    for (i = 0; i < node->input_count; ++i) {
        const ember_tensor *t = node_in(ctx, node, i);
        if (!t || t->rank != first->rank)
            return RULE_NONE;
        for (d = 0; d < t->rank; ++d) {
            if (d != axis && t->dims[d] != first->dims[d])
                return refuse(r, "the inputs differ outside the concatenation axis");
        }
        r->dims[axis] += t->dims[axis];
    }
    return RULE_SHAPE;
}

/* RESHAPE to `shape` (count entries, at most one -1) of a tensor of `elements` elements. */
static int reshape_to(const int64_t *shape, int32_t count, int64_t elements, rule_result *r) {
    int64_t product = 1;
    int32_t d, unknown = -1;
    if (count > EMBER_MAX_DIMS)
        return RULE_NONE;
    for (d = 0; d < count; ++d) {
        if (shape[d] == -1 && unknown < 0) {
            unknown = d;
            continue;
        }
        if (shape[d] < 0 || shape[d] > INT32_MAX)
            return RULE_NONE;
        r->dims[d] = shape[d];
        if (product <= INT32_MAX)
            product *= shape[d];
    }
    r->rank = count;
    if (unknown >= 0) {
        if (product == 0 || elements % product != 0)
            return refuse(r, "its element count is not a multiple of the requested shape's known dims");
        r->dims[unknown] = elements / product;
    } else if (product != elements) {
        return refuse(r, "its element count differs from the requested shape's");
    }
    return RULE_SHAPE;
}

static int reshape_rule(ember_interpreter *ctx, const known_values *kv, const ember_node *node,
                        rule_result *r) {
    const ember_tensor *in = node_in(ctx, node, 0), *shape_in = node_in(ctx, node, 1);
    int64_t shape[MAX_VALUES];
    int32_t count, d;
    if (!in)
        return RULE_NONE;
    if (shape_in) {
        if (shape_in->rank != 1 || !int_values(ctx, kv, shape_in, shape, &count))
            return RULE_NONE;
    } else {
        fb_vector v;
        if (!node->has_options || !fb_get_vector(&ctx->model, &node->options, TFL_RESHAPE_NEW_SHAPE, 4, &v) ||
            v.len == 0 || v.len > EMBER_MAX_DIMS)
            return RULE_NONE;
        count = (int32_t)v.len;
        for (d = 0; d < count; ++d)
            shape[d] = fb_vector_i32(&ctx->model, &v, (uint32_t)d);
    }
    return reshape_to(shape, count, ember_element_count(in), r);
}

static int squeeze_rule(ember_interpreter *ctx, const ember_node *node, rule_result *r) {
    const ember_tensor *in = node_in(ctx, node, 0);
    int squeeze[EMBER_MAX_DIMS] = {0};
    fb_vector v;
    int32_t d;
    if (!in)
        return RULE_NONE;
    v.len = 0;
    if (node->has_options && !fb_get_vector(&ctx->model, &node->options, TFL_SQUEEZE_DIMS, 4, &v))
        return RULE_NONE;
    for (d = 0; d < (int32_t)v.len; ++d) {
        int32_t axis = fb_vector_i32(&ctx->model, &v, (uint32_t)d);
        if (axis < 0)
            axis += in->rank;
        if (axis < 0 || axis >= in->rank)
            return RULE_NONE;
        if (in->dims[axis] != 1)
            return refuse(r, "an axis squeeze_dims names is no longer of size 1");
        squeeze[axis] = 1;
    }
    r->rank = 0;
    for (d = 0; d < in->rank; ++d) {
        if (!(v.len ? squeeze[d] : in->dims[d] == 1))
            r->dims[r->rank++] = in->dims[d];
    }
    return RULE_SHAPE;
}

static int reduce_rule(ember_interpreter *ctx, const known_values *kv, const ember_node *node,
                       rule_result *r) {
    const ember_tensor *in = node_in(ctx, node, 0);
    int64_t axes[MAX_VALUES];
    int reduced[EMBER_MAX_DIMS] = {0};
    int32_t count, i, d;
    const int keep = opt_i8(ctx, node, TFL_REDUCER_KEEP_DIMS, 0) != 0;
    if (!in || !int_values(ctx, kv, node_in(ctx, node, 1), axes, &count))
        return RULE_NONE;
    for (i = 0; i < count; ++i) {
        const int64_t axis = axes[i] < 0 ? axes[i] + in->rank : axes[i];
        if (axis < 0 || axis >= in->rank)
            return RULE_NONE;
        reduced[axis] = 1;
    }
    r->rank = 0;
    for (d = 0; d < in->rank; ++d) {
        if (!reduced[d])
            r->dims[r->rank++] = in->dims[d];
        else if (keep)
            r->dims[r->rank++] = 1;
    }
    return RULE_SHAPE;
}

static int pad_rule(ember_interpreter *ctx, const ember_node *node, rule_result *r) {
    const ember_tensor *in = node_in(ctx, node, 0), *p = node_in(ctx, node, 1);
    int32_t d;
    /* paddings are [rank, 2]: a constant, read in place. */
    if (!in || !dense_const_int(p) || p->rank != 2 || ember_element_count(p) != 2 * in->rank)
        return RULE_NONE;
    copy_shape(in, r);
    for (d = 0; d < 2 * in->rank; ++d) {
        const int64_t pad = const_at(p, d);
        if (pad < 0 || pad > INT32_MAX)
            return RULE_NONE;
        r->dims[d / 2] += pad;
    }
    return RULE_SHAPE;
}

static int transpose_rule(ember_interpreter *ctx, const known_values *kv, const ember_node *node,
                          rule_result *r) {
    const ember_tensor *in = node_in(ctx, node, 0);
    int64_t perm[MAX_VALUES];
    int32_t count, d;
    if (!in || !int_values(ctx, kv, node_in(ctx, node, 1), perm, &count) || count != in->rank)
        return RULE_NONE;
    r->rank = in->rank;
    for (d = 0; d < in->rank; ++d) {
        if (perm[d] < 0 || perm[d] >= in->rank)
            return RULE_NONE;
        r->dims[d] = in->dims[perm[d]];
    }
    return RULE_SHAPE;
}

/* STRIDED_SLICE's start, step and element count along each axis (the kernel's logic; ellipsis and new axes
 * are not supported there). 0 when the operands are not known or not supported. */
static int slice_axes(ember_interpreter *ctx, const known_values *kv, const ember_node *node,
                      const ember_tensor *in, int64_t *start_out, int64_t *step_out, int64_t *count_out,
                      int *shrunk) {
    int64_t begin[MAX_VALUES], end[MAX_VALUES], strides[MAX_VALUES];
    int32_t len, len2, len3, d;
    const int32_t begin_mask = opt_i32(ctx, node, TFL_SS_BEGIN_MASK, 0);
    const int32_t end_mask = opt_i32(ctx, node, TFL_SS_END_MASK, 0);
    const int32_t shrink_mask = opt_i32(ctx, node, TFL_SS_SHRINK_AXIS_MASK, 0);
    const int offset = opt_i8(ctx, node, TFL_SS_OFFSET, 0) != 0;
    if (node->input_count != 4 || opt_i32(ctx, node, TFL_SS_ELLIPSIS_MASK, 0) ||
        opt_i32(ctx, node, TFL_SS_NEW_AXIS_MASK, 0) ||
        !int_values(ctx, kv, node_in(ctx, node, 1), begin, &len) ||
        !int_values(ctx, kv, node_in(ctx, node, 2), end, &len2) ||
        !int_values(ctx, kv, node_in(ctx, node, 3), strides, &len3) || len != len2 || len != len3 ||
        len > in->rank)
        return 0;
    for (d = 0; d < in->rank; ++d) {
        const int64_t size = in->dims[d];
        int64_t start = 0, stop = size, stride = 1;
        shrunk[d] = d < len && (shrink_mask >> d) & 1;
        if (d < len) {
            stride = strides[d];
            if (stride == 0 || stride < INT32_MIN + 1 || stride > INT32_MAX)
                return 0;
            start = begin[d];
            stop = end[d];
            if (start < INT32_MIN || start > INT32_MAX || stop < INT32_MIN || stop > INT32_MAX)
                return 0;
            if (offset)
                stop += start;
            if (shrunk[d] && !((begin_mask >> d) & 1) && !(start >= -size && start < size))
                return 0;
            if ((begin_mask >> d) & 1)
                start = stride > 0 ? INT32_MIN : INT32_MAX;
            if (start < 0)
                start += size;
            start = stride > 0 ? (start < 0      ? 0
                                  : start > size ? size
                                                 : start)
                               : (start < -1         ? -1
                                  : start > size - 1 ? size - 1
                                                     : start);
            if (shrunk[d]) {
                stop = start + 1;
                stride = 1;
            } else {
                if ((end_mask >> d) & 1)
                    stop = stride > 0 ? INT32_MAX : INT32_MIN;
                if (stop < 0)
                    stop += size;
                stop = stride > 0 ? (stop < 0      ? 0
                                     : stop > size ? size
                                                   : stop)
                                  : (stop < -1         ? -1
                                     : stop > size - 1 ? size - 1
                                                       : stop);
            }
        }
        if (size == 0)
            start = stop = 0;
        start_out[d] = start;
        step_out[d] = stride;
        count_out[d] = stride > 0 ? (stop > start ? (stop - start + stride - 1) / stride : 0)
                                  : (stop < start ? (start - stop - stride - 1) / -stride : 0);
        if (shrunk[d] && count_out[d] != 1)
            return 0;
    }
    return 1;
}

static int strided_slice_rule(ember_interpreter *ctx, const known_values *kv, const ember_node *node,
                              rule_result *r) {
    const ember_tensor *in = node_in(ctx, node, 0);
    int64_t start[EMBER_MAX_DIMS], step[EMBER_MAX_DIMS], count[EMBER_MAX_DIMS];
    int shrunk[EMBER_MAX_DIMS];
    int32_t d;
    if (!in || !slice_axes(ctx, kv, node, in, start, step, count, shrunk))
        return RULE_NONE;
    r->rank = 0;
    for (d = 0; d < in->rank; ++d) {
        if (!shrunk[d])
            r->dims[r->rank++] = count[d];
    }
    return RULE_SHAPE;
}

static int gather_rule(ember_interpreter *ctx, const ember_node *node, rule_result *r) {
    const ember_tensor *params = node_in(ctx, node, 0), *indices = node_in(ctx, node, 1);
    int32_t axis, batch_dims, d;
    if (!params || !indices)
        return RULE_NONE;
    axis = opt_i32(ctx, node, TFL_GATHER_AXIS, 0);
    batch_dims = opt_i32(ctx, node, TFL_GATHER_BATCH_DIMS, 0);
    if (axis < 0)
        axis += params->rank;
    if (batch_dims < 0)
        batch_dims += indices->rank;
    if (axis < 0 || axis >= params->rank || batch_dims < 0 || batch_dims > axis ||
        batch_dims > indices->rank || params->rank + indices->rank - 1 - batch_dims > EMBER_MAX_DIMS)
        return RULE_NONE;
    r->rank = 0;
    for (d = 0; d < axis; ++d)
        r->dims[r->rank++] = params->dims[d];
    for (d = batch_dims; d < indices->rank; ++d)
        r->dims[r->rank++] = indices->dims[d];
    for (d = axis + 1; d < params->rank; ++d)
        r->dims[r->rank++] = params->dims[d];
    return RULE_SHAPE;
}

static int pack_rule(ember_interpreter *ctx, const ember_node *node, rule_result *r) {
    const ember_tensor *first = node_in(ctx, node, 0);
    int32_t axis, d, i;
    if (!first || first->rank + 1 > EMBER_MAX_DIMS)
        return RULE_NONE;
    axis = opt_i32(ctx, node, TFL_PACK_AXIS, 0);
    if (axis < 0)
        axis += first->rank + 1;
    if (axis < 0 || axis > first->rank)
        return RULE_NONE;
    for (i = 1; i < node->input_count; ++i) {
        const ember_tensor *t = node_in(ctx, node, i);
        if (!t || t->rank != first->rank || memcmp(t->dims, first->dims, (size_t)t->rank * sizeof *t->dims))
            return refuse(r, "the packed inputs' shapes differ");
    }
    r->rank = 0;
    for (d = 0; d <= first->rank; ++d) {
        if (d == axis)
            r->dims[r->rank++] = node->input_count;
        if (d < first->rank)
            r->dims[r->rank++] = first->dims[d];
    }
    return RULE_SHAPE;
}

static int resize_rule(ember_interpreter *ctx, const known_values *kv, const ember_node *node,
                       rule_result *r) {
    const ember_tensor *in = node_in(ctx, node, 0);
    int64_t size[MAX_VALUES];
    int32_t count;
    if (!in || in->rank != 4 || !int_values(ctx, kv, node_in(ctx, node, 1), size, &count) || count != 2 ||
        size[0] < 1 || size[1] < 1 || size[0] > INT32_MAX || size[1] > INT32_MAX)
        return RULE_NONE;
    copy_shape(in, r);
    r->dims[1] = size[0];
    r->dims[2] = size[1];
    return RULE_SHAPE;
}

static int depth_space_rule(ember_interpreter *ctx, const ember_node *node, rule_result *r) {
    const ember_tensor *in = node_in(ctx, node, 0);
    const int32_t block = opt_i32(ctx, node, TFL_DEPTH_SPACE_BLOCK_SIZE, 0);
    if (!in || in->rank != 4 || block < 1 || block > 65536)
        return RULE_NONE;
    copy_shape(in, r);
    if (node->kernel->builtin_code == TFL_OP_SPACE_TO_DEPTH) {
        if (r->dims[3] > INT32_MAX / ((int64_t)block * block))
            return RULE_NONE; /* the kernel names the size */
        if (in->dims[1] % block || in->dims[2] % block)
            return refuse(r, "its height or width is not a multiple of block_size");
        r->dims[1] /= block;
        r->dims[2] /= block;
        r->dims[3] *= (int64_t)block * block;
    } else {
        if (in->dims[3] % ((int64_t)block * block))
            return refuse(r, "its depth is not a multiple of block_size squared");
        r->dims[1] *= block;
        r->dims[2] *= block;
        r->dims[3] /= (int64_t)block * block;
    }
    return RULE_SHAPE;
}

/* SPACE_TO_BATCH_ND (to_batch) and BATCH_TO_SPACE_ND over NHWC or NWC with known block and paddings or crops.
 */
static int space_batch_rule(ember_interpreter *ctx, const known_values *kv, const ember_node *node,
                            int to_batch, rule_result *r) {
    const ember_tensor *in = node_in(ctx, node, 0);
    int64_t block[MAX_VALUES], pads[MAX_VALUES];
    int32_t spatial, i, nb, np;
    int64_t blocks = 1;
    if (node->input_count != 3 || !in || (in->rank != 3 && in->rank != 4))
        return RULE_NONE;
    spatial = in->rank - 2;
    if (!int_values(ctx, kv, node_in(ctx, node, 1), block, &nb) || nb != spatial)
        return RULE_NONE;
    {
        /* paddings and crops are [spatial, 2]: read the constant directly (int_values takes 1-D only). */
        const ember_tensor *p = node_in(ctx, node, 2);
        if (!dense_const_int(p) || ember_element_count(p) != 2 * spatial)
            return RULE_NONE;
        np = 2 * spatial;
        for (i = 0; i < np; ++i)
            pads[i] = const_at(p, i);
    }
    copy_shape(in, r);
    for (i = 0; i < spatial; ++i) {
        const int64_t k = block[i], lo = pads[2 * i], hi = pads[2 * i + 1];
        const int64_t size = in->dims[1 + i];
        if (k < 1 || k > 65536 || lo < 0 || lo > 65536 || hi < 0 || hi > 65536)
            return RULE_NONE;
        if (to_batch) {
            if ((size + lo + hi) % k != 0)
                return refuse(r, "its padded spatial size is not a multiple of the block");
            r->dims[1 + i] = (size + lo + hi) / k;
        } else {
            r->dims[1 + i] = size * k - lo - hi;
            if (r->dims[1 + i] < 0)
                return refuse(r, "the crops are larger than the image");
        }
        blocks *= k;
    }
    if (!to_batch && in->dims[0] % blocks != 0)
        return refuse(r, "its batch is not a multiple of the block size product");
    r->dims[0] = to_batch ? in->dims[0] * blocks : in->dims[0] / blocks;
    return RULE_SHAPE;
}

/* The shape of node's output 0 by its op's rule (RULE_SHAPE), RULE_NONE without one, RULE_REFUSED when the
 * inputs admit none. */
static int output_shape(ember_interpreter *ctx, const known_values *kv, const ember_node *node,
                        rule_result *r) {
    const ember_tensor *in = node_in(ctx, node, 0), *in1 = node_in(ctx, node, 1);
    int64_t values[MAX_VALUES];
    int32_t count;
    r->why = "";
    if (!in)
        return RULE_NONE;
    switch (node->kernel->builtin_code) {
    case TFL_OP_RELU:
    case TFL_OP_RELU6:
    case TFL_OP_TANH:
    case TFL_OP_LOGISTIC:
    case TFL_OP_HARD_SWISH:
    case TFL_OP_LEAKY_RELU:
    case TFL_OP_GELU:
    case TFL_OP_RSQRT:
    case TFL_OP_ABS:
    case TFL_OP_EXP:
    case TFL_OP_LOG:
    case TFL_OP_SQRT:
    case TFL_OP_QUANTIZE:
    case TFL_OP_DEQUANTIZE:
    case TFL_OP_SOFTMAX:
    case TFL_OP_LOG_SOFTMAX:
    case TFL_OP_L2_NORMALIZATION:
    case TFL_OP_LOCAL_RESPONSE_NORMALIZATION:
        return copy_shape(in, r);
    case TFL_OP_ADD:
    case TFL_OP_SUB:
    case TFL_OP_MUL:
    case TFL_OP_DIV:
    case TFL_OP_MAXIMUM:
    case TFL_OP_MINIMUM:
    case TFL_OP_PRELU:
        if (!in1)
            return RULE_NONE;
        if (!broadcast(in->dims, in->rank, in1->dims, in1->rank, r->dims, &r->rank))
            return refuse(r, "the two operands' shapes do not broadcast");
        return RULE_SHAPE;
    case TFL_OP_CONV_2D:
    case TFL_OP_DEPTHWISE_CONV_2D:
    case TFL_OP_AVERAGE_POOL_2D:
    case TFL_OP_MAX_POOL_2D:
        return window_rule(ctx, node, r);
    case TFL_OP_FULLY_CONNECTED:
        return fully_connected_rule(ctx, node, r);
    case TFL_OP_BATCH_MATMUL:
        return batch_matmul_rule(ctx, node, r);
    case TFL_OP_CONCATENATION:
        return concatenation_rule(ctx, node, r);
    case TFL_OP_RESHAPE:
        return reshape_rule(ctx, kv, node, r);
    case TFL_OP_SQUEEZE:
        return squeeze_rule(ctx, node, r);
    case TFL_OP_MEAN:
    case TFL_OP_SUM:
    case TFL_OP_REDUCE_MAX:
    case TFL_OP_REDUCE_MIN:
        return reduce_rule(ctx, kv, node, r);
    case TFL_OP_PAD:
    case TFL_OP_PADV2:
    case TFL_OP_MIRROR_PAD:
        return pad_rule(ctx, node, r);
    case TFL_OP_TRANSPOSE:
        return transpose_rule(ctx, kv, node, r);
    case TFL_OP_STRIDED_SLICE:
        return strided_slice_rule(ctx, kv, node, r);
    case TFL_OP_GATHER:
        return gather_rule(ctx, node, r);
    case TFL_OP_PACK:
        return pack_rule(ctx, node, r);
    case TFL_OP_SHAPE:
        r->rank = 1;
        r->dims[0] = in->rank;
        return RULE_SHAPE;
    case TFL_OP_RESIZE_BILINEAR:
    case TFL_OP_RESIZE_NEAREST_NEIGHBOR:
        return resize_rule(ctx, kv, node, r);
    case TFL_OP_SPACE_TO_DEPTH:
    case TFL_OP_DEPTH_TO_SPACE:
        return depth_space_rule(ctx, node, r);
    case TFL_OP_SPACE_TO_BATCH_ND:
    case TFL_OP_BATCH_TO_SPACE_ND:
        return space_batch_rule(ctx, kv, node, node->kernel->builtin_code == TFL_OP_SPACE_TO_BATCH_ND, r);
    case TFL_OP_TRANSPOSE_CONV:
        /* inputs: output_shape, weights, input */
        if (!int_values(ctx, kv, in, values, &count) || count != 4)
            return RULE_NONE;
        r->rank = 4;
        for (count = 0; count < 4; ++count) {
            if (values[count] < 0 || values[count] > INT32_MAX)
                return RULE_NONE;
            r->dims[count] = values[count];
        }
        if (node_in(ctx, node, 2) && node_in(ctx, node, 2)->rank == 4 &&
            node_in(ctx, node, 2)->dims[0] != r->dims[0])
            return refuse(r, "its output_shape gives another batch than the image's");
        return RULE_SHAPE;
    default:
        return RULE_NONE; /* DENSIFY (constant) and anything new: the stored shape stays */
    }
}

/* The values of node's int output 0 when its inputs' are known (the shape arithmetic of dynamic graphs). */
static void output_values(ember_interpreter *ctx, known_values *kv, const ember_node *node) {
    const ember_tensor *in = node_in(ctx, node, 0), *out = &ctx->tensors[node->outputs[0]];
    const int32_t index = node->outputs[0], n = ember_element_count(out);
    int64_t *v = kv->values + (size_t)index * MAX_VALUES;
    int64_t a[MAX_VALUES], b[MAX_VALUES];
    int32_t na, nb, i, j, d;
    if (!kv->known || !in || !is_int(out) || out->rank > 1 || n > MAX_VALUES)
        return;
    switch (node->kernel->builtin_code) {
    case TFL_OP_SHAPE:
        if (n != in->rank)
            return;
        for (d = 0; d < in->rank; ++d)
            v[d] = in->dims[d];
        break;
    case TFL_OP_RESHAPE:
    case TFL_OP_SQUEEZE:
        if (!int_values(ctx, kv, in, a, &na) || na != n)
            return;
        memcpy(v, a, (size_t)n * sizeof *v);
        break;
    case TFL_OP_STRIDED_SLICE: {
        int64_t start[EMBER_MAX_DIMS], step[EMBER_MAX_DIMS], count[EMBER_MAX_DIMS];
        int shrunk[EMBER_MAX_DIMS];
        if (in->rank != 1 || !int_values(ctx, kv, in, a, &na) ||
            !slice_axes(ctx, kv, node, in, start, step, count, shrunk) || count[0] != n)
            return;
        for (i = 0; i < n; ++i)
            v[i] = a[start[0] + i * step[0]];
        break;
    }
    case TFL_OP_PACK:
    case TFL_OP_CONCATENATION:
        for (i = 0, j = 0; i < node->input_count; ++i) {
            if (!int_values(ctx, kv, node_in(ctx, node, i), a, &na) || j + na > n)
                return;
            memcpy(v + j, a, (size_t)na * sizeof *v);
            j += na;
        }
        if (j != n)
            return;
        break;
    case TFL_OP_GATHER:
        if (in->rank != 1 || !int_values(ctx, kv, in, a, &na) ||
            !int_values(ctx, kv, node_in(ctx, node, 1), b, &nb) || nb != n)
            return;
        for (i = 0; i < n; ++i) {
            if (b[i] < 0 || b[i] >= na)
                return;
            v[i] = a[b[i]];
        }
        break;
    case TFL_OP_ADD:
    case TFL_OP_SUB:
    case TFL_OP_MUL:
        if (!int_values(ctx, kv, in, a, &na) || !int_values(ctx, kv, node_in(ctx, node, 1), b, &nb) ||
            (na != n && na != 1) || (nb != n && nb != 1) || opt_i8(ctx, node, TFL_ARITH_FUSED_ACTIVATION, 0))
            return;
        for (i = 0; i < n; ++i) {
            const int64_t x = a[na == 1 ? 0 : i], y = b[nb == 1 ? 0 : i];
            if (x < INT32_MIN || x > INT32_MAX || y < INT32_MIN || y > INT32_MAX)
                return;
            v[i] = node->kernel->builtin_code == TFL_OP_ADD   ? x + y
                   : node->kernel->builtin_code == TFL_OP_SUB ? x - y
                                                              : x * y;
        }
        break;
    default:
        return;
    }
    kv->known[index] = 1;
}

/* A SLICE whose begin or size is computed at run time (TensorFlow's GRU / SimpleRNN bodies: the loop
 * counter), into a tensor inside its subgraph: its output's shape is known only at eval. (Into an output of
 * the subgraph, whose shape the caller sees, the kernel refuses it.) */
static int runtime_shaped_slice(ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *in = node_in(ctx, node, 0), *begin = node_in(ctx, node, 1),
                       *size = node_in(ctx, node, 2);
    const ember_subgraph *sg = &ctx->subgraphs[node->subgraph];
    int32_t i;
    if (node->kernel->builtin_code != TFL_OP_SLICE || !in || !begin || !size || node->output_count != 1 ||
        ctx->tensors[node->outputs[0]].is_constant || ctx->tensors[node->outputs[0]].is_graph_output ||
        (begin->is_constant && size->is_constant))
        return 0;
    for (i = 0; i < sg->output_count; ++i)
        if (sg->outputs[i] == node->outputs[0])
            return 0;
    return 1;
}

/* Does the node read a tensor whose shape is known only at run time? Its output keeps the stored shape: the
 * one kernel that reads such a tensor, CONCATENATION, checks the actual one at eval; the others are refused
 * at load. */
static int runtime_shaped_input(ember_interpreter *ctx, const ember_node *node) {
    int32_t i;
    for (i = 0; i < node->input_count; ++i)
        if (node_in(ctx, node, i) && node_in(ctx, node, i)->runtime_shape)
            return 1;
    return 0;
}

/* Byte size of a shape of `type`, within the loader's bounds (verify_tensors.c); 0 when it passes them. */
static int shape_bytes(const int32_t *dims, int32_t rank, int32_t type, size_t *bytes) {
    uint64_t span = ember_type_size(type);
    int32_t d, empty = 0;
    for (d = 0; d < rank; ++d) {
        if (dims[d] == 0) {
            empty = 1;
            continue;
        }
        if (span > EMBER_MAX_TENSOR_SPAN / (uint64_t)dims[d])
            return 0;
        span *= (uint64_t)dims[d];
    }
    if (!empty && span > EMBER_MAX_TENSOR_BYTES)
        return 0;
    *bytes = empty ? 0 : (size_t)span;
    return 1;
}

ember_status ember_set_tensor_shape(ember_interpreter *ctx, ember_tensor *t, const int32_t *dims) {
    size_t bytes;
    char a[96];
    int32_t saved[EMBER_MAX_DIMS];
    memcpy(saved, t->dims, sizeof saved);
    memcpy(t->dims, dims, (size_t)t->rank * sizeof *dims);
    if (!shape_bytes(t->dims, t->rank, t->type, &bytes)) {
        ember_shape_string(t, a, sizeof a);
        memcpy(t->dims, saved, sizeof saved);
        return ember_fail(ctx, EMBER_UNSUPPORTED, "tensor '%.64s' %s would need more than 2 GiB", t->name, a);
    }
    t->bytes = bytes;
    return EMBER_OK;
}

size_t ember_shape_scratch_bytes(const ember_interpreter *ctx) {
    const size_t n = (size_t)(ctx->tensor_count ? ctx->tensor_count : 1);
    return n * MAX_VALUES * sizeof(int64_t) + n;
}

ember_status ember_propagate_shapes(ember_interpreter *ctx, int mode, void *scratch) {
    known_values kv;
    ember_status status = EMBER_OK;
    int32_t i, d;
    const size_t n = (size_t)(ctx->tensor_count ? ctx->tensor_count : 1);
    void *owned = scratch ? NULL : malloc(ember_shape_scratch_bytes(ctx));
    uint8_t *bytes = (uint8_t *)(scratch ? scratch : owned);
    kv.values = bytes ? (int64_t *)(void *)bytes : NULL;
    kv.known = bytes ? bytes + n * MAX_VALUES * sizeof(int64_t) : NULL;
    if (!bytes && mode != EMBER_SHAPES_LOAD)
        return ember_fail(ctx, EMBER_OUT_OF_MEMORY, "cannot allocate shape propagation's %lu entries",
                          (unsigned long)n);
    if (kv.known) /* else, at load: only the shape rules, without value propagation */
        memset(kv.known, 0, n);
    for (i = 0; i < ctx->node_count && status == EMBER_OK; ++i) {
        const ember_node *node = &ctx->nodes[i];
        ember_tensor *out;
        rule_result r;
        int32_t dims[EMBER_MAX_DIMS];
        int rule, changed = 0;
        char a[96];
        if (node->output_count < 1)
            continue;
        out = &ctx->tensors[node->outputs[0]];
        if (runtime_shaped_slice(ctx, node)) {
            /* Planned at its upper bound, the input's shape; the kernel's eval writes the actual one. */
            const ember_tensor *in = node_in(ctx, node, 0);
            out->runtime_shape = 1;
            if (in->rank == out->rank)
                status = ember_set_tensor_shape(ctx, out, in->dims);
            out->bound_bytes = out->bytes;
            continue;
        }
        if (runtime_shaped_input(ctx, node) && node->kernel->builtin_code != TFL_OP_CONCATENATION) {
            status = ember_fail(ctx, EMBER_UNSUPPORTED,
                                "%s %ld (subgraph %ld): an input comes from a SLICE whose begin or size is "
                                "computed at run time, which only CONCATENATION reads (make them constant)",
                                node->kernel->name, (long)node->index, (long)node->subgraph);
            break;
        }
        rule = out->is_constant || out->is_graph_input ? RULE_NONE : output_shape(ctx, &kv, node, &r);
        if (rule == RULE_SHAPE && runtime_shaped_input(ctx, node)) {
            /* A CONCATENATION of run-time shapes: the dims outside the axis follow the inputs' bounds, the
             * axis keeps the stored size, which eval checks the inputs fill. */
            int32_t axis = opt_i32(ctx, node, TFL_CONCAT_AXIS, 0);
            axis += axis < 0 ? out->rank : 0;
            if (axis >= 0 && axis < r.rank)
                r.dims[axis] = out->dims[axis];
        }
        if (rule == RULE_REFUSED && mode == EMBER_SHAPES_RESIZE_CHECKED) {
            /* The data input: TRANSPOSE_CONV's image is its third. */
            const ember_tensor *in =
                node_in(ctx, node, node->kernel->builtin_code == TFL_OP_TRANSPOSE_CONV ? 2 : 0);
            status = ember_fail(ctx, EMBER_INVALID_ARGUMENT, "%s %ld cannot take input '%.64s' %s: %s",
                                node->kernel->name, (long)node->index, in->name,
                                ember_shape_string(in, a, sizeof a), r.why);
            break;
        }
        if (rule == RULE_SHAPE && r.rank == out->rank) {
            for (d = 0; d < out->rank; ++d) {
                dims[d] = out->dims[d];
                if (r.dims[d] != out->dims[d] && r.dims[d] >= 0 && r.dims[d] <= INT32_MAX &&
                    (mode != EMBER_SHAPES_LOAD || out->dims_signature[d] == -1)) {
                    dims[d] = (int32_t)r.dims[d];
                    changed = 1;
                }
            }
            if (changed) {
                status = ember_set_tensor_shape(ctx, out, dims);
                if (status != EMBER_OK) {
                    /* name the op as well */
                    char message[EMBER_ERROR_CAPACITY];
                    memcpy(message, ctx->error, sizeof message);
                    status = ember_fail(ctx, status, "%s %ld: output %s", node->kernel->name,
                                        (long)node->index, message);
                    break;
                }
            }
        }
        output_values(ctx, &kv, node);
    }
    free(owned);
    return status;
}
