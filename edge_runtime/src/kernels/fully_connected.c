/* FULLY_CONNECTED, float32 and int8: output[b, o] = act(sum_i input[b, i] * weights[o, i] + bias[o]).
 * As in TFLite, the input is flattened to [batches, in] with in = weights' second dimension; keep_num_dims
 * only changes the declared output shape. int8 follows reference/integer_ops/fully_connected.h with
 * per-tensor or per-channel (axis 0) weight scales; int16 activations with int8 weights (16x8) run
 * kernels/conv_i16.c's loops.
 *
 * Dynamic range (float32 input and output, constant int8 weights: LiteRT's EvalHybridDense): output = bias
 * (or 0); an input of zeros keeps it as it is; else each input row is quantised (kernels/hybrid.h; asymmetric
 * with asymmetric_quantize_inputs), output[b, o] += (float)dot * scale with scale sf[b] * s_w per tensor or
 * s_w[o] * sf[b] per channel (more than one scale), then the fused activation (TANH too, as LiteRT's hybrid
 * path allows). Sparse weights (densified by the loader) follow LiteRT's EvalSparseHybridImpl instead: with
 * asymmetric inputs output -= (sf * zp [* s_w[o]]) * rowsum first, then += (float)dot(w, q) * scale. */
#include "flatbuffer.h"
#include "kernels/conv.h"
#include "kernels/conv_i16.h"
#include "kernels/hybrid.h"
#include "kernels/kernels.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct fully_connected_data {
    int32_t batches;
    int32_t in_dim;
    int32_t out_dim;
    ember_conv_quant q;
    const void *packed; /* packed GEMM weights (constant weights), or NULL: the reference loops */
    ember_requant_rounding
        rounding; /* int8: LiteRT's single rounding; uint8: its reference double rounding */
    /* dynamic range: float32 activations, int8 weights */
    int32_t hybrid, asymmetric, per_channel, activation;
    float w_scale;
} fully_connected_data;

/* Whether the node is dynamic range (float32 input, int8 weights), read defensively for the hooks. */
static int is_hybrid(const ember_interpreter *ctx, const ember_node *node) {
    return node->input_count >= 2 && node->inputs[0] >= 0 && node->inputs[1] >= 0 &&
           ctx->tensors[node->inputs[0]].type == EMBER_FLOAT32 &&
           ctx->tensors[node->inputs[1]].type == EMBER_INT8;
}

/* Dynamic range: the quantised input rows, then a scale factor and a zero point a row. */
static size_t scratch_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input, *weights;
    uint64_t count, rows;
    if (!is_hybrid(ctx, node))
        return 0;
    input = &ctx->tensors[node->inputs[0]];
    weights = &ctx->tensors[node->inputs[1]];
    if (weights->rank != 2 || weights->dims[1] < 1)
        return 0;
    count = (uint64_t)input->bytes / sizeof(float);
    rows = count / (uint64_t)weights->dims[1];
    /* then, for sparse weights, a row sum per output unit */
    return (size_t)(ember_align_size((size_t)count) + 8 * rows + 4 * (uint64_t)weights->dims[0] +
                    EMBER_ALIGNMENT);
}

/* Constant [out, in] weights are packed for the GEMM (M = batches, N = out, K = in). */
static size_t gemm_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *weights;
    if (node->input_count < 2 || node->inputs[1] < 0)
        return 0;
    weights = &ctx->tensors[node->inputs[1]];
    if (weights->rank != 2)
        return 0;
    return ember_conv_gemm_bytes(ctx, node, weights->dims[0], weights->dims[1]);
}

static size_t op_data_bytes(const ember_interpreter *ctx, const ember_node *node) {
    return ember_conv_op_data_bytes(ctx, node, gemm_bytes(ctx, node));
}

