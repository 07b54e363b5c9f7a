/* Sliding-window geometry of the convolution and pooling ops (see window.h). */
#include "kernels/window.h"

#include "tflite_schema.h"

/* TFLite's ComputeOutSize, in 64 bits so that hostile strides and dilations cannot overflow. */
static int64_t out_size(int8_t padding, int64_t in, int64_t eff, int64_t stride) {
    return padding == TFL_PADDING_SAME ? (in + stride - 1) / stride : (in + stride - eff) / stride;
}

/* TFLite's ComputePaddingWithOffset: half the total padding before, the odd unit after. */
static int32_t pad_before(int64_t stride, int64_t eff, int64_t in, int64_t out) {
    int64_t total = (out - 1) * stride + eff - in;
    return total > 0 ? (int32_t)(total / 2) : 0;
}

ember_status ember_window_prepare(ember_interpreter *ctx, const ember_node *node, int8_t padding,
                                  const ember_tensor *input, const ember_tensor *output, ember_window *w,
                                  ember_image_shape *shape) {
    const char *op = node->kernel->name;
    long n = (long)node->index;
    int64_t eff_h, eff_w, want_h, want_w;
    char a[96], b[96];

    EMBER_CHECK(ctx, padding == TFL_PADDING_SAME || padding == TFL_PADDING_VALID, EMBER_INVALID_MODEL,
                "%s %ld: padding %d is neither SAME (0) nor VALID (1)", op, n, (int)padding);
    EMBER_CHECK(ctx, w->stride_h >= 1 && w->stride_w >= 1 && w->dilation_h >= 1 && w->dilation_w >= 1,
                EMBER_INVALID_MODEL, "%s %ld: strides (%ld, %ld) and dilations (%ld, %ld) must be >= 1", op,
                n, (long)w->stride_h, (long)w->stride_w, (long)w->dilation_h, (long)w->dilation_w);
    EMBER_CHECK(ctx, w->filter_h >= 1 && w->filter_w >= 1, EMBER_INVALID_MODEL,
                "%s %ld: window %ldx%ld must be at least 1x1", op, n, (long)w->filter_h, (long)w->filter_w);
    EMBER_CHECK(ctx, input->rank == 4 && output->rank == 4, EMBER_INVALID_MODEL,
                "%s %ld: input '%.64s' %s and output '%.64s' %s must be 4-D NHWC", op, n, input->name,
                ember_shape_string(input, a, sizeof a), output->name,
                ember_shape_string(output, b, sizeof b));
    shape->batches = input->dims[0];
    shape->in_h = input->dims[1];
    shape->in_w = input->dims[2];
    shape->in_c = input->dims[3];
    shape->out_h = output->dims[1];
    shape->out_w = output->dims[2];
    shape->out_c = output->dims[3];
    eff_h = (int64_t)(w->filter_h - 1) * w->dilation_h + 1;
    eff_w = (int64_t)(w->filter_w - 1) * w->dilation_w + 1;
    want_h = out_size(padding, shape->in_h, eff_h, w->stride_h);
    want_w = out_size(padding, shape->in_w, eff_w, w->stride_w);
    EMBER_CHECK(ctx,
                output->dims[0] == shape->batches && want_h >= 1 && want_w >= 1 && want_h == shape->out_h &&
                    want_w == shape->out_w,
                EMBER_INVALID_MODEL,
                "%s %ld: input %s with a %ldx%ld window (stride %ld,%ld, dilation %ld,%ld, padding %s) gives "
                "[%ld,%lld,%lld,C], but output '%.64s' is %s",
                op, n, ember_shape_string(input, a, sizeof a), (long)w->filter_h, (long)w->filter_w,
                (long)w->stride_h, (long)w->stride_w, (long)w->dilation_h, (long)w->dilation_w,
                padding == TFL_PADDING_SAME ? "SAME" : "VALID", (long)shape->batches, (long long)want_h,
                (long long)want_w, output->name, ember_shape_string(output, b, sizeof b));
    /* Bounds every index the kernels compute (oy * stride - pad + ky * dilation) well inside int32. */
    EMBER_CHECK(ctx,
                (want_h - 1) * w->stride_h + eff_h <= ((int64_t)1 << 30) &&
                    (want_w - 1) * w->stride_w + eff_w <= ((int64_t)1 << 30),
                EMBER_UNSUPPORTED, "%s %ld: the window's extent over input %s exceeds 2^30", op, n,
                ember_shape_string(input, a, sizeof a));
    w->pad_h = pad_before(w->stride_h, eff_h, shape->in_h, shape->out_h);
    w->pad_w = pad_before(w->stride_w, eff_w, shape->in_w, shape->out_w);
    return EMBER_OK;
}

void ember_window_clip(const ember_window *w, const ember_image_shape *s, int32_t oy, int32_t ox, int32_t *y0,
                       int32_t *y1, int32_t *x0, int32_t *x1) {
    const int32_t iy = oy * w->stride_h - w->pad_h, ix = ox * w->stride_w - w->pad_w;
    *y0 = iy < 0 ? -iy : 0;
    *y1 = s->in_h - iy < w->filter_h ? s->in_h - iy : w->filter_h;
    *x0 = ix < 0 ? -ix : 0;
    *x1 = s->in_w - ix < w->filter_w ? s->in_w - ix : w->filter_w;
    *y0 += iy, *y1 += iy, *x0 += ix, *x1 += ix;
}
