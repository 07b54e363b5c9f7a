/* Shape logic shared by the elementwise and layout kernels: numpy-style broadcasting of two operands, equal
 * shape checks and reading constant shape operands (paddings, permutations, slice bounds). */
#ifndef EMBER_KERNELS_SHAPES_H
#define EMBER_KERNELS_SHAPES_H

#include "ember_internal.h"

/* Output dims (operands aligned on their last axis, padded with 1 in front) and each operand's element
 * strides along them, 0 where the operand is broadcast. A broadcast of equal shapes collapses to one flat
 * axis. */
typedef struct ember_broadcast {
    int32_t rank;
    int32_t dims[EMBER_MAX_DIMS];
    int32_t strides1[EMBER_MAX_DIMS];
    int32_t strides2[EMBER_MAX_DIMS];
} ember_broadcast;

/* Fills *b for output = op(input1, input2) and checks that output has the broadcast shape; the message names
 * the op, the tensors and the shapes. */
ember_status ember_broadcast_prepare(ember_interpreter *ctx, const ember_node *node,
                                     const ember_tensor *input1, const ember_tensor *input2,
                                     const ember_tensor *output, ember_broadcast *b);

/* One row of a binary op: out[i] = f(x1[i * s1], x2[i * s2]) for i < n, with op-specific parameters. */
typedef void (*ember_binary_row)(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                                 void *out, int32_t n);

/* Runs `row` over every innermost row of the broadcast; elem_size is the byte size of one element. */
void ember_broadcast_run(const ember_broadcast *b, ember_binary_row row, const void *params, const void *x1,
                         const void *x2, void *out, size_t elem_size);

/* 1 when a and b have the same rank and dims. */
int ember_same_shape(const ember_tensor *a, const ember_tensor *b);

/* Element i of an int32 or int64 tensor with data (the caller checked type and size). */
int64_t ember_const_int(const ember_tensor *t, int32_t i);

/* Checks that `t` (operand `what` of the node) is a constant int32 (or int64 when allow_int64) tensor with
 * `count` elements (count < 0: any). */
ember_status ember_check_const_int(ember_interpreter *ctx, const ember_node *node, const ember_tensor *t,
                                   const char *what, int32_t count, int allow_int64);

/* Checks a one-input, one-output elementwise op: same type (float32, or int8 when allow_int8) and same shape.
 */
ember_status ember_check_unary(ember_interpreter *ctx, const ember_node *node, int allow_int8);

/* Row-major element strides of a shape. */
void ember_strides(const int32_t *dims, int32_t rank, int32_t *strides);

#endif /* EMBER_KERNELS_SHAPES_H */