void ember_fully_connected_ref_f32(const float *input, const float *weights, const float *bias, float *output,
                                   int32_t batches, int32_t in_dim, int32_t out_dim, float act_min,
                                   float act_max) {
    int32_t b, o, i;
    for (b = 0; b < batches; ++b) {
        const float *x = input + (size_t)b * (size_t)in_dim;
        for (o = 0; o < out_dim; ++o) {
            const float *w = weights + (size_t)o * (size_t)in_dim;
            /* Sum first, then add the bias, in TFLite's reference order so rounding matches. */
            float total = 0.0f;
            for (i = 0; i < in_dim; ++i)
                total += x[i] * w[i];
            output[(size_t)b * (size_t)out_dim + o] =
                ember_clamp_f32(total + (bias ? bias[o] : 0.0f), act_min, act_max);
        }
    }
}

void ember_fully_connected_ref_i8(const int8_t *input, const int8_t *weights, const int32_t *bias,
                                  int8_t *output, int32_t batches, int32_t in_dim, int32_t out_dim,
                                  int32_t input_offset, int32_t filter_offset, int32_t output_offset,
                                  const int32_t *multiplier, const int32_t *shift, int32_t act_min,
                                  int32_t act_max, ember_requant_rounding rounding) {
    int32_t b, o, i;
    for (b = 0; b < batches; ++b) {
        const int8_t *x = input + (size_t)b * (size_t)in_dim;
        for (o = 0; o < out_dim; ++o) {
            const int8_t *w = weights + (size_t)o * (size_t)in_dim;
            uint32_t acc = 0; /* int32 arithmetic that wraps as TFLite's does, without undefined behaviour */
            int32_t y;
            for (i = 0; i < in_dim; ++i)
                acc += (uint32_t)((w[i] + filter_offset) * (x[i] + input_offset));
            if (bias)
                acc += (uint32_t)bias[o];
            y = rounding == EMBER_REQUANT_SINGLE
                    ? ember_multiply_single_rounding(ember_wrap_i32(acc), multiplier[o], shift[o])
                    : ember_multiply_by_quantized_multiplier(ember_wrap_i32(acc), multiplier[o], shift[o]);
            output[(size_t)b * (size_t)out_dim + o] =
                (int8_t)ember_offset_clamp(y, output_offset, act_min, act_max);
        }
    }
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    fully_connected_data *data = (fully_connected_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *weights = ember_node_input(ctx, node, 1);
    const ember_tensor *bias = ember_node_input(ctx, node, 2);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int8_t activation, weights_format, keep_num_dims;
    int32_t n = node->index, in_elements, d;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count >= 2 && node->input_count <= 3 && node->output_count == 1,
                EMBER_INVALID_MODEL, "FULLY_CONNECTED %ld: needs 2 or 3 inputs and 1 output, has %ld and %ld",
                (long)n, (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, input && weights, EMBER_INVALID_MODEL,
                "FULLY_CONNECTED %ld: input and weights are required", (long)n);
    EMBER_TRY(ember_option_i8(ctx, node, TFL_FC_FUSED_ACTIVATION, TFL_ACT_NONE, &activation));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_FC_WEIGHTS_FORMAT, 0, &weights_format));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_FC_KEEP_NUM_DIMS, 0, &keep_num_dims));
    EMBER_CHECK(ctx, weights_format == 0, EMBER_UNSUPPORTED,
                "FULLY_CONNECTED %ld: shuffled weights format %d is not supported", (long)n,
                (int)weights_format);
    EMBER_CHECK(ctx, weights->rank == 2 && weights->dims[1] > 0, EMBER_INVALID_MODEL,
                "FULLY_CONNECTED %ld: weights '%.64s' have shape %s, expected [out, in] with in > 0", (long)n,
                weights->name, ember_shape_string(weights, a, sizeof a));
    data->out_dim = weights->dims[0];
    data->in_dim = weights->dims[1];
    in_elements = ember_element_count(input);
    EMBER_CHECK(
        ctx, in_elements % data->in_dim == 0, EMBER_INVALID_MODEL,
        "FULLY_CONNECTED %ld: input '%.64s' shape %s has %ld elements, not a multiple of the weights' "
        "input size %ld",
        (long)n, input->name, ember_shape_string(input, a, sizeof a), (long)in_elements, (long)data->in_dim);
    data->batches = in_elements / data->in_dim;
    EMBER_CHECK(ctx, !bias || ember_element_count(bias) == data->out_dim, EMBER_INVALID_MODEL,
                "FULLY_CONNECTED %ld: bias '%.64s' has %ld elements, weights have %ld outputs", (long)n,
                bias ? bias->name : "", bias ? (long)ember_element_count(bias) : 0L, (long)data->out_dim);
    if (keep_num_dims) {
        /* Output keeps the input's leading dimensions and replaces the last by out. */
        int ok = output->rank == input->rank && input->rank >= 1 &&
                 output->dims[output->rank - 1] == data->out_dim;
        for (d = 0; ok && d + 1 < input->rank; ++d)
            ok = output->dims[d] == input->dims[d];
        ok = ok && input->dims[input->rank - 1] == data->in_dim;
        EMBER_CHECK(
            ctx, ok, EMBER_INVALID_MODEL,
            "FULLY_CONNECTED %ld: keep_num_dims with input %s and %ld outputs, but output shape is %s",
            (long)n, ember_shape_string(input, a, sizeof a), (long)data->out_dim,
            ember_shape_string(output, b, sizeof b));
    } else {
        EMBER_CHECK(
            ctx, output->rank == 2 && output->dims[0] == data->batches && output->dims[1] == data->out_dim,
            EMBER_INVALID_MODEL, "FULLY_CONNECTED %ld: output '%.64s' has shape %s, expected [%ld,%ld]",
            (long)n, output->name, ember_shape_string(output, a, sizeof a), (long)data->batches,
            (long)data->out_dim);
    }
    data->hybrid = input->type == EMBER_FLOAT32 && weights->type == EMBER_INT8;
    if (data->hybrid) {
        int8_t asymmetric;
        int per_channel;
        EMBER_TRY(ember_option_i8(ctx, node, TFL_FC_ASYMMETRIC_QUANTIZE_INPUTS, 0, &asymmetric));
        EMBER_CHECK(ctx, output->type == EMBER_FLOAT32 && (!bias || bias->type == EMBER_FLOAT32),
                    EMBER_INVALID_MODEL,
                    "FULLY_CONNECTED %ld: dynamic range (float32 input, int8 weights) needs a float32 output "
                    "and bias; output '%.64s' is %s",
                    (long)n, output->name, ember_type_name(output->type));
        EMBER_TRY(ember_hybrid_activation_check(ctx, node, activation));
        EMBER_TRY(
            ember_hybrid_weights_check(ctx, node, weights, 0, data->out_dim, &per_channel, &data->w_scale));
        data->asymmetric = asymmetric != 0;
        data->per_channel = per_channel;
        data->activation = activation;
        data->packed = NULL;
        return EMBER_OK;
    }
    /* Per-tensor weights: TFLite multiplies the two float scales in float before widening (its
     * GetQuantizedConvolutionMultipler); per-channel ones in double. */
    EMBER_TRY(ember_conv_quant_prepare(ctx, node, activation, 0, weights->quant_count == 1, data->out_dim,
                                       &data->q));
    /* The single rounding of LiteRT's FULLY_CONNECTED (its shift <= 30: the multiplier check refuses more).
     */
    data->rounding = ember_is_u8(weights) ? EMBER_REQUANT_DOUBLE : EMBER_REQUANT_SINGLE;
    data->packed = gemm_bytes(ctx, node) ? ember_conv_gemm_pack(ctx, node, data->out_dim, data->in_dim,
                                                                &data->q, data->rounding)
                                         : NULL;
    return EMBER_OK;
}

