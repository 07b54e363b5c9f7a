/* What DEPTH_TO_SPACE and SPACE_TO_DEPTH share: one geometry, read in either direction. */
#ifndef EMBER_KERNELS_DEPTH_SPACE_H
#define EMBER_KERNELS_DEPTH_SPACE_H

#include "ember_internal.h"

/* The space side is an NHWC image [batches, h, w, c]; the depth side [batches, h / block, w / block,
 * c * block^2] holds, at pixel (y / block, x / block), the channels of space pixel (y, x) at channel offset
 * ((y % block) * block + x % block) * c. pixel_bytes: one space pixel's c channels. */
typedef struct ember_depth_space {
    int32_t batches, h, w, block;
    size_t pixel_bytes;
    int to_space; /* DEPTH_TO_SPACE: the input is the depth side */
} ember_depth_space;

/* Checks the node (one 4-D input and output of one type, float32, int8, uint8, int32 or int64, quantised
 * ones sharing their parameters; the block_size option >= 1; the depth side's shape) and fills g. */
ember_status ember_depth_space_prepare(ember_interpreter *ctx, const ember_node *node, int to_space,
                                       ember_depth_space *g);

/* Eval of both ops with the ember_depth_space in the node's op data. */
ember_status ember_depth_space_eval(ember_interpreter *ctx, const ember_node *node);

#endif /* EMBER_KERNELS_DEPTH_SPACE_H */
