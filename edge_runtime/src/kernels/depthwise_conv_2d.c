/* DEPTHWISE_CONV_2D, float32 and int8: filter [1, h, w, in_c * multiplier], output channel ic * multiplier +
 * m sees only input channel ic. Order of operations as TFLite's reference kernels
 * (reference/depthwiseconv_float.h, reference/integer_ops/depthwise_conv.h). int16 activations with int8
 * weights (16x8) run kernels/conv_i16.c's loops; float32 activations with int8 weights (dynamic range)
 * eval_hybrid below. */
#include "flatbuffer.h"
#include "kernels/conv.h"
#include "kernels/conv_i16.h"
#include "kernels/hybrid.h"
#include "kernels/kernels.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

void ember_depthwise_conv_2d_ref_f32(const ember_window *w, const ember_image_shape *s,
                                     int32_t depth_multiplier, const float *input, const float *filter,
                                     const float *bias, float *output, float act_min, float act_max) {
    int32_t b, oy, ox, ic, m, ky, kx;
    for (b = 0; b < s->batches; ++b)
        for (oy = 0; oy < s->out_h; ++oy)
            for (ox = 0; ox < s->out_w; ++ox)
                for (ic = 0; ic < s->in_c; ++ic)
                    for (m = 0; m < depth_multiplier; ++m) {
                        const int32_t oc = ic * depth_multiplier + m;
                        float total = 0.0f;
                        for (ky = 0; ky < w->filter_h; ++ky) {
                            const int32_t iy = oy * w->stride_h - w->pad_h + ky * w->dilation_h;
                            for (kx = 0; kx < w->filter_w; ++kx) {
                                const int32_t ix = ox * w->stride_w - w->pad_w + kx * w->dilation_w;
                                if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                                    continue;
                                total += input[(((size_t)b * s->in_h + iy) * s->in_w + ix) * s->in_c + ic] *
                                         filter[((size_t)ky * w->filter_w + kx) * s->out_c + oc];
                            }
                        }
                        output[(((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + oc] =
                            ember_clamp_f32(total + (bias ? bias[oc] : 0.0f), act_min, act_max);
                    }
}

void ember_depthwise_conv_2d_ref_i8(const ember_window *w, const ember_image_shape *s,
                                    int32_t depth_multiplier, const int8_t *input, const int8_t *filter,
                                    const int32_t *bias, int8_t *output, int32_t input_offset,
                                    int32_t filter_offset, int32_t output_offset, const int32_t *multiplier,
                                    const int32_t *shift, int32_t act_min, int32_t act_max) {
    int32_t b, oy, ox, ic, m, ky, kx;
    for (b = 0; b < s->batches; ++b)
        for (oy = 0; oy < s->out_h; ++oy)
            for (ox = 0; ox < s->out_w; ++ox)
                for (ic = 0; ic < s->in_c; ++ic)
                    for (m = 0; m < depth_multiplier; ++m) {
                        const int32_t oc = ic * depth_multiplier + m;
                        uint32_t acc = 0;
                        int32_t y;
                        for (ky = 0; ky < w->filter_h; ++ky) {
                            const int32_t iy = oy * w->stride_h - w->pad_h + ky * w->dilation_h;
                            for (kx = 0; kx < w->filter_w; ++kx) {
                                const int32_t ix = ox * w->stride_w - w->pad_w + kx * w->dilation_w;
                                int32_t x;
                                if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                                    continue; /* padding: a real zero */
                                x = input[(((size_t)b * s->in_h + iy) * s->in_w + ix) * s->in_c + ic];
                                acc += (uint32_t)((filter[((size_t)ky * w->filter_w + kx) * s->out_c + oc] +
                                                   filter_offset) *
                                                  (x + input_offset));
                            }
                        }
                        if (bias)
                            acc += (uint32_t)bias[oc];
                        y = ember_multiply_by_quantized_multiplier(ember_wrap_i32(acc), multiplier[oc],
                                                                   shift[oc]);
                        output[(((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + oc] =
                            (int8_t)ember_offset_clamp(y, output_offset, act_min, act_max);
                    }
}

/* Taps of the channel-vectorised path (0: the reference loops): the scratch holds two pointers (input pixel,
 * filter row) per tap of the window, so absurd windows keep the reference. Weights need not be constant; an
 * int16 input (16x8, int8 weights) always takes the reference loops. */
static int32_t fast_taps(const ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *filter;
    if (ctx->reference_kernels || node->input_count < 2 || node->inputs[1] < 0 || node->inputs[0] < 0 ||
        ctx->tensors[node->inputs[0]].type == EMBER_INT16)
        return 0;
    filter = &ctx->tensors[node->inputs[1]];
    if (filter->rank != 4 ||
        (filter->type != EMBER_FLOAT32 && filter->type != EMBER_INT8 && filter->type != EMBER_UINT8))
        return 0;
    /* uint8 weights only with zero point 128 (no weight offset in their int8 image). */
    if ((filter->type == EMBER_UINT8 || ember_is_u8(filter)) && !ember_conv_u8_offset_free(ctx, filter))
        return 0;
    if ((int64_t)filter->dims[1] * filter->dims[2] > 65536)
        return 0;
    return filter->dims[1] * filter->dims[2];
}

static size_t op_data_bytes(const ember_interpreter *ctx, const ember_node *node) {
    return ember_conv_op_data_bytes(ctx, node, 0);
}

static size_t scratch_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const size_t hybrid = ember_hybrid_conv_scratch_bytes(ctx, node, 0);
    if (hybrid)
        return hybrid;
    return 2 * sizeof(void *) * (size_t)fast_taps(ctx, node);
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    ember_conv_data *data = (ember_conv_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *filter = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int8_t padding, activation;
    int32_t option_multiplier;
    long n = (long)node->index;
    char a[96], b[96];

    EMBER_CHECK(
        ctx, node->input_count >= 2 && node->input_count <= 3 && node->output_count == 1 && input && filter,
        EMBER_INVALID_MODEL, "DEPTHWISE_CONV_2D %ld: needs input, filter, optional bias and 1 output", n);
    EMBER_TRY(ember_option_i8(ctx, node, TFL_DW_PADDING, TFL_PADDING_SAME, &padding));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_DW_STRIDE_W, 0, &data->w.stride_w));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_DW_STRIDE_H, 0, &data->w.stride_h));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_DW_DILATION_W, 1, &data->w.dilation_w));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_DW_DILATION_H, 1, &data->w.dilation_h));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_DW_DEPTH_MULTIPLIER, 0, &option_multiplier));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_DW_FUSED_ACTIVATION, TFL_ACT_NONE, &activation));
    EMBER_CHECK(ctx, filter->rank == 4 && filter->dims[0] == 1, EMBER_INVALID_MODEL,
                "DEPTHWISE_CONV_2D %ld: filter '%.64s' has shape %s, expected [1, h, w, channels]", n,
                filter->name, ember_shape_string(filter, a, sizeof a));
    data->w.filter_h = filter->dims[1];
    data->w.filter_w = filter->dims[2];
    EMBER_TRY(ember_window_prepare(ctx, node, padding, input, output, &data->w, &data->s));
    EMBER_CHECK(
        ctx,
        data->s.in_c > 0 && filter->dims[3] == data->s.out_c && data->s.out_c % data->s.in_c == 0 &&
            (option_multiplier == 0 || option_multiplier * (int64_t)data->s.in_c == data->s.out_c),
        EMBER_INVALID_MODEL,
        "DEPTHWISE_CONV_2D %ld: filter %s, input %s, %ld output channels and depth_multiplier %ld do not "
        "agree (output channels = input channels * multiplier)",
        n, ember_shape_string(filter, a, sizeof a), ember_shape_string(input, b, sizeof b),
        (long)data->s.out_c, (long)option_multiplier);
    data->depth = data->s.out_c / data->s.in_c;
    data->hybrid = 0;
    if (input->type == EMBER_FLOAT32 && filter->type == EMBER_INT8) {
        /* LiteRT's hybrid loops run the option's multiplier and read one scale per output channel */
        EMBER_CHECK(
            ctx, option_multiplier * (int64_t)data->s.in_c == data->s.out_c, EMBER_INVALID_MODEL,
            "DEPTHWISE_CONV_2D %ld: dynamic range needs depth_multiplier (%ld) * input channels (%ld) = "
            "output channels (%ld)",
            n, (long)option_multiplier, (long)data->s.in_c, (long)data->s.out_c);
        EMBER_CHECK(
            ctx, filter->quant_count == data->s.out_c, EMBER_INVALID_MODEL,
            "DEPTHWISE_CONV_2D %ld: dynamic-range filter '%.64s' has %ld scales; LiteRT needs one per "
            "output channel (%ld) along axis 3",
            n, filter->name, (long)filter->quant_count, (long)data->s.out_c);
        EMBER_TRY(ember_hybrid_conv_prepare(ctx, node, activation, 3, data->s.out_c, data));
        data->hybrid_per_channel = 1;
        return EMBER_OK;
    }
    EMBER_TRY(ember_conv_quant_prepare(ctx, node, activation, 3, 0, data->s.out_c, &data->q));
    data->path = fast_taps(ctx, node) ? EMBER_CONV_DEPTHWISE : EMBER_CONV_REFERENCE;
    data->isa = ctx->isa;
    return EMBER_OK;
}