/* One eval split over threads by batch rows, one task a thread at most: every task streams all the packed
 * weights, which dominate a FULLY_CONNECTED's time. A single row (batch 1) runs on the calling thread, since
 * the packed panels are run by rows only. */
typedef struct fc_job {
    const fully_connected_data *d;
    const void *input;
    void *output;
    int is_i8;
    int32_t units, tasks;
} fc_job;

static void fc_task(void *arg, int32_t task, int32_t thread) {
    const fc_job *j = (const fc_job *)arg;
    const fully_connected_data *d = j->d;
    int32_t u0, u1;
    (void)thread;
    ember_task_range(j->units, j->tasks, task, &u0, &u1);
    if (j->is_i8)
        ember_gemm_i8_run(d->packed, (const int8_t *)j->input, (size_t)d->in_dim, (int8_t *)j->output,
                          (size_t)d->out_dim, u0, u1);
    else
        ember_gemm_f32_run(d->packed, (const float *)j->input, (size_t)d->in_dim, (float *)j->output,
                           (size_t)d->out_dim, u0, u1);
}

typedef struct hybrid_job {
    const fully_connected_data *d;
    const int8_t *weights, *q;
    const uint8_t *channel_scales; /* the model's per-channel scales, NULL per tensor */
    const float *sf;
    const int32_t *zp;
    float *out;
    const int32_t *rowsum; /* sparse weights: the sum of each weight row */
    int32_t tasks, sparse;
} hybrid_job;

