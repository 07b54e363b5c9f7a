/* The geometry the reductions share (MEAN in mean.c; SUM, REDUCE_MAX, REDUCE_MIN in reduce.c): which input
 * axes are kept and which reduced, as two odometers over the input's strides. */
#ifndef EMBER_KERNELS_REDUCE_H
#define EMBER_KERNELS_REDUCE_H

#include "ember_internal.h"

typedef struct ember_reduction {
    int32_t kept_rank, reduced_rank;
    int32_t kept_dims[EMBER_MAX_DIMS], reduced_dims[EMBER_MAX_DIMS];       /* outermost first */
    int64_t kept_strides[EMBER_MAX_DIMS], reduced_strides[EMBER_MAX_DIMS]; /* input strides, in elements */
    int32_t outputs;                                                       /* output elements */
    int32_t count; /* inputs reduced into each output; 0 when there are no outputs */
} ember_reduction;

/* Checks input, constant int32 axis (negative axes count from the end, repeats are ignored) and output of a
 * reduction node, that keep_dims (ReducerOptions) gives the output's shape and that input and output are both
 * float32 or both int8 (SUM: or both uint8); fills r. */
ember_status ember_reduction_prepare(ember_interpreter *ctx, const ember_node *node, ember_reduction *r);

/* Input offset of element `index` of an odometer over dims/strides (row-major, last dim fastest). */
static inline size_t ember_reduction_offset(int32_t index, int32_t rank, const int32_t *dims,
                                            const int64_t *strides) {
    size_t offset = 0;
    int32_t d;
    for (d = rank - 1; d >= 0; --d) {
        offset += (size_t)(index % dims[d]) * (size_t)strides[d];
        index /= dims[d];
    }
    return offset;
}

#endif /* EMBER_KERNELS_REDUCE_H */
