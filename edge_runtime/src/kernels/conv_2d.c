/* CONV_2D, float32 and int8, NHWC input, OHWI filter, optional bias, fused activation; grouped convolution
 * when the filter's input depth divides the input's. Arithmetic and order of operations follow TFLite's
 * reference kernels (reference/conv.h, reference/integer_ops/conv.h) so float results agree to rounding and
 * int8 results bit for bit. int16 activations with int8 weights (16x8) run kernels/conv_i16.c's loops;
 * float32 activations with int8 weights (dynamic range) eval_hybrid below. */
#include <string.h>

#include "flatbuffer.h"
#include "kernels/conv.h"
#include "kernels/conv_i16.h"
#include "kernels/hybrid.h"
#include "kernels/kernels.h"
#include "kernels/uint8.h"
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
                          int32_t input_offset, int32_t filter_offset, int32_t output_offset,
                          const int32_t *multiplier, const int32_t *shift, int32_t act_min, int32_t act_max) {
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
                                acc += (uint32_t)((k[ic] + filter_offset) * (x[ic] + input_offset));
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

/* The GEMM form of an ungrouped CONV_2D with constant weights: N = out_c, K = filter_h * filter_w * in_c
 * (the OHWI filter rows are already [n][k] in the reference's ky, kx, ic order). Decided from the tensors
 * alone, so the hooks at create and prepare agree; prepare has validated the shapes when it uses it. */
static size_t gemm_bytes(const ember_interpreter *ctx, const ember_node *node, int32_t *k) {
    const ember_tensor *input, *filter, *output;
    if (node->input_count < 2 || node->output_count < 1 || node->inputs[0] < 0 || node->inputs[1] < 0)
        return 0;
    input = &ctx->tensors[node->inputs[0]];
    filter = &ctx->tensors[node->inputs[1]];
    output = &ctx->tensors[node->outputs[0]];
    if (input->rank != 4 || filter->rank != 4 || output->rank != 4 || filter->dims[3] != input->dims[3] ||
        filter->dims[0] != output->dims[3])
        return 0;
    /* The product is at most the filter's element count, which the loader bounded. */
    *k = filter->dims[1] * filter->dims[2] * filter->dims[3];
    return ember_conv_gemm_bytes(ctx, node, filter->dims[0], *k);
}

/* A 1x1 filter whose output pixels are the input pixels (stride 1, or a 1-pixel image): the NHWC input is the
 * GEMM's A matrix as it is. */
static int is_direct(const ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input = &ctx->tensors[node->inputs[0]], *filter = &ctx->tensors[node->inputs[1]];
    const ember_tensor *output = &ctx->tensors[node->outputs[0]];
    return filter->dims[1] == 1 && filter->dims[2] == 1 && input->dims[1] == output->dims[1] &&
           input->dims[2] == output->dims[2];
}

/* im2col rows per block: about 32 KiB of scratch (it stays in L1/L2 while the GEMM reads it), at least 12
 * rows (two of the GEMM kernels' 6-row tiles), at most all rows. */
static int32_t block_rows(const ember_interpreter *ctx, const ember_node *node, int32_t k) {
    const ember_tensor *output = &ctx->tensors[node->outputs[0]];
    const size_t row = (size_t)k * ember_type_size(output->type);
    const int64_t rows = (int64_t)output->dims[0] * output->dims[1] * output->dims[2];
    int64_t block = (int64_t)(32768 / row);
    block = block < 12 ? 12 : block / 6 * 6;
    return (int32_t)(block < rows ? block : rows);
}

static size_t op_data_bytes(const ember_interpreter *ctx, const ember_node *node) {
    int32_t k;
    return ember_conv_op_data_bytes(ctx, node, gemm_bytes(ctx, node, &k));
}

static size_t scratch_bytes(const ember_interpreter *ctx, const ember_node *node) {
    int32_t k;
    if (node->input_count >= 2 && node->inputs[1] >= 0 && ctx->tensors[node->inputs[1]].rank == 4) {
        /* dynamic range: one im2col row (filter_h * filter_w * in_c / groups int8) after the quantised input
         */
        const ember_tensor *filter = &ctx->tensors[node->inputs[1]];
        const size_t row = (size_t)filter->dims[1] * (size_t)filter->dims[2] * (size_t)filter->dims[3];
        const size_t hybrid = ember_hybrid_conv_scratch_bytes(ctx, node, row);
        if (hybrid)
            return hybrid;
    }
    if (!gemm_bytes(ctx, node, &k) || is_direct(ctx, node))
        return 0;
    return (size_t)block_rows(ctx, node, k) * (size_t)k * ember_type_size(ctx->tensors[node->inputs[0]].type);
}

/* A float filter with an infinite or NaN weight would turn an im2col padding tap (0 * w) into NaN where the
 * reference skips the tap, so such filters keep the reference loops. */
static int all_finite(const ember_tensor *filter) {
    const float *w = (const float *)filter->data;
    const int32_t count = ember_element_count(filter);
    int32_t i;
    for (i = 0; i < count; ++i)
        if (!(w[i] - w[i] == 0.0f))
            return 0;
    return 1;
}

static void choose_path(ember_interpreter *ctx, ember_node *node, ember_conv_data *data) {
    const ember_tensor *filter = ember_node_input(ctx, node, 1);
    int32_t k = 0;
    data->path = EMBER_CONV_REFERENCE;
    if (!gemm_bytes(ctx, node, &k))
        return;
    if (is_direct(ctx, node)) {
        data->path = EMBER_CONV_GEMM_DIRECT;
    } else {
        if (filter->type == EMBER_FLOAT32 && !all_finite(filter))
            return;
        data->path = EMBER_CONV_GEMM_IM2COL;
        data->block_rows = block_rows(ctx, node, k);
    }
    data->packed = ember_conv_gemm_pack(ctx, node, data->s.out_c, k, &data->q, EMBER_REQUANT_DOUBLE);
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
    data->hybrid = 0;
    if (input->type == EMBER_FLOAT32 && filter->type == EMBER_INT8) {
        const int32_t groups = data->s.in_c / data->depth;
        int32_t c;
        EMBER_CHECK(ctx, ember_node_input(ctx, node, 2) != NULL, EMBER_INVALID_MODEL,
                    "CONV_2D %ld: a dynamic-range convolution needs a bias (LiteRT requires one)", n);
        EMBER_TRY(ember_hybrid_conv_prepare(ctx, node, activation, 0, data->s.out_c, data));
        /* LiteRT takes its per-channel path (asymmetric inputs) only when the scales differ, and for grouped
         * convolutions, whose scales it then reads per channel */
        if (data->hybrid_per_channel) {
            const uint8_t *scales = ctx->model.data + filter->scales_pos;
            int differ = 0;
            for (c = 1; c < filter->quant_count; ++c)
                differ |= fb_f32_at(scales + 4 * (size_t)c) != fb_f32_at(scales);
            data->hybrid_per_channel = differ || groups != 1;
        }
        EMBER_CHECK(ctx, groups == 1 || filter->quant_count == data->s.out_c, EMBER_UNSUPPORTED,
                    "CONV_2D %ld: a grouped dynamic-range convolution needs one filter scale per output "
                    "channel (LiteRT reads them per channel), filter '%.64s' has %ld",
                    n, filter->name, (long)filter->quant_count);
        return EMBER_OK;
    }
    EMBER_TRY(ember_conv_quant_prepare(ctx, node, activation, 0, 0, data->s.out_c, &data->q));
    choose_path(ctx, node, data);
    return EMBER_OK;
}

/* Rows [m0, m1) of the im2col matrix into `cols` (k = filter_h * filter_w * in_c bytes of elem each): taps
 * in the reference's ky, kx, ic order, padding taps filled with `pad` bytes (the input zero point for int8,
 * which then adds exactly 0; 0.0f for float). */
static void im2col(const ember_conv_data *d, const uint8_t *input, size_t elem, int pad, int32_t m0,
                   int32_t m1, uint8_t *cols) {
    const ember_window *w = &d->w;
    const ember_image_shape *s = &d->s;
    const size_t pixel = (size_t)s->in_c * elem;
    int32_t m, ky, kx;
    for (m = m0; m < m1; ++m) {
        const int32_t ox = m % s->out_w, oy = m / s->out_w % s->out_h, b = m / s->out_w / s->out_h;
        for (ky = 0; ky < w->filter_h; ++ky) {
            const int32_t iy = oy * w->stride_h - w->pad_h + ky * w->dilation_h;
            for (kx = 0; kx < w->filter_w; ++kx) {
                const int32_t ix = ox * w->stride_w - w->pad_w + kx * w->dilation_w;
                if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                    memset(cols, pad, pixel);
                else
                    memcpy(cols, input + (((size_t)b * s->in_h + iy) * s->in_w + ix) * pixel, pixel);
                cols += pixel;
            }
        }
    }
}

/* GEMM rows a task starts at a multiple of: the micro-kernels' row tiles (4 or 6 rows). */
#define ROW_UNIT 12

/* One eval split over threads in units of ROW_UNIT output rows (a row's result never depends on the range it
 * is run in). The im2col path runs a task's rows in blocks of at most block_rows, built in the running
 * thread's scratch, so a small image with one block of rows is split too. */
typedef struct conv_job {
    const ember_interpreter *ctx;
    const ember_conv_data *d;
    const uint8_t *input;
    uint8_t *output;
    size_t elem, k;
    int32_t rows, units, tasks;
} conv_job;

static void conv_task(void *arg, int32_t task, int32_t thread) {
    const conv_job *j = (const conv_job *)arg;
    const ember_conv_data *d = j->d;
    const size_t ldo = (size_t)d->s.out_c;
    const int is_i8 = j->elem == 1;
    uint8_t *cols = ember_thread_scratch(j->ctx, thread);
    int32_t u0, u1, m0, m1, end;
    ember_task_range(j->units, j->tasks, task, &u0, &u1);
    end = (int64_t)u1 * ROW_UNIT < j->rows ? u1 * ROW_UNIT : j->rows;
    m0 = u0 * ROW_UNIT;
    if (d->path == EMBER_CONV_GEMM_DIRECT && is_i8) {
        ember_gemm_i8_run(d->packed, (const int8_t *)j->input, j->k, (int8_t *)j->output, ldo, m0, end);
        return;
    }
    if (d->path == EMBER_CONV_GEMM_DIRECT) {
        ember_gemm_f32_run(d->packed, (const float *)(const void *)j->input, j->k, (float *)(void *)j->output,
                           ldo, m0, end);
        return;
    }
    for (; m0 < end; m0 = m1) {
        m1 = end - m0 < d->block_rows ? end : m0 + d->block_rows;
        if (is_i8) {
            im2col(d, j->input, 1, (int)(int8_t)-d->q.input_offset, m0, m1, cols);
            ember_gemm_i8_run(d->packed, (const int8_t *)(const void *)cols, j->k,
                              (int8_t *)j->output + (size_t)m0 * ldo, ldo, 0, m1 - m0);
        } else {
            im2col(d, j->input, sizeof(float), 0, m0, m1, cols);
            ember_gemm_f32_run(d->packed, (const float *)(const void *)cols, j->k,
                               (float *)(void *)j->output + (size_t)m0 * ldo, ldo, 0, m1 - m0);
        }
    }
}

typedef struct hybrid_job {
    ember_interpreter *ctx;
    const ember_node *node;
    const int8_t *q;
    const float *sf;
    const int32_t *zp;
    size_t cols_at; /* where a thread's im2col row starts in its scratch */
    int32_t tasks;
} hybrid_job;

/* Output rows (b, oy) of one task, the im2col row in the running thread's scratch. */
static void hybrid_task(void *arg, int32_t task, int32_t thread) {
    const hybrid_job *j = (const hybrid_job *)arg;
    const ember_node *node = j->node;
    const ember_conv_data *d = (const ember_conv_data *)node->op_data;
    const ember_window *w = &d->w;
    const ember_image_shape *s = &d->s;
    const ember_tensor *filter = ember_node_input(j->ctx, node, 1);
    const ember_tensor *bias_t = ember_node_input(j->ctx, node, 2);
    const float *bias = bias_t ? (const float *)bias_t->data : NULL;
    const int8_t *weights = (const int8_t *)filter->data;
    const uint8_t *scales = j->ctx->model.data + filter->scales_pos;
    float *out = (float *)ember_node_output(j->ctx, node, 0)->data;
    const int32_t fic = d->depth, groups = s->in_c / fic, per_group = s->out_c / groups;
    const size_t image = (size_t)s->in_h * (size_t)s->in_w * (size_t)s->in_c;
    const size_t k = (size_t)w->filter_h * (size_t)w->filter_w * (size_t)fic;
    int8_t *cols = (int8_t *)ember_thread_scratch(j->ctx, thread) + j->cols_at;
    int32_t r0, r1, r, ox, g, oc, ky, kx;
    ember_task_range(s->batches * s->out_h, j->tasks, task, &r0, &r1);
    for (r = r0; r < r1; ++r) {
        const int32_t b = r / s->out_h, oy = r % s->out_h;
        for (ox = 0; ox < s->out_w; ++ox)
            for (g = 0; g < groups; ++g) {
                int8_t *c = cols;
                for (ky = 0; ky < w->filter_h; ++ky) {
                    const int32_t iy = oy * w->stride_h - w->pad_h + ky * w->dilation_h;
                    for (kx = 0; kx < w->filter_w; ++kx, c += fic) {
                        const int32_t ix = ox * w->stride_w - w->pad_w + kx * w->dilation_w;
                        if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                            memset(c, (int)(int8_t)j->zp[b], (size_t)fic);
                        else
                            memcpy(c,
                                   j->q + (size_t)b * image + ((size_t)iy * s->in_w + ix) * s->in_c +
                                       (size_t)g * fic,
                                   (size_t)fic);
                    }
                }
                for (oc = g * per_group; oc < (g + 1) * per_group; ++oc) {
                    const int32_t acc =
                        ember_hybrid_dot(weights + (size_t)oc * k, cols, (int32_t)k, j->zp[b]);
                    float v;
                    if (d->hybrid_per_channel) {
                        v = (float)acc * fb_f32_at(scales + 4 * (size_t)oc) * j->sf[b];
                        if (bias)
                            v += bias[oc];
                    } else {
                        v = 0.0f + (float)acc * (j->sf[b] * d->hybrid_scale);
                        if (bias)
                            v = v + bias[oc];
                    }
                    out[(((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + oc] =
                        ember_clamp_f32(v, d->q.act_min_f, d->q.act_max_f);
                }
            }
    }
}

/* Dynamic range (LiteRT's EvalHybrid and EvalHybridPerChannel): each batch image is quantised as one row,
 * symmetric, or asymmetric on the per-channel path; an output is the int32 sum over the taps inside the image
 * of w * (q - zp) (an im2col row with padding taps at the zero point adds exactly that), scaled back as
 * 0 + (float)acc * (sf * s_w) then + bias per tensor (optimized_ops::HybridConv, which LiteRT runs for the
 * reference kernels too), or ((float)acc * s_w[oc]) * sf + bias per channel (reference_ops::
 * HybridConvPerChannel), then the fused activation's clamp. Output rows are split over threads (each output
 * is computed alone: the same bits on any thread count). */
static void eval_hybrid(ember_interpreter *ctx, const ember_node *node) {
    const ember_conv_data *d = (const ember_conv_data *)node->op_data;
    const ember_image_shape *s = &d->s;
    const size_t image = (size_t)s->in_h * (size_t)s->in_w * (size_t)s->in_c;
    const int64_t k = (int64_t)d->w.filter_h * d->w.filter_w * d->depth;
    int8_t *q = (int8_t *)ember_thread_scratch(ctx, 0);
    float *sf = (float *)(void *)(q + ember_align_size(image * (size_t)s->batches));
    int32_t *zp = (int32_t *)(void *)(sf + s->batches);
    hybrid_job j;
    ember_hybrid_quantize_rows((const float *)ember_node_input(ctx, node, 0)->data, (int64_t)image,
                               s->batches, (int32_t)image, d->hybrid_per_channel, q, sf, zp);
    j.ctx = ctx, j.node = node, j.q = q, j.sf = sf, j.zp = zp;
    j.cols_at = ember_align_size(image * (size_t)s->batches) + ember_align_size(8 * (size_t)s->batches);
    j.tasks = ember_parallel_tasks(ctx, (int64_t)s->batches * s->out_h, (int64_t)s->out_w * s->out_c * k);
    ember_parallel_run(ctx, j.tasks, hybrid_task, &j);
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_conv_data *d = (const ember_conv_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    conv_job j;
    if (d->hybrid) {
        eval_hybrid(ctx, node);
        return EMBER_OK;
    }
    if (input->type == EMBER_INT16)
        return ember_conv_i16_eval(ctx, node, ember_conv_2d_ref_i16);
    if (d->path == EMBER_CONV_REFERENCE)
        return ember_conv_eval(ctx, node, ember_conv_2d_ref_f32, ember_conv_2d_ref_i8);
    j.ctx = ctx, j.d = d;
    j.input = (const uint8_t *)input->data, j.output = (uint8_t *)output->data;
    j.elem = ember_type_size(input->type);
    j.k = (size_t)d->w.filter_h * (size_t)d->w.filter_w * (size_t)d->s.in_c;
    j.rows = d->s.batches * d->s.out_h * d->s.out_w;
    j.units = j.rows / ROW_UNIT + (j.rows % ROW_UNIT != 0);
    j.tasks = ember_parallel_tasks(ctx, j.units, (int64_t)ROW_UNIT * (int64_t)j.k * d->s.out_c);
    ember_parallel_run(ctx, j.tasks, conv_task, &j);
    return EMBER_OK;
}

/* Versions up to 8 as LiteRT registers them; what they add beyond float32, int8, 16x8 and dynamic range with
 * int8 weights (int4 weights) is refused in prepare by type. */
EMBER_U8_VIA_I8(conv_2d, prepare, eval, scratch_bytes)

const ember_kernel ember_kernel_conv_2d = {
    TFL_OP_CONV_2D,
    "CONV_2D",
    8,
    TFL_OPTIONS_CONV_2D,
    sizeof(ember_conv_data),
    conv_2d_prepare_u8,
    conv_2d_eval_u8,
    op_data_bytes,
    conv_2d_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
