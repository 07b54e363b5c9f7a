/* Index arithmetic the layout kernels share: a strided copy (SLICE, TILE, BROADCAST_TO, REVERSE_V2: every
 * output element in row-major order read from start + sum(index[d] * stride[d]) of the input, strides 0 or
 * negative allowed) and a split of the input into consecutive pieces along one axis (SPLIT, SPLIT_V, UNPACK).
 * Both are planned at prepare into the op data and run in eval with memcpy of the longest contiguous runs. */
#ifndef EMBER_KERNELS_LAYOUT_H
#define EMBER_KERNELS_LAYOUT_H

#include "ember_internal.h"

/* Axes of a strided copy: TILE views its output as [multiple, dim] pairs, twice the tensor rank. */
#define EMBER_COPY_MAX_AXES (2 * EMBER_MAX_DIMS)

typedef struct ember_strided_copy {
    int32_t rank; /* after merging axes that are contiguous with the next; 0: one run */
    int32_t dims[EMBER_COPY_MAX_AXES];
    int64_t strides[EMBER_COPY_MAX_AXES]; /* input element stride of each axis */
    int64_t start;                        /* input element of output element 0 */
    int64_t runs;                         /* runs of `run` contiguous elements; 0 for an empty output */
    int32_t run;
    size_t elem;
} ember_strided_copy;

/* Plans a copy over `rank` output axes of dims (outermost first) with input strides `strides` (elements),
 * reading output element 0 at `start`, elements of `elem` bytes. Axes of size 1 are dropped and an axis is
 * merged into the one before it when that one's stride is its stride times its size. The caller checked that
 * every element read lies inside the input. */
void ember_strided_copy_plan(ember_strided_copy *c, int32_t rank, const int32_t *dims, const int64_t *strides,
                             int64_t start, size_t elem);

/* Runs a planned copy from `input` to `output`. */
void ember_strided_copy_run(const ember_strided_copy *c, const void *input, void *output);

/* The eval of a kernel whose op data is one planned copy of input 0 into output 0 (SLICE, TILE, BROADCAST_TO,
 * REVERSE_V2). */
ember_status ember_strided_copy_eval(ember_interpreter *ctx, const ember_node *node);

/* The outputs of a split along one axis: output i holds the `sizes[i]` axis entries after those of the
 * outputs before it. `count` entries of sizes follow the struct (ember_axis_split_bytes). */
typedef struct ember_axis_split {
    int32_t outer;      /* product of the dims before the axis; 0 when the input is empty */
    int32_t axis_size;  /* the input's size along the axis */
    size_t inner_bytes; /* bytes of one axis entry (the dims after the axis times the element size) */
    int32_t count;
    int32_t sizes[1]; /* `count` entries */
} ember_axis_split;

/* Op data bytes of a split into `count` outputs (count < 1 is read as 1). */
size_t ember_axis_split_bytes(int32_t count);

/* Fills the geometry of a split of `input` along `axis` (in [0, rank)); the caller fills count and sizes
 * (summing to the axis size). */
void ember_axis_split_plan(ember_axis_split *s, const ember_tensor *input, int32_t axis);

/* Eval of SPLIT, SPLIT_V and UNPACK: input 0 (or `input`) into the node's outputs. */
void ember_axis_split_run(ember_interpreter *ctx, const ember_node *node, const ember_axis_split *s,
                          const ember_tensor *input);

/* Checks that every output of `node` has the type of `input` and, when `same_quant`, the same legacy
 * (per-tensor) scale and zero point, as LiteRT's UNPACK does. */
ember_status ember_check_outputs_like(ember_interpreter *ctx, const ember_node *node,
                                      const ember_tensor *input, int same_quant);

#endif /* EMBER_KERNELS_LAYOUT_H */
