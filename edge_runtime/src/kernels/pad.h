/* What PAD and PADV2 share: the constant-padding geometry, its checks, and the eval that fills the output
 * with one element's bytes and copies the input's rows into it. */
#ifndef EMBER_KERNELS_PAD_H
#define EMBER_KERNELS_PAD_H

#include "ember_internal.h"

typedef struct ember_pad {
    int32_t rank;
    int32_t in_dims[EMBER_MAX_DIMS];
    size_t out_strides[EMBER_MAX_DIMS]; /* bytes */
    size_t first_offset;                /* bytes from the output start to input element 0 */
    size_t elem;
    uint8_t fill[8]; /* the pad element's bytes (elem of them) */
} ember_pad;

/* Checks the node's input 0, its constant [rank, 2] int32/int64 paddings (input 1, each >= 0) and output 0
 * (same type; the input's shape padded) and fills p, its fill zeroed. */
ember_status ember_pad_prepare(ember_interpreter *ctx, const ember_node *node, ember_pad *p);

/* Fills the output with p->fill, or with the element `value` points to when not NULL, then copies the
 * input into it. */
void ember_pad_run(const ember_pad *p, const void *input, size_t input_bytes, void *output,
                   size_t output_bytes, const void *value);

#endif /* EMBER_KERNELS_PAD_H */
