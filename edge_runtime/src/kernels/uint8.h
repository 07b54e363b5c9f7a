/* uint8 through the int8 kernels. LiteRT's uint8 kernels compute on (q - zero_point), compare and clamp to
 * the type's range exactly as its int8 ones do. The uint8 value u with zero point z is the int8 value u - 128
 * with zero point z - 128, and that int8 value's byte is u ^ 0x80; so an int8 kernel evaluated on the flipped
 * bytes, with zero points read shifted by -128, writes the flipped bytes of LiteRT's uint8 answer (the fused
 * activation ranges shift with the zero point, [0, 255] becomes [-128, 127]). A kernel opts in with
 * EMBER_U8_VIA_I8: while it prepares, every uint8 operand is an int8 tensor whose zero_point_shift is -128
 * (constant ones hold their flipped bytes, in the scratch); while it evaluates, its uint8 inputs are flipped
 * copies in the scratch and its uint8 outputs are flipped back afterwards. Ops whose uint8 arithmetic is not
 * this image (a uint8 FULLY_CONNECTED's rounding, average pooling's ties, weight zero points) test
 * ember_is_u8 in prepare. */
#ifndef EMBER_KERNELS_UINT8_H
#define EMBER_KERNELS_UINT8_H

#include "ember_internal.h"

typedef ember_status ember_prepare_fn(ember_interpreter *ctx, ember_node *node);
typedef ember_status ember_eval_fn(ember_interpreter *ctx, const ember_node *node);
typedef size_t ember_bytes_fn(const ember_interpreter *ctx, const ember_node *node);

/* Whether `t` is a uint8 tensor presented as int8 (only during an opted-in kernel's prepare or eval). */
static inline int ember_is_u8(const ember_tensor *t) {
    return t && t->zero_point_shift != 0;
}

/* `prepare` (or `eval`) with the node's uint8 operands presented as int8 (at prepare, constant ones flipped
 * too when flip_constants); the plain call without any. Refuses a node mixing uint8 and int8 (but QUANTIZE).
 */
ember_status ember_u8_prepare(ember_interpreter *ctx, ember_node *node, ember_bytes_fn *own_scratch,
                              int flip_constants, ember_prepare_fn *prepare);
ember_status ember_u8_eval(ember_interpreter *ctx, const ember_node *node, ember_bytes_fn *own_scratch,
                           ember_eval_fn *eval);

/* `own_scratch` (NULL: none) plus the flipped copies of the node's uint8 inputs, which follow it in the
 * calling thread's block; (size_t)-1 when that does not fit. */
size_t ember_u8_scratch_bytes(const ember_interpreter *ctx, const ember_node *node,
                              ember_bytes_fn *own_scratch);

/* `eval` with the node's uint8 operands presented as int8 but their bytes as they are: for the ops that only
 * move bytes (RESHAPE, TRANSPOSE, GATHER, ...), where flipping in and out would give the same bytes. */
ember_status ember_u8_eval_bytes(ember_interpreter *ctx, const ember_node *node, ember_eval_fn *eval);

/* EMBER_U8_VIA_I8 for the ops that only move bytes: no flips, so no scratch (name##_scratch_u8 is not
 * defined; the kernel keeps its own hook). */
#define EMBER_U8_AS_BYTES(name, prepare, eval)                                                               \
    static ember_status name##_prepare_u8(ember_interpreter *ctx, ember_node *node) {                        \
        return ember_u8_prepare(ctx, node, NULL, 0, prepare);                                                \
    }                                                                                                        \
    static ember_status name##_eval_u8(ember_interpreter *ctx, const ember_node *node) {                     \
        return ember_u8_eval_bytes(ctx, node, eval);                                                         \
    }

/* Defines name##_prepare_u8, name##_eval_u8 and name##_scratch_u8 around a kernel's prepare, eval and scratch
 * hook (NULL: none), for its ember_kernel (whose types then include EMBER_T_U8). */
#define EMBER_U8_VIA_I8(name, prepare, eval, scratch)                                                        \
    static ember_status name##_prepare_u8(ember_interpreter *ctx, ember_node *node) {                        \
        return ember_u8_prepare(ctx, node, scratch, 1, prepare);                                             \
    }                                                                                                        \
    static ember_status name##_eval_u8(ember_interpreter *ctx, const ember_node *node) {                     \
        return ember_u8_eval(ctx, node, scratch, eval);                                                      \
    }                                                                                                        \
    static size_t name##_scratch_u8(const ember_interpreter *ctx, const ember_node *node) {                  \
        return ember_u8_scratch_bytes(ctx, node, scratch);                                                   \
    }

#endif /* EMBER_KERNELS_UINT8_H */