/* Output units [u0, u1) of every batch row: out += (float)dot * scale, LiteRT's
 * MatrixBatchVectorMultiplyAccumulate (kernels/hybrid.h) on a slice of the weight rows. */
static void hybrid_task(void *arg, int32_t task, int32_t thread) {
    const hybrid_job *j = (const hybrid_job *)arg;
    const fully_connected_data *d = j->d;
    int32_t u0, u1, b, u;
    (void)thread;
    ember_task_range(d->out_dim, j->tasks, task, &u0, &u1);
    for (b = 0; b < d->batches; ++b) {
        const int8_t *qb = j->q + (size_t)b * (size_t)d->in_dim;
        const float batch_scale = j->channel_scales ? j->sf[b] : j->sf[b] * d->w_scale;
        float *out = j->out + (size_t)b * (size_t)d->out_dim;
        for (u = u0; u < u1; ++u) {
            const float scale =
                j->channel_scales ? fb_f32_at(j->channel_scales + 4 * (size_t)u) * batch_scale : batch_scale;
            if (j->sparse) { /* EvalSparseHybridImpl: out -= (sf * zp [* s_w[u]]) * rowsum first, then raw q
                              */
                float zp_scale = batch_scale * (float)j->zp[b];
                if (j->channel_scales)
                    zp_scale *= fb_f32_at(j->channel_scales + 4 * (size_t)u);
                if (d->asymmetric)
                    out[u] -= zp_scale * (float)j->rowsum[u];
                out[u] +=
                    (float)ember_hybrid_dot(j->weights + (size_t)u * (size_t)d->in_dim, qb, d->in_dim, 0) *
                    scale;
                continue;
            }
            out[u] +=
                (float)ember_hybrid_dot(j->weights + (size_t)u * (size_t)d->in_dim, qb, d->in_dim, j->zp[b]) *
                scale;
        }
    }
}

