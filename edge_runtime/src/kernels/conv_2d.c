/* CONV_2D, float32 and int8, NHWC input, OHWI filter, optional bias, fused activation; grouped convolution
 * when the filter's input depth divides the input's. Arithmetic and order of operations follow TFLite's
 * reference kernels (reference/conv.h, reference/integer_ops/conv.h) so float results agree to rounding and
 * int8 results bit for bit. */
#include "kernels/conv.h"
#include "kernels/kernels.h"
#include "quantization.h"
#include "tflite_schema.h"

void ember_conv_2d_ref_f32(const ember_window *w, const ember_image_shape *s, int32_t filter_in_c,
                           const float *input, const float *filter, const float *bias, float *output,
                           float act_min, float act_max) {
    const int32_t per_group = s->out_c / (s->in_c / filter_in_c);
    int32_t b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < s->batches; ++b)
        for (oy = 0; oy < s->out_h; ++oy)
            for (ox = 0; ox < s->out_w; ++ox)
                for (oc = 0; oc < s->out_c; ++oc) {
                    const int32_t group_c = (oc / per_group) * filter_in_c;
                    float total = 0.0f;
                    for (ky = 0; ky < w->filter_h; ++ky) {
                        const int32_t iy = oy * w->stride_h - w->pad_h + ky * w->dilation_h;
                        for (kx = 0; kx < w->filter_w; ++kx) {
                            const int32_t ix = ox * w->stride_w - w->pad_w + kx * w->dilation_w;
                            const float *x, *k;
                            if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                                continue;
                            x = input + (((size_t)b * s->in_h + iy) * s->in_w + ix) * s->in_c + group_c;
                            k = filter + (((size_t)oc * w->filter_h + ky) * w->filter_w + kx) * filter_in_c;
                            for (ic = 0; ic < filter_in_c; ++ic)
                                total += x[ic] * k[ic];
                        }
                    }
                    output[(((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + oc] =
                        ember_clamp_f32(total + (bias ? bias[oc] : 0.0f), act_min, act_max);
                }
}

void ember_conv_2d_ref_i8(const ember_window *w, const ember_image_shape *s, int32_t filter_in_c,
                          const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output,
                          int32_t input_offset, int32_t output_offset, const int32_t *multiplier,
                          const int32_t *shift, int32_t act_min, int32_t act_max) {
    const int32_t per_group = s->out_c / (s->in_c / filter_in_c);
    int32_t b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < s->batches; ++b)
        for (oy = 0; oy < s->out_h; ++oy)
            for (ox = 0; ox < s->out_w; ++ox)
                for (oc = 0; oc < s->out_c; ++oc) {
                    const int32_t group_c = (oc / per_group) * filter_in_c;
                    uint32_t acc = 0;
                    int32_t y;
                    for (ky = 0; ky < w->filter_h; ++ky) {
                        const int32_t iy = oy * w->stride_h - w->pad_h + ky * w->dilation_h;
                        for (kx = 0; kx < w->filter_w; ++kx) {
                            const int32_t ix = ox * w->stride_w - w->pad_w + kx * w->dilation_w;
                            const int8_t *x, *k;
                            /* Padding taps are skipped: they stand for real zeros, i.e. the zero point. */
                            if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                                continue;
                            x = input + (((size_t)b * s->in_h + iy) * s->in_w + ix) * s->in_c + group_c;
                            k = filter + (((size_t)oc * w->filter_h + ky) * w->filter_w + kx) * filter_in_c;
                            for (ic = 0; ic < filter_in_c; ++ic)
                                acc += (uint32_t)(k[ic] * (x[ic] + input_offset));
                        }
                    }
                    if (bias)
                        acc += (uint32_t)bias[oc];
                    y = ember_multiply_by_quantized_multiplier(ember_wrap_i32(acc), multiplier[oc],
                                                               shift[oc]);
                    output[(((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + oc] =
                        ember_clamp_i8(y + output_offset, act_min, act_max);
                }
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    ember_conv_data *data = (ember_conv_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *filter = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int8_t padding, activation;
    long n = (long)node->index;
    char a[96], b[96];

    EMBER_CHECK(
        ctx, node->input_count >= 2 && node->input_count <= 3 && node->output_count == 1 && input && filter,
        EMBER_INVALID_MODEL, "CONV_2D %ld: needs input, filter, optional bias and 1 output", n);
    EMBER_TRY(ember_option_i8(ctx, node, TFL_CONV_PADDING, TFL_PADDING_SAME, &padding));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_CONV_STRIDE_W, 0, &data->w.stride_w));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_CONV_STRIDE_H, 0, &data->w.stride_h));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_CONV_DILATION_W, 1, &data->w.dilation_w));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_CONV_DILATION_H, 1, &data->w.dilation_h));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_CONV_FUSED_ACTIVATION, TFL_ACT_NONE, &activation));
    EMBER_CHECK(ctx, filter->rank == 4, EMBER_INVALID_MODEL,
                "CONV_2D %ld: filter '%.64s' has shape %s, expected [out, h, w, in]", n, filter->name,
                ember_shape_string(filter, a, sizeof a));
    data->w.filter_h = filter->dims[1];
    data->w.filter_w = filter->dims[2];
    EMBER_TRY(ember_window_prepare(ctx, node, padding, input, output, &data->w, &data->s));
    data->depth = filter->dims[3];
    EMBER_CHECK(
        ctx,
        filter->dims[0] == data->s.out_c && data->depth > 0 && data->s.in_c % data->depth == 0 &&
            data->s.in_c > 0 && data->s.out_c % (data->s.in_c / data->depth) == 0,
        EMBER_INVALID_MODEL,
        "CONV_2D %ld: filter %s does not fit input %s and %ld output channels (filter [out, h, w, in / "
        "groups])",
        n, ember_shape_string(filter, a, sizeof a), ember_shape_string(input, b, sizeof b),
        (long)data->s.out_c);
    return ember_conv_quant_prepare(ctx, node, activation, 0, 0, data->s.out_c, &data->q);
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    return ember_conv_eval(ctx, node, ember_conv_2d_ref_f32, ember_conv_2d_ref_i8);
}

/* Versions up to 8 as LiteRT registers them; what later versions add (int16 activations, int4 weights,
 * hybrid float x int8) is refused in prepare by type. */
const ember_kernel ember_kernel_conv_2d = {
    TFL_OP_CONV_2D, "CONV_2D", 8, TFL_OPTIONS_CONV_2D, sizeof(ember_conv_data), prepare, eval,
};
