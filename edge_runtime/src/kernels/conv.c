/* Sliding-window geometry and per-channel requantisation shared by the convolution and pooling kernels. */
#include "kernels/conv_params.h"

#include "flatbuffer.h"
#include "kernels/kernels.h"
#include "quantization.h"
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

ember_status ember_pool_prepare(ember_interpreter *ctx, const ember_node *node, ember_pool_params *p) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const char *op = node->kernel->name;
    long n = (long)node->index;
    int8_t padding, activation;

    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "%s %ld: needs 1 input and 1 output, has %ld and %ld", op, n, (long)node->input_count,
                (long)node->output_count);
    EMBER_TRY(ember_option_i8(ctx, node, TFL_POOL_PADDING, TFL_PADDING_SAME, &padding));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_POOL_STRIDE_W, 0, &p->w.stride_w));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_POOL_STRIDE_H, 0, &p->w.stride_h));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_POOL_FILTER_W, 0, &p->w.filter_w));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_POOL_FILTER_H, 0, &p->w.filter_h));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_POOL_FUSED_ACTIVATION, TFL_ACT_NONE, &activation));
    p->w.dilation_h = p->w.dilation_w = 1;
    EMBER_TRY(ember_window_prepare(ctx, node, padding, input, output, &p->w, &p->s));
    EMBER_CHECK(ctx, p->s.in_c == p->s.out_c, EMBER_INVALID_MODEL,
                "%s %ld: input has %ld channels, output '%.64s' %ld", op, n, (long)p->s.in_c, output->name,
                (long)p->s.out_c);
    if (input->type == EMBER_FLOAT32 && output->type == EMBER_FLOAT32) {
        EMBER_CHECK(ctx, ember_activation_range_f32(activation, &p->act_min_f, &p->act_max_f),
                    EMBER_UNSUPPORTED, "%s %ld: fused activation %d is not supported", op, n,
                    (int)activation);
        return EMBER_OK;
    }
    EMBER_CHECK(ctx, input->type == EMBER_INT8 && output->type == EMBER_INT8, EMBER_UNSUPPORTED,
                "%s %ld: types input %s, output %s; float32 or int8 (both) are supported", op, n,
                ember_type_name(input->type), ember_type_name(output->type));
    {
        float s_out;
        int32_t zp;
        EMBER_TRY(ember_check_same_quant_i8(ctx, node, input, output, &s_out, &zp));
        EMBER_CHECK(ctx, ember_activation_range_i8(activation, s_out, zp, &p->act_min, &p->act_max),
                    EMBER_UNSUPPORTED, "%s %ld: fused activation %d is not supported", op, n,
                    (int)activation);
    }
    return EMBER_OK;
}

/* real[c] = s_in * s_w[c] / s_out for each output channel, as multipliers and shifts. */
static ember_status conv_multipliers(ember_interpreter *ctx, const ember_node *node,
                                     const ember_tensor *filter, float s_in, float s_out, int32_t filter_axis,
                                     int32_t channels, int float_product, int32_t *multiplier,
                                     int32_t *shift) {
    const char *op = node->kernel->name;
    long n = (long)node->index;
    int32_t c;

    EMBER_CHECK(ctx, filter->quant_count == 1 || filter->quant_count == channels, EMBER_INVALID_MODEL,
                "%s %ld: filter '%.64s' has %ld scales; expected 1 or one per output channel (%ld)", op, n,
                filter->name, (long)filter->quant_count, (long)channels);
    EMBER_CHECK(ctx, filter->quant_count == 1 || filter->quantized_dimension == filter_axis,
                EMBER_INVALID_MODEL,
                "%s %ld: filter '%.64s' is quantised per channel along axis %ld; %s expects axis %ld", op, n,
                filter->name, (long)filter->quantized_dimension, op, (long)filter_axis);
    for (c = 0; c < channels; ++c) {
        const size_t at = filter->quant_count == 1 ? 0 : (size_t)c;
        const float s_w = fb_f32_at(ctx->model.data + filter->scales_pos + 4 * at);
        const int64_t w_zp = fb_i64_at(ctx->model.data + filter->zero_points_pos + 8 * at);
        double real;
        int e;
        EMBER_CHECK(
            ctx, s_w > 0.0f && s_w <= 3.4e38f && w_zp == 0, EMBER_INVALID_MODEL,
            "%s %ld: filter '%.64s' channel %ld has scale %g and zero point %lld; int8 weights need a "
            "positive finite scale and zero point 0",
            op, n, filter->name, (long)c, (double)s_w, (long long)w_zp);
        real =
            float_product ? (double)(s_in * s_w) / (double)s_out : (double)s_in * (double)s_w / (double)s_out;
        /* The left shift happens in 32 bits: from 2^30 on every non-zero accumulator would overflow (and a
         * float product may have overflowed to infinity). */
        EMBER_CHECK(ctx, real < 1073741824.0, EMBER_UNSUPPORTED,
                    "%s %ld: channel %ld rescales by %g (input %g * filter %g / output %g), beyond 2^30", op,
                    n, (long)c, real, (double)s_in, (double)s_w, (double)s_out);
        ember_quantize_multiplier(real, &multiplier[c], &e);
        shift[c] = e;
    }
    return EMBER_OK;
}