/* The taps of output pixel (b, oy, ox) inside the image, in the reference's ky, kx order: input pixel and
 * filter row pointers (as bytes, elem bytes a value); padding taps are left out, as the reference skips them.
 */
static int32_t window_taps(const ember_conv_data *d, const uint8_t *input, const uint8_t *filter, size_t elem,
                           int32_t b, int32_t oy, int32_t ox, const uint8_t **x, const uint8_t **w) {
    const ember_window *win = &d->w;
    const ember_image_shape *s = &d->s;
    int32_t ky, kx, taps = 0;
    for (ky = 0; ky < win->filter_h; ++ky) {
        const int32_t iy = oy * win->stride_h - win->pad_h + ky * win->dilation_h;
        if (iy < 0 || iy >= s->in_h)
            continue;
        for (kx = 0; kx < win->filter_w; ++kx) {
            const int32_t ix = ox * win->stride_w - win->pad_w + kx * win->dilation_w;
            if (ix < 0 || ix >= s->in_w)
                continue;
            x[taps] = input + (((size_t)b * s->in_h + iy) * s->in_w + ix) * (size_t)s->in_c * elem;
            w[taps] = filter + ((size_t)ky * win->filter_w + kx) * (size_t)s->out_c * elem;
            ++taps;
        }
    }
    return taps;
}

