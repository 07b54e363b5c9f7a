/* numpy-style broadcasting of two operands, and the prepare and eval steps of the broadcasting arithmetic ops
 * built on it (ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM). */
#ifndef EMBER_KERNELS_BROADCAST_H
#define EMBER_KERNELS_BROADCAST_H

#include "ember_internal.h"

/* The output's axes (operands aligned on their last axis, padded with 1 in front) and each operand's element
 * strides along them, 0 where the operand is broadcast, collapsed for long rows: axes of size 1 dropped and
 * each axis merged into the next inner one where both operands step through the two as one (equal shapes
 * and a scalar operand give one flat axis, a channel vector rows of the channels). */
typedef struct ember_broadcast {
    int32_t rank;
    int32_t dims[EMBER_MAX_DIMS];
    int64_t strides1[EMBER_MAX_DIMS]; /* ember_strides: may pass int32 for an empty operand */
    int64_t strides2[EMBER_MAX_DIMS];
    int empty; /* the output has no elements: eval does nothing */
} ember_broadcast;

/* Fills *b for output = op(input1, input2) and checks that output has the broadcast shape; the message names
 * the op, the tensors and the shapes. */
ember_status ember_broadcast_prepare(ember_interpreter *ctx, const ember_node *node,
                                     const ember_tensor *input1, const ember_tensor *input2,
                                     const ember_tensor *output, ember_broadcast *b);

/* Checks 2 inputs of one type and 1 output of a binary op and fills b (ember_broadcast_prepare); the output's
 * type is left to the op. */
ember_status ember_binary_prepare(ember_interpreter *ctx, const ember_node *node, ember_broadcast *b);

/* One row of a binary op: out[i] = f(x1[i * s1], x2[i * s2]) for i < n, with op-specific parameters. */
typedef void (*ember_binary_row)(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                                 void *out, int32_t n);

/* Runs `row` over every innermost row of the broadcast; elem_size is the byte size of one element. */
void ember_broadcast_run(const ember_broadcast *b, ember_binary_row row, const void *params, const void *x1,
                         const void *x2, void *out, size_t elem_size);

/* ember_broadcast_run for ops whose output elements differ in size from the inputs' (comparisons: bool). */
void ember_broadcast_run_sized(const ember_broadcast *b, ember_binary_row row, const void *params,
                               const void *x1, const void *x2, void *out, size_t in_size, size_t out_size);

/* What ADD, SUB and MUL share beyond the broadcast: the fused activation's clamp range and, for int8, each
 * operand's scale and offset (TFLite's kernels add -zero point to the inputs, the zero point to the output).
 * Each op's row parameters start with it. */
typedef struct ember_arith_params {
    float act_min_f, act_max_f;                     /* float32 */
    float input1_scale, input2_scale, output_scale; /* int8 */
    int32_t input1_offset, input2_offset, output_offset;
    int32_t act_min, act_max;
} ember_arith_params;

/* Checks 2 inputs and 1 output of one type, float32 or int8, and fills b (ember_broadcast_prepare) and p from
 * the node's fused activation and int8 quantisation. */
ember_status ember_arith_prepare(ember_interpreter *ctx, const ember_node *node, ember_broadcast *b,
                                 ember_arith_params *p);

/* Eval of ADD, SUB and MUL: row_f32 or row_i8 (by the output's type) over the broadcast of the node's inputs.
 */
void ember_arith_eval(ember_interpreter *ctx, const ember_node *node, const ember_broadcast *b,
                      ember_binary_row row_f32, ember_binary_row row_i8, const void *params);

#endif /* EMBER_KERNELS_BROADCAST_H */
