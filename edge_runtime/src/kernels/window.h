/* The sliding window of the convolution and pooling ops over an NHWC image: TFLite's SAME/VALID padding
 * rules, the output size they give, and the clipping of a window to the image. */
#ifndef EMBER_KERNELS_WINDOW_H
#define EMBER_KERNELS_WINDOW_H

#include "ember_internal.h"

/* A 2-D window over an NHWC image: filter size, strides, dilations and the padding before each axis. */
typedef struct ember_window {
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_h, pad_w;
} ember_window;

/* NHWC sizes of a windowed op's input and output. */
typedef struct ember_image_shape {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
} ember_image_shape;

/* Checks the window (strides, dilations, filter >= 1, padding SAME or VALID), that input and output are 4-D
 * NHWC with the output size TFLite computes (SAME: ceil(in / stride); VALID: (in - eff + stride) / stride,
 * eff = (k - 1) * d + 1) and fills shape and the padding before each axis (the odd unit goes after). */
ember_status ember_window_prepare(ember_interpreter *ctx, const ember_node *node, int8_t padding,
                                  const ember_tensor *input, const ember_tensor *output, ember_window *w,
                                  ember_image_shape *shape);

/* The undilated window of output (oy, ox) clipped to the image, in input coordinates: [*y0, *y1) x [*x0, *x1)
 * (empty when the window lies in the padding). */
void ember_window_clip(const ember_window *w, const ember_image_shape *s, int32_t oy, int32_t ox, int32_t *y0,
                       int32_t *y1, int32_t *x0, int32_t *x1);

#endif /* EMBER_KERNELS_WINDOW_H */