/* One eval split over threads: units are output rows (b, oy); each task keeps its tap pointers in the
 * running thread's scratch. */
typedef struct depthwise_job {
    const ember_interpreter *ctx;
    const ember_conv_data *d;
    const uint8_t *input, *filter;
    uint8_t *output;
    size_t elem;
    ember_dw_i8_params pi;
    ember_dw_f32_params pf;
    int32_t tasks;
} depthwise_job;

static void depthwise_task(void *arg, int32_t task, int32_t thread) {
    const depthwise_job *j = (const depthwise_job *)arg;
    const ember_conv_data *d = j->d;
    const uint8_t **x = (const uint8_t **)(void *)ember_thread_scratch(j->ctx, thread);
    const uint8_t **w = x + d->w.filter_h * d->w.filter_w;
    int32_t r0, r1, r, ox;
    ember_task_range(d->s.batches * d->s.out_h, j->tasks, task, &r0, &r1);
    for (r = r0; r < r1; ++r)
        for (ox = 0; ox < d->s.out_w; ++ox) {
            const size_t at = ((size_t)r * d->s.out_w + ox) * (size_t)d->s.out_c;
            const int32_t taps =
                window_taps(d, j->input, j->filter, j->elem, r / d->s.out_h, r % d->s.out_h, ox, x, w);
            if (j->elem == 1)
                ember_dw_i8_pixel(d->isa, &j->pi, (const int8_t *const *)(const void *)x,
                                  (const int8_t *const *)(const void *)w, taps, (int8_t *)j->output + at);
            else
                ember_dw_f32_pixel(d->isa, &j->pf, (const float *const *)(const void *)x,
                                   (const float *const *)(const void *)w, taps,
                                   (float *)(void *)j->output + at);
        }
}

