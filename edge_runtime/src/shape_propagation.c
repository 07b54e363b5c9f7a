/* Load-time shape propagation (ember_propagate_shapes, ember_internal.h).
 *
 * TensorFlow's converter writes each tensor's shape as it saw it with a batch of 1 and marks the dims it did
 * not know with -1 in shape_signature. Most ops keep that batch, but SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND
 * (a dilated convolution with a dynamic batch becomes SPACE_TO_BATCH_ND, CONV_2D, BATCH_TO_SPACE_ND) multiply
 * and divide it: the file then stores [1, 8, 8, 8] where the op computes [4, 8, 8, 8]. LiteRT recomputes
 * output shapes at prepare; here each op with a shape rule below computes its output shape from its (already
 * propagated) inputs, in operator order, and a stored dim that differs is replaced only where
 * shape_signature marks it dynamic (-1). Any other disagreement is left for the kernel's prepare to refuse
 * with its own message, so really inconsistent shapes keep a clear error. Issue 14 (dynamic shapes) can grow
 * this: more rules, and a rerun after the caller resizes an input. */
#include "ember_internal.h"
#include "tflite_schema.h"

/* Element i of a constant int32 or int64 tensor (read unaligned: constants are not copied yet). */
static int64_t const_int(const ember_tensor *t, int32_t i) {
    return t->type == EMBER_INT32 ? fb_i32_at(t->const_data + 4 * (size_t)i)
                                  : fb_i64_at(t->const_data + 8 * (size_t)i);
}

static int const_ints(const ember_tensor *t, int32_t count) {
    return t && t->is_constant && (t->type == EMBER_INT32 || t->type == EMBER_INT64) &&
           ember_element_count(t) == count;
}

/* SPACE_TO_BATCH_ND (to_batch) and BATCH_TO_SPACE_ND over NHWC or NWC with constant block and paddings or
 * crops: the output shape, or 0 when the inputs do not define one (the kernel's prepare says why). */
static int space_batch_rule(const ember_interpreter *ctx, const ember_node *node, int to_batch, int64_t *dims) {
    const ember_tensor *in, *block, *pads;
    int32_t spatial, i;
    int64_t blocks = 1;
    if (node->input_count != 3 || node->inputs[0] < 0) /* checked before any input is read */
        return 0;
    in = &ctx->tensors[node->inputs[0]];
    block = node->inputs[1] >= 0 ? &ctx->tensors[node->inputs[1]] : NULL;
    pads = node->inputs[2] >= 0 ? &ctx->tensors[node->inputs[2]] : NULL;
    spatial = in->rank - 2;
    if ((in->rank != 3 && in->rank != 4) || !const_ints(block, spatial) ||
        !const_ints(pads, 2 * spatial))
        return 0;
    for (i = 0; i < spatial; ++i) {
        const int64_t k = const_int(block, i), lo = const_int(pads, 2 * i), hi = const_int(pads, 2 * i + 1);
        const int64_t size = in->dims[1 + i];
        if (k < 1 || k > 65536 || lo < 0 || lo > 65536 || hi < 0 || hi > 65536)
            return 0;
        if (to_batch) {
            if ((size + lo + hi) % k != 0)
                return 0;
            dims[1 + i] = (size + lo + hi) / k;
        } else {
            dims[1 + i] = size * k - lo - hi;
            if (dims[1 + i] < 0)
                return 0;
        }
        blocks *= k;
    }
    if (!to_batch && in->dims[0] % blocks != 0)
        return 0;
    dims[0] = to_batch ? in->dims[0] * blocks : in->dims[0] / blocks;
    dims[in->rank - 1] = in->dims[in->rank - 1];
    return 1;
}

/* The output shape of node's output 0 by its op's rule into dims (output->rank entries); 0: no rule. */
static int output_shape(const ember_interpreter *ctx, const ember_node *node, int64_t *dims) {
    const ember_tensor *in = node->input_count >= 1 && node->inputs[0] >= 0 ? &ctx->tensors[node->inputs[0]]
                                                                            : NULL;
    const ember_tensor *out = &ctx->tensors[node->outputs[0]];
    int32_t d;
    if (!in || in->rank != out->rank || out->rank < 1)
        return 0;
    for (d = 0; d < out->rank; ++d)
        dims[d] = out->dims[d];
    switch (node->kernel->builtin_code) {
    case TFL_OP_SPACE_TO_BATCH_ND:
    case TFL_OP_BATCH_TO_SPACE_ND:
        return space_batch_rule(ctx, node, node->kernel->builtin_code == TFL_OP_SPACE_TO_BATCH_ND, dims);
    case TFL_OP_CONV_2D:
    case TFL_OP_DEPTHWISE_CONV_2D:
        dims[0] = in->dims[0]; /* the batch passes through; H, W and C are the kernel's to check */
        return 1;
    case TFL_OP_RELU:
    case TFL_OP_RELU6:
    case TFL_OP_TANH:
    case TFL_OP_LOGISTIC:
    case TFL_OP_HARD_SWISH:
    case TFL_OP_LEAKY_RELU:
    case TFL_OP_QUANTIZE:
    case TFL_OP_DEQUANTIZE:
        for (d = 0; d < out->rank; ++d)
            dims[d] = in->dims[d];
        return 1;
    default:
        return 0;
    }
}

ember_status ember_propagate_shapes(ember_interpreter *ctx) {
    int32_t i, d;
    for (i = 0; i < ctx->node_count; ++i) {
        const ember_node *node = &ctx->nodes[i];
        ember_tensor *out;
        int64_t dims[EMBER_MAX_DIMS];
        uint64_t span;
        int changed = 0, empty = 0;
        if (node->output_count < 1 || !output_shape(ctx, node, dims))
            continue;
        out = &ctx->tensors[node->outputs[0]];
        if (out->is_constant || out->is_graph_input)
            continue;
        for (d = 0; d < out->rank; ++d) {
            if (dims[d] != out->dims[d] && out->dims_signature[d] == -1 && dims[d] >= 0 &&
                dims[d] <= INT32_MAX) {
                out->dims[d] = (int32_t)dims[d];
                changed = 1;
            }
        }
        if (!changed)
            continue;
        /* The same bounds as the loader's (verify_tensors.c). */
        span = ember_type_size(out->type);
        for (d = 0; d < out->rank; ++d) {
            if (out->dims[d] == 0) {
                empty = 1;
                continue;
            }
            EMBER_CHECK(ctx, span <= EMBER_MAX_TENSOR_SPAN / (uint64_t)out->dims[d], EMBER_UNSUPPORTED,
                        "%s %ld: output '%.64s' would span more than 2^62 bytes", node->kernel->name,
                        (long)i, out->name);
            span *= (uint64_t)out->dims[d];
        }
        EMBER_CHECK(ctx, empty || span <= EMBER_MAX_TENSOR_BYTES, EMBER_UNSUPPORTED,
                    "%s %ld: output '%.64s' would need more than 2 GiB", node->kernel->name, (long)i,
                    out->name);
        out->bytes = empty ? 0 : (size_t)span;
    }
    return EMBER_OK;
}
