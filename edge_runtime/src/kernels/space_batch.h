/* What SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND share: their geometry and its checks. */
#ifndef EMBER_KERNELS_SPACE_BATCH_H
#define EMBER_KERNELS_SPACE_BATCH_H

#include "ember_internal.h"

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

#endif /* EMBER_KERNELS_SPACE_BATCH_H */
