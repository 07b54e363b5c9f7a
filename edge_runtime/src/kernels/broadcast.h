/* Shape logic shared by the elementwise and layout kernels: numpy-style broadcasting of two operands (and the
 * prepare and eval steps of the broadcasting arithmetic ops built on it), equal shape checks and reading
 * constant shape operands (paddings, permutations, slice bounds). */
#ifndef EMBER_KERNELS_SHAPES_H
#define EMBER_KERNELS_SHAPES_H

#include "ember_internal.h"

/* Output dims (operands aligned on their last axis, padded with 1 in front) and each operand's element
 * strides along them, 0 where the operand is broadcast. A broadcast of equal shapes collapses to one flat
 * axis. */
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

/* One row of a binary op: out[i] = f(x1[i * s1], x2[i * s2]) for i < n, with op-specific parameters. */
typedef void (*ember_binary_row)(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                                 void *out, int32_t n);

/* Runs `row` over every innermost row of the broadcast; elem_size is the byte size of one element. */
void ember_broadcast_run(const ember_broadcast *b, ember_binary_row row, const void *params, const void *x1,
                         const void *x2, void *out, size_t elem_size);

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

/* SPACE_TO_BATCH_ND's and BATCH_TO_SPACE_ND's geometry over NHWC (or NWC, as H = 1): the input and output
 * sizes, the block and the rows and columns padded (SPACE_TO_BATCH_ND) or cropped (BATCH_TO_SPACE_ND) before
 * the image; pixel_bytes is the size of one pixel's channels. */
typedef struct ember_space_batch {
    int32_t in_b, in_h, in_w, out_b, out_h, out_w;
    int32_t block_h, block_w, top, left;
    size_t pixel_bytes;
} ember_space_batch;

/* Checks the node's 3-D or 4-D input and output of one type, its constant block_shape (in [1, 65536]) and
 * paddings or crops (`what`, in [0, 65536]), and that the space side (the input when input_is_space, else the
 * output) padded or cropped is the batch side: batch = space batch * block_h * block_w, space + before +
 * after = batch * block along H and W, equal channels. Fills g. */
ember_status ember_space_batch_prepare(ember_interpreter *ctx, const ember_node *node, const char *what,
                                       int input_is_space, ember_space_batch *g);

/* Row-major element strides of a shape, in int64: an empty tensor's strides may pass int32 but stay below
 * EMBER_MAX_TENSOR_SPAN (the loader's bound). Every kernel that computes strides uses this. */
void ember_strides(const int32_t *dims, int32_t rank, int64_t *strides);

/* Product of dims[begin .. end) in int64 (outer and inner sizes around an axis); bounded like ember_strides.
 */
int64_t ember_dims_product(const int32_t *dims, int32_t begin, int32_t end);

#endif /* EMBER_KERNELS_SHAPES_H */