static void eval_hybrid(ember_interpreter *ctx, const ember_node *node) {
    const fully_connected_data *d = (const fully_connected_data *)node->op_data;
    const ember_tensor *weights = ember_node_input(ctx, node, 1);
    const ember_tensor *bias = ember_node_input(ctx, node, 2);
    const float *x = (const float *)ember_node_input(ctx, node, 0)->data;
    float *out = (float *)ember_node_output(ctx, node, 0)->data;
    const size_t count = (size_t)d->batches * (size_t)d->in_dim,
                 outputs = (size_t)d->batches * (size_t)d->out_dim;
    int8_t *q = (int8_t *)ember_thread_scratch(ctx, 0);
    float *sf = (float *)(void *)(q + ember_align_size(count));
    int32_t *zp = (int32_t *)(void *)(sf + d->batches);
    size_t i;
    int32_t b;
    for (b = 0; b < d->batches; ++b)
        for (i = 0; i < (size_t)d->out_dim; ++i)
            out[(size_t)b * (size_t)d->out_dim + i] = bias ? ((const float *)bias->data)[i] : 0.0f;
    for (i = 0; i < count && x[i] == 0.0f; ++i)
        ;
    if (i < count) { /* LiteRT skips the product when the whole input is zero */
        hybrid_job j;
        ember_hybrid_quantize_rows(x, d->in_dim, d->batches, d->in_dim, d->asymmetric, q, sf, zp);
        j.d = d, j.weights = (const int8_t *)weights->data, j.q = q, j.sf = sf, j.zp = zp, j.out = out;
        j.channel_scales = d->per_channel ? ctx->model.data + weights->scales_pos : NULL;
        j.sparse = weights->is_sparse, j.rowsum = zp + d->batches;
        if (j.sparse && d->asymmetric)
            for (i = 0; i < (size_t)d->out_dim; ++i) {
                const int8_t *w = (const int8_t *)weights->data + i * (size_t)d->in_dim;
                int32_t k, sum = 0;
                for (k = 0; k < d->in_dim; ++k)
                    sum += w[k];
                zp[d->batches + (int32_t)i] = sum;
            }
        /* split over output units: every task reads its own weight rows once for all batch rows */
        j.tasks = ember_parallel_tasks(ctx, d->out_dim, (int64_t)d->in_dim * d->batches);
        ember_parallel_run(ctx, j.tasks, hybrid_task, &j);
    }
    ember_hybrid_activate(out, outputs, d->activation);
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const fully_connected_data *d = (const fully_connected_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *weights = ember_node_input(ctx, node, 1);
    const ember_tensor *bias = ember_node_input(ctx, node, 2);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    if (d->hybrid) {
        eval_hybrid(ctx, node);
    } else if (d->packed) {
        fc_job j;
        j.d = d, j.input = input->data, j.output = output->data;
        j.is_i8 = input->type == EMBER_INT8;
        j.units = d->batches;
        j.tasks = ember_parallel_tasks(ctx, d->batches, (int64_t)d->in_dim * d->out_dim);
        j.tasks = j.tasks < ctx->threads ? j.tasks : ctx->threads;
        ember_parallel_run(ctx, j.tasks, fc_task, &j);
    } else if (input->type == EMBER_INT16) {
        ember_fully_connected_ref_i16(
            (const int16_t *)input->data, (const int8_t *)weights->data, bias ? bias->data : NULL,
            !d->q.acc32, (int16_t *)output->data, d->batches, d->in_dim, d->out_dim,
            (const double *)(const void *)ember_channel_params(node), d->q.act_min, d->q.act_max);
    } else if (input->type == EMBER_FLOAT32) {
        ember_fully_connected_ref_f32((const float *)input->data, (const float *)weights->data,
                                      bias ? (const float *)bias->data : NULL, (float *)output->data,
                                      d->batches, d->in_dim, d->out_dim, d->q.act_min_f, d->q.act_max_f);
    } else {
        const int32_t *params = ember_channel_params(node);
        ember_fully_connected_ref_i8((const int8_t *)input->data, (const int8_t *)weights->data,
                                     bias ? (const int32_t *)bias->data : NULL, (int8_t *)output->data,
                                     d->batches, d->in_dim, d->out_dim, d->q.input_offset, d->q.filter_offset,
                                     d->q.output_offset, params, params + d->out_dim, d->q.act_min,
                                     d->q.act_max, d->rounding);
    }
    return EMBER_OK;
}

/* Versions up to 12 (TensorFlow 2.21 writes 12 for a dynamic-range FULLY_CONNECTED with per-channel weights);
 * what they add beyond float32, int8, 16x8 and dynamic range with int8 weights (int4 weights, sparsity, ...)
 * is refused in prepare by type and option checks. */
EMBER_U8_VIA_I8(fully_connected, prepare, eval, scratch_bytes)

const ember_kernel ember_kernel_fully_connected = {
    TFL_OP_FULLY_CONNECTED,
    "FULLY_CONNECTED",
    12,
    TFL_OPTIONS_FULLY_CONNECTED,
    sizeof(fully_connected_data),
    fully_connected_prepare_u8,
    fully_connected_eval_u8,
    op_data_bytes,
    fully_connected_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