typedef struct hybrid_job {
    ember_interpreter *ctx;
    const ember_node *node;
    const int8_t *q;
    const float *sf;
    const int32_t *zp;
    int32_t tasks;
} hybrid_job;

/* Output rows (b, oy) of one task. */
static void hybrid_task(void *arg, int32_t task, int32_t thread) {
    const hybrid_job *j = (const hybrid_job *)arg;
    const ember_conv_data *d = (const ember_conv_data *)j->node->op_data;
    const ember_window *w = &d->w;
    const ember_image_shape *s = &d->s;
    const ember_tensor *filter_t = ember_node_input(j->ctx, j->node, 1);
    const ember_tensor *bias_t = ember_node_input(j->ctx, j->node, 2);
    const float *bias = bias_t ? (const float *)bias_t->data : NULL;
    const int8_t *filter = (const int8_t *)filter_t->data;
    const uint8_t *scales = j->ctx->model.data + filter_t->scales_pos;
    float *out = (float *)ember_node_output(j->ctx, j->node, 0)->data;
    const size_t image = (size_t)s->in_h * (size_t)s->in_w * (size_t)s->in_c;
    int32_t r0, r1, r, ox, ic, m, ky, kx;
    (void)thread;
    ember_task_range(s->batches * s->out_h, j->tasks, task, &r0, &r1);
    for (r = r0; r < r1; ++r) {
        const int32_t b = r / s->out_h, oy = r % s->out_h;
        const int8_t *q = j->q + (size_t)b * image;
        for (ox = 0; ox < s->out_w; ++ox)
            for (ic = 0; ic < s->in_c; ++ic)
                for (m = 0; m < d->depth; ++m) {
                    const int32_t oc = ic * d->depth + m;
                    uint32_t acc = 0;
                    float v;
                    for (ky = 0; ky < w->filter_h; ++ky) {
                        const int32_t iy = oy * w->stride_h - w->pad_h + ky * w->dilation_h;
                        for (kx = 0; kx < w->filter_w; ++kx) {
                            const int32_t ix = ox * w->stride_w - w->pad_w + kx * w->dilation_w;
                            if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                                continue;
                            acc += (uint32_t)(filter[((size_t)ky * w->filter_w + kx) * s->out_c + oc] *
                                              ((int32_t)q[((size_t)iy * s->in_w + ix) * s->in_c + ic] -
                                               j->zp[b]));
                        }
                    }
                    v = (float)ember_wrap_i32(acc);
                    v *= fb_f32_at(scales + 4 * (size_t)oc) * j->sf[b];
                    if (bias)
                        v += bias[oc];
                    out[(((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + oc] =
                        ember_clamp_f32(v, d->q.act_min_f, d->q.act_max_f);
                }
    }
}

/* Dynamic range (LiteRT's EvalHybridPerChannel, reference_integer_ops::DepthwiseConvHybridPerChannel): each
 * batch image quantised asymmetrically as one row; acc = sum over the taps inside the image of w * (q - zp),
 * then (float)acc * (s_w[oc] * sf) + bias, clamped. Output rows are split over threads. */
static void eval_hybrid(ember_interpreter *ctx, const ember_node *node) {
    const ember_conv_data *d = (const ember_conv_data *)node->op_data;
    const ember_image_shape *s = &d->s;
    const size_t image = (size_t)s->in_h * (size_t)s->in_w * (size_t)s->in_c;
    int8_t *q = (int8_t *)ember_thread_scratch(ctx, 0);
    float *sf = (float *)(void *)(q + ember_align_size(image * (size_t)s->batches));
    int32_t *zp = (int32_t *)(void *)(sf + s->batches);
    hybrid_job j;
    ember_hybrid_quantize_rows((const float *)ember_node_input(ctx, node, 0)->data, (int64_t)image,
                               s->batches, (int32_t)image, 1, q, sf, zp);
    j.ctx = ctx, j.node = node, j.q = q, j.sf = sf, j.zp = zp;
    j.tasks = ember_parallel_tasks(ctx, (int64_t)s->batches * s->out_h,
                                   (int64_t)s->out_w * s->out_c * d->w.filter_h * d->w.filter_w);
    ember_parallel_run(ctx, j.tasks, hybrid_task, &j);
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_conv_data *d = (const ember_conv_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *filter = ember_node_input(ctx, node, 1);
    const ember_tensor *bias = ember_node_input(ctx, node, 2);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    depthwise_job j;
    if (d->hybrid) {
        eval_hybrid(ctx, node);
        return EMBER_OK;
    }
    if (input->type == EMBER_INT16)
        return ember_conv_i16_eval(ctx, node, ember_depthwise_conv_2d_ref_i16);
    if (d->path == EMBER_CONV_REFERENCE)
        return ember_conv_eval(ctx, node, ember_depthwise_conv_2d_ref_f32, ember_depthwise_conv_2d_ref_i8);
    j.ctx = ctx, j.d = d;
    j.input = (const uint8_t *)input->data, j.filter = (const uint8_t *)filter->data;
    j.output = (uint8_t *)output->data;
    j.elem = ember_type_size(input->type);
    j.pi.channels = j.pf.channels = d->s.out_c;
    j.pi.depth_multiplier = j.pf.depth_multiplier = d->depth;
    if (input->type == EMBER_INT8) {
        const int32_t *params = ember_channel_params(node);
        j.pi.bias = bias ? (const int32_t *)bias->data : NULL;
        j.pi.multiplier = params, j.pi.shift = params + d->s.out_c;
        j.pi.input_offset = d->q.input_offset, j.pi.output_offset = d->q.output_offset;
        j.pi.act_min = d->q.act_min, j.pi.act_max = d->q.act_max;
    } else {
        j.pf.bias = bias ? (const float *)bias->data : NULL;
        j.pf.act_min = d->q.act_min_f, j.pf.act_max = d->q.act_max_f;
    }
    j.tasks = ember_parallel_tasks(ctx, (int64_t)d->s.batches * d->s.out_h,
                                   (int64_t)d->s.out_w * d->s.out_c * d->w.filter_h * d->w.filter_w);
    ember_parallel_run(ctx, j.tasks, depthwise_task, &j);
    return EMBER_OK;
}

/* Versions up to 7 as LiteRT registers them; int4 weights are refused by type. */
EMBER_U8_VIA_I8(depthwise_conv_2d, prepare, eval, scratch_bytes)

const ember_kernel ember_kernel_depthwise_conv_2d = {
    TFL_OP_DEPTHWISE_CONV_2D,
    "DEPTHWISE_CONV_2D",
    7,
    TFL_OPTIONS_DEPTHWISE_CONV_2D,
    sizeof(ember_conv_data),
    depthwise_conv_2d_prepare_u8,
    depthwise_conv_2d_eval_u8,
    op_data_bytes,
    depthwise_conv_2d_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