ember_status ember_conv_quant_prepare(ember_interpreter *ctx, const ember_node *node, int8_t activation,
                                      int32_t filter_axis, int float_product, int32_t channels,
                                      ember_conv_quant *q) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *filter = ember_node_input(ctx, node, 1);
    const ember_tensor *bias = ember_node_input(ctx, node, 2);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const char *op = node->kernel->name;
    long n = (long)node->index;
    int32_t *params = ember_channel_params(node);
    float s_in, s_out;
    int32_t zp_in, zp_out;

    if (input->type == EMBER_FLOAT32) {
        EMBER_CHECK(ctx,
                    filter->type == EMBER_FLOAT32 && output->type == EMBER_FLOAT32 &&
                        (!bias || (bias->type == EMBER_FLOAT32 && ember_element_count(bias) == channels)),
                    EMBER_UNSUPPORTED,
                    "%s %ld: float32 input needs float32 filter, output and bias of %ld elements", op, n,
                    (long)channels);
        EMBER_CHECK(ctx, ember_activation_range_f32(activation, &q->act_min_f, &q->act_max_f),
                    EMBER_UNSUPPORTED,
                    "%s %ld: fused activation %d is not supported (NONE, RELU, RELU_N1_TO_1, RELU6 are)", op,
                    n, (int)activation);
        return EMBER_OK;
    }
    EMBER_CHECK(ctx, input->type == EMBER_INT8 && filter->type == EMBER_INT8 && output->type == EMBER_INT8,
                EMBER_UNSUPPORTED,
                "%s %ld: types input %s, filter %s, output %s; float32 or int8 (all three) are supported", op,
                n, ember_type_name(input->type), ember_type_name(filter->type),
                ember_type_name(output->type));
    /* The bias scale is s_in * s_w by construction, so its own quantisation parameters are not read. */
    EMBER_CHECK(ctx, !bias || (bias->type == EMBER_INT32 && ember_element_count(bias) == channels),
                EMBER_INVALID_MODEL,
                "%s %ld: bias '%.64s' is %s with %ld elements; int8 %s needs int32 with %ld (one per output "
                "channel)",
                op, n, bias->name, ember_type_name(bias->type), (long)ember_element_count(bias), op,
                (long)channels);
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &zp_in));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &zp_out));
    q->input_offset = -zp_in;
    q->output_offset = zp_out;
    EMBER_CHECK(ctx, ember_activation_range_i8(activation, s_out, zp_out, &q->act_min, &q->act_max),
                EMBER_UNSUPPORTED, "%s %ld: fused activation %d is not supported", op, n, (int)activation);
    return conv_multipliers(ctx, node, filter, s_in, s_out, filter_axis, channels, float_product, params,
                            params + channels);
}

ember_status ember_conv_eval(ember_interpreter *ctx, const ember_node *node, ember_conv_f32_fn *f32,
                             ember_conv_i8_fn *i8) {
    const ember_conv_data *d = (const ember_conv_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *filter = ember_node_input(ctx, node, 1);
    const ember_tensor *bias = ember_node_input(ctx, node, 2);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    if (input->type == EMBER_FLOAT32) {
        f32(&d->w, &d->s, d->depth, (const float *)input->data, (const float *)filter->data,
            bias ? (const float *)bias->data : NULL, (float *)output->data, d->q.act_min_f, d->q.act_max_f);
    } else {
        const int32_t *params = ember_channel_params(node);
        i8(&d->w, &d->s, d->depth, (const int8_t *)input->data, (const int8_t *)filter->data,
           bias ? (const int32_t *)bias->data : NULL, (int8_t *)output->data, d->q.input_offset,
           d->q.output_offset, params, params + d->s.out_c, d->q.act_min, d->q.act_max);
    }
    return EMBER_OK;
}

ember_status ember_pool_eval(ember_interpreter *ctx, const ember_node *node, ember_pool_f32_fn *f32,
                             ember_pool_i8_fn *i8) {
    const ember_pool_params *p = (const ember_pool_params *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    if (input->type == EMBER_FLOAT32)
        f32(p, (const float *)input->data, (float *)output->data);
    else
        i8(p, (const int8_t *)input->data, (int8_t *)output->data);
    return EMBER_OK;
}
