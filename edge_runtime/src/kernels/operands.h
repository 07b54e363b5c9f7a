/* Checks and reads of kernel operands shared by the elementwise and layout kernels: equal shapes, one-input
 * elementwise ops, constant int operands (paddings, permutations, slice bounds), the int64 stride and size
 * arithmetic over a shape, and the eval of ops that only reshape. */
#ifndef EMBER_KERNELS_OPERANDS_H
#define EMBER_KERNELS_OPERANDS_H

#include "ember_internal.h"

/* Eval of the ops that keep the bytes and change only the shape (RESHAPE, SQUEEZE): output 0 = input 0. */
ember_status ember_copy_eval(ember_interpreter *ctx, const ember_node *node);

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

/* ember_check_unary for the types in `types` (EMBER_T_ bits). */
ember_status ember_check_unary_typed(ember_interpreter *ctx, const ember_node *node, uint32_t types);

/* Row-major element strides of a shape, in int64: an empty tensor's strides may pass int32 but stay below
 * EMBER_MAX_TENSOR_SPAN (the loader's bound). Every kernel that computes strides uses this. */
void ember_strides(const int32_t *dims, int32_t rank, int64_t *strides);

/* Product of dims[begin .. end) in int64 (outer and inner sizes around an axis); bounded like ember_strides.
 */
int64_t ember_dims_product(const int32_t *dims, int32_t begin, int32_t end);

#endif /* EMBER_KERNELS_OPERANDS_H */
