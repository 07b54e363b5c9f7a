/* Presenting uint8 operands to int8 kernels (see uint8.h). */
#include "kernels/uint8.h"

#include "tflite_schema.h"

static ember_tensor *operand(ember_interpreter *ctx, const ember_node *node, int32_t i) {
    const int32_t index = i < node->input_count ? node->inputs[i] : node->outputs[i - node->input_count];
    return index >= 0 ? &ctx->tensors[index] : NULL;
}

/* Presents (to_i8) or restores the node's uint8 operands; returns how many there are. */
static int32_t present(ember_interpreter *ctx, const ember_node *node, int to_i8) {
    int32_t i, count = 0;
    for (i = 0; i < node->input_count + node->output_count; ++i) {
        ember_tensor *t = operand(ctx, node, i);
        if (t && (to_i8 ? t->type == EMBER_UINT8 : t->zero_point_shift != 0)) {
            t->type = to_i8 ? EMBER_INT8 : EMBER_UINT8;
            t->zero_point_shift = to_i8 ? -128 : 0;
            ++count;
        }
    }
    return count;
}

/* Whether input i is the first of the node's inputs naming its tensor (a tensor used twice is flipped once).
 */
static int first_use(const ember_node *node, int32_t i) {
    int32_t j;
    for (j = 0; j < i; ++j)
        if (node->inputs[j] == node->inputs[i])
            return 0;
    return 1;
}

/* Whether the node has both uint8 and int8 operands. */
static int mixes_int8(ember_interpreter *ctx, const ember_node *node) {
    int32_t i, u8 = 0, i8 = 0;
    for (i = 0; i < node->input_count + node->output_count; ++i) {
        const ember_tensor *t = operand(ctx, node, i);
        u8 |= t && t->type == EMBER_UINT8;
        i8 |= t && t->type == EMBER_INT8;
    }
    return u8 && i8;
}

static size_t own_bytes(const ember_interpreter *ctx, const ember_node *node, ember_bytes_fn *own_scratch) {
    return own_scratch ? ember_align_size(own_scratch(ctx, node)) : 0;
}

size_t ember_u8_scratch_bytes(const ember_interpreter *ctx, const ember_node *node,
                              ember_bytes_fn *own_scratch) {
    size_t total = own_scratch ? own_scratch(ctx, node) : 0;
    int32_t i, any = 0;
    for (i = 0; i < node->input_count + node->output_count; ++i) {
        const int32_t index = i < node->input_count ? node->inputs[i] : node->outputs[i - node->input_count];
        any |= index >= 0 && ctx->tensors[index].type == EMBER_UINT8;
    }
    if (!any || total == (size_t)-1)
        return total;
    if (node->input_count > 65536)
        return (size_t)-1;
    /* Then the inputs' own data pointers, restored after eval, then the flipped copies. */
    total = ember_align_size(total) + ember_align_size(sizeof(void *) * (size_t)node->input_count);
    for (i = 0; i < node->input_count; ++i) {
        const int32_t index = node->inputs[i];
        if (index >= 0 && ctx->tensors[index].type == EMBER_UINT8 && first_use(node, i)) {
            if (total > ((size_t)-1 >> 2))
                return (size_t)-1;
            total += ember_align_size(ctx->tensors[index].bytes);
        }
    }
    return total;
}

static void flip(uint8_t *to, const uint8_t *from, size_t bytes) {
    size_t i;
    for (i = 0; i < bytes; ++i)
        to[i] = (uint8_t)(from[i] ^ 0x80u);
}

/* Points the node's presented uint8 inputs (only the constant ones when constants_only) at flipped copies in
 * the calling thread's scratch, after `own_scratch` bytes and the saved pointers. */
static void flip_inputs(ember_interpreter *ctx, const ember_node *node, ember_bytes_fn *own_scratch,
                        int constants_only) {
    void **saved;
    uint8_t *at;
    int32_t i;
    /* No inputs, no scratch reserved for them (the pointer may be NULL): the kernel's prepare refuses it. */
    if (node->input_count == 0)
        return;
    saved = (void **)(void *)(ember_thread_scratch(ctx, 0) + own_bytes(ctx, node, own_scratch));
    at = (uint8_t *)(void *)saved + ember_align_size(sizeof(void *) * (size_t)node->input_count);
    for (i = 0; i < node->input_count; ++i) {
        ember_tensor *t = operand(ctx, node, i);
        saved[i] = NULL;
        if (t && t->zero_point_shift != 0 && first_use(node, i) && (t->is_constant || !constants_only)) {
            saved[i] = t->data;
            flip(at, (const uint8_t *)t->data, t->bytes);
            t->data = at;
            at += ember_align_size(t->bytes);
        }
    }
}

static void restore_inputs(ember_interpreter *ctx, const ember_node *node, ember_bytes_fn *own_scratch) {
    void **saved;
    int32_t i;
    if (node->input_count == 0)
        return;
    saved = (void **)(void *)(ember_thread_scratch(ctx, 0) + own_bytes(ctx, node, own_scratch));
    for (i = 0; i < node->input_count; ++i)
        if (saved[i])
            operand(ctx, node, i)->data = saved[i];
}

ember_status ember_u8_prepare(ember_interpreter *ctx, ember_node *node, ember_bytes_fn *own_scratch,
                              int flip_constants, ember_prepare_fn *prepare) {
    ember_status status;
    /* Once presented, uint8 and int8 operands look alike; only QUANTIZE converts between them. */
    EMBER_CHECK(
        ctx, node->kernel->builtin_code == TFL_OP_QUANTIZE || !mixes_int8(ctx, node), EMBER_UNSUPPORTED,
        "%s %ld: mixes uint8 and int8 tensors; its quantised operands must all be uint8 or all int8 (a "
        "QUANTIZE converts between them)",
        node->kernel->name, (long)node->index);
    if (!present(ctx, node, 1))
        return prepare(ctx, node);
    /* Constants as their int8 images, for what prepare derives from them (packed GEMM weights). */
    if (flip_constants)
        flip_inputs(ctx, node, own_scratch, 1);
    status = prepare(ctx, node);
    if (flip_constants)
        restore_inputs(ctx, node, own_scratch);
    present(ctx, node, 0);
    return status;
}

ember_status ember_u8_eval(ember_interpreter *ctx, const ember_node *node, ember_bytes_fn *own_scratch,
                           ember_eval_fn *eval) {
    ember_status status;
    int32_t i;
    if (!present(ctx, node, 1))
        return eval(ctx, node);
    flip_inputs(ctx, node, own_scratch, 0);
    status = eval(ctx, node);
    restore_inputs(ctx, node, own_scratch);
    for (i = 0; i < node->output_count; ++i) {
        ember_tensor *t = operand(ctx, node, node->input_count + i);
        if (t->zero_point_shift != 0)
            flip((uint8_t *)t->data, (const uint8_t *)t->data, t->bytes);
    }
    present(ctx, node, 0);
    return status;
}

ember_status ember_u8_eval_bytes(ember_interpreter *ctx, const ember_node *node, ember_eval_fn *eval) {
    ember_status status;
    if (!present(ctx, node, 1))
        return eval(ctx, node);
    status = eval(ctx, node);
    present(ctx, node, 0);
    return status;
}
