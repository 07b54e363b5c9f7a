/* UNIDIRECTIONAL_SEQUENCE_RNN, float32 (LiteRT's unidirectional_sequence_rnn.cc, RnnBatchStep): inputs 0
 * input [batch, time, in] ([time, batch, in] with time_major), 1 weights [units, in], 2 recurrent weights
 * [units, units], 3 bias [units], 4 hidden state [batch, units], a variable tensor kept between invokes as in
 * LiteRT (zero at allocate). Per step h = act(bias + W x + R h) with the fused activation; the output row is
 * h.
 *
 * Dynamic range (int8 weights with one scale each, float32 activations: LiteRT's EvalHybrid, kernel_utils'
 * hybrid RnnBatchStep): per step out = bias; unless the step's input rows are all zero they are quantised
 * (kernels/hybrid.h; asymmetric with asymmetric_quantize_inputs) and out += (float)dot * (sf * s_w); the same
 * for the hidden state with the recurrent weights; then the activation (LiteRT's ApplyActivationToVector) and
 * h = out. Batch-major runs each batch row's sequence alone, time-major the whole batch a step, as LiteRT
 * (the all-zero test covers the rows of one call). */
#include <math.h>
#include <string.h>

#include "kernels/hybrid.h"
#include "kernels/kernels.h"
#include "tflite_schema.h"

enum { OPT_TIME_MAJOR = 0, OPT_ACTIVATION = 1, OPT_ASYMMETRIC = 2 }; /* SequenceRNNOptions fields */

typedef struct rnn_data {
    int32_t batch, time, n_input, units, time_major, activation;
    int32_t hybrid, asymmetric; /* dynamic range: int8 weights */
    float w_scale, r_scale;
} rnn_data;

/* Whether the node is dynamic range (int8 weights), read defensively for the hooks. */
static int is_hybrid(const ember_interpreter *ctx, const ember_node *node) {
    return node->input_count == 5 && node->inputs[1] >= 0 && ctx->tensors[node->inputs[1]].type == EMBER_INT8;
}

/* Dynamic range: the quantised input rows (input elements) and hidden rows (state elements), then a scale
 * factor and zero point per batch row. */
static size_t scratch_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input, *state;
    if (!is_hybrid(ctx, node) || node->inputs[0] < 0 || node->inputs[4] < 0)
        return 0;
    input = &ctx->tensors[node->inputs[0]];
    state = &ctx->tensors[node->inputs[4]];
    return ember_align_size(input->bytes / sizeof(float)) + ember_align_size(state->bytes / sizeof(float)) +
           ember_align_size(8 * (size_t)(input->rank == 3 ? (input->dims[0] > input->dims[1] ? input->dims[0]
                                                                                             : input->dims[1])
                                                          : 1)) +
           EMBER_ALIGNMENT;
}

static ember_status check_shape(ember_interpreter *ctx, const ember_node *node, const ember_tensor *t,
                                const char *what, int32_t rank, int32_t d0, int32_t d1) {
    rnn_data *d = (rnn_data *)node->op_data;
    char shape[64];
    if (d->hybrid && rank == 2 && (what[0] == 'w' || what[0] == 'r')) {
        int32_t zero_point;
        EMBER_CHECK(
            ctx, t->type == EMBER_INT8 && t->rank == 2, EMBER_INVALID_MODEL,
            "UNIDIRECTIONAL_SEQUENCE_RNN %ld: %s '%.64s' is %s; in a dynamic-range RNN both weights are "
            "int8 matrices",
            (long)node->index, what, t->name, ember_type_name(t->type));
        EMBER_TRY(
            ember_tensor_quant_i8(ctx, node, t, what[0] == 'w' ? &d->w_scale : &d->r_scale, &zero_point));
        EMBER_CHECK(
            ctx, zero_point == 0 && t->is_constant, EMBER_INVALID_MODEL,
            "UNIDIRECTIONAL_SEQUENCE_RNN %ld: int8 %s '%.64s' must be constant with zero point 0 (has %ld)",
            (long)node->index, what, t->name, (long)zero_point);
        EMBER_CHECK(ctx, t->dims[0] == d0 && t->dims[1] == d1, EMBER_INVALID_MODEL,
                    "UNIDIRECTIONAL_SEQUENCE_RNN %ld: %s '%.64s' is %s, expected %ld x %ld",
                    (long)node->index, what, t->name, ember_shape_string(t, shape, sizeof shape), (long)d0,
                    (long)d1);
        return EMBER_OK;
    }
    EMBER_CHECK(
        ctx,
        t->type == EMBER_FLOAT32 && t->rank == rank && t->dims[0] == d0 && (rank == 1 || t->dims[1] == d1),
        t->type == EMBER_FLOAT32 ? EMBER_INVALID_MODEL : EMBER_UNSUPPORTED,
        "UNIDIRECTIONAL_SEQUENCE_RNN %ld: %s '%.64s' is %s %s, expected float32 of %ld x %ld (rank %ld; "
        "dynamic range: both weights int8)",
        (long)node->index, what, t->name, ember_type_name(t->type),
        ember_shape_string(t, shape, sizeof shape), (long)d0, (long)(rank == 1 ? 1 : d1), (long)rank);
    return EMBER_OK;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    rnn_data *d = (rnn_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0), *w, *state, *output;
    int8_t time_major, activation;
    char shape[64];
    EMBER_CHECK(
        ctx, node->input_count == 5 && node->output_count == 1, EMBER_INVALID_MODEL,
        "UNIDIRECTIONAL_SEQUENCE_RNN %ld: %ld inputs and %ld outputs; it takes 5 inputs and one output",
        (long)node->index, (long)node->input_count, (long)node->output_count);
    w = ember_node_input(ctx, node, 1);
    state = ember_node_input(ctx, node, 4);
    output = ember_node_output(ctx, node, 0);
    EMBER_TRY(ember_option_i8(ctx, node, OPT_TIME_MAJOR, 0, &time_major));
    EMBER_TRY(ember_option_i8(ctx, node, OPT_ACTIVATION, TFL_ACT_NONE, &activation));
    EMBER_CHECK(ctx, activation >= TFL_ACT_NONE && activation <= TFL_ACT_TANH, EMBER_UNSUPPORTED,
                "UNIDIRECTIONAL_SEQUENCE_RNN %ld: fused activation %d is not supported", (long)node->index,
                (int)activation);
    EMBER_CHECK(
        ctx, input->type == EMBER_FLOAT32 && input->rank == 3 && w->rank == 2, EMBER_UNSUPPORTED,
        "UNIDIRECTIONAL_SEQUENCE_RNN %ld: input '%.64s' is %s %s; float32 of rank 3 with matrix weights "
        "runs",
        (long)node->index, input->name, ember_type_name(input->type),
        ember_shape_string(input, shape, sizeof shape));
    {
        int8_t asymmetric;
        EMBER_TRY(ember_option_i8(ctx, node, OPT_ASYMMETRIC, 0, &asymmetric));
        d->asymmetric = asymmetric != 0;
    }
    d->hybrid = w->type == EMBER_INT8;
    d->time_major = time_major != 0;
    d->activation = activation;
    d->time = input->dims[d->time_major ? 0 : 1];
    d->batch = input->dims[d->time_major ? 1 : 0];
    d->n_input = input->dims[2];
    d->units = w->dims[0];
    EMBER_TRY(check_shape(ctx, node, w, "weights", 2, d->units, d->n_input));
    EMBER_TRY(
        check_shape(ctx, node, ember_node_input(ctx, node, 2), "recurrent weights", 2, d->units, d->units));
    EMBER_TRY(check_shape(ctx, node, ember_node_input(ctx, node, 3), "bias", 1, d->units, 1));
    EMBER_CHECK(
        ctx, !state->is_constant, EMBER_INVALID_MODEL,
        "UNIDIRECTIONAL_SEQUENCE_RNN %ld: the hidden state '%.64s' must be a variable tensor, not a constant",
        (long)node->index, state->name);
    EMBER_TRY(check_shape(ctx, node, state, "hidden state", 2, d->batch, d->units));
    EMBER_CHECK(ctx,
                output->type == EMBER_FLOAT32 && output->rank == 3 && output->dims[0] == input->dims[0] &&
                    output->dims[1] == input->dims[1] && output->dims[2] == d->units,
                EMBER_INVALID_MODEL,
                "UNIDIRECTIONAL_SEQUENCE_RNN %ld: output '%.64s' is %s, expected [%ld, %ld, %ld]",
                (long)node->index, output->name, ember_shape_string(output, shape, sizeof shape),
                (long)input->dims[0], (long)input->dims[1], (long)d->units);
    return EMBER_OK;
}

/* One step of one batch row: out = act(bias + W x + R h), then h = out. */
static void rnn_step(const rnn_data *d, const float *w, const float *r, const float *bias, const float *x,
                     float *h, float *out) {
    int32_t u, k;
    for (u = 0; u < d->units; ++u) {
        const float *wu = w + (int64_t)u * d->n_input, *ru = r + (int64_t)u * d->units;
        float in = 0.0f, rec = 0.0f;
        for (k = 0; k < d->n_input; ++k)
            in += wu[k] * x[k];
        for (k = 0; k < d->units; ++k)
            rec += ru[k] * h[k];
        out[u] = ember_cell_activate_f32(bias[u] + in + rec, d->activation);
    }
    memcpy(h, out, sizeof(float) * (size_t)d->units);
}

/* One hybrid step over n rows (x rows n_input apart, h and out rows units apart): RnnBatchStep. */
static void rnn_step_hybrid(ember_interpreter *ctx, const ember_node *node, const float *x, int32_t n,
                            float *h, float *out) {
    const rnn_data *d = (const rnn_data *)node->op_data;
    const int8_t *w = (const int8_t *)ember_node_input(ctx, node, 1)->data;
    const int8_t *r = (const int8_t *)ember_node_input(ctx, node, 2)->data;
    const float *bias = (const float *)ember_node_input(ctx, node, 3)->data;
    int8_t *qx = (int8_t *)ember_thread_scratch(ctx, 0);
    int8_t *qh = qx + ember_align_size(ember_node_input(ctx, node, 0)->bytes / sizeof(float));
    float *sf =
        (float *)(void *)(qh + ember_align_size(ember_node_input(ctx, node, 4)->bytes / sizeof(float)));
    int32_t *zp = (int32_t *)(void *)(sf + n);
    const size_t xs = (size_t)n * (size_t)d->n_input, hs = (size_t)n * (size_t)d->units;
    size_t i;
    int32_t b;
    for (b = 0; b < n; ++b)
        memcpy(out + (size_t)b * (size_t)d->units, bias, sizeof(float) * (size_t)d->units);
    for (i = 0; i < xs && x[i] == 0.0f; ++i)
        ;
    if (i < xs) {
        ember_hybrid_quantize_rows(x, d->n_input, n, d->n_input, d->asymmetric, qx, sf, zp);
        ember_hybrid_matmul_acc(w, d->units, d->n_input, d->w_scale, NULL, qx, sf, zp, n, out);
    }
    for (i = 0; i < hs && h[i] == 0.0f; ++i)
        ;
    if (i < hs) {
        ember_hybrid_quantize_rows(h, d->units, n, d->units, d->asymmetric, qh, sf, zp);
        ember_hybrid_matmul_acc(r, d->units, d->units, d->r_scale, NULL, qh, sf, zp, n, out);
    }
    ember_hybrid_activate(out, hs, d->activation);
    memcpy(h, out, sizeof(float) * hs);
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const rnn_data *d = (const rnn_data *)node->op_data;
    const float *x = (const float *)ember_node_input(ctx, node, 0)->data;
    const float *w = (const float *)ember_node_input(ctx, node, 1)->data;
    const float *r = (const float *)ember_node_input(ctx, node, 2)->data;
    const float *bias = (const float *)ember_node_input(ctx, node, 3)->data;
    float *h = (float *)ember_node_input(ctx, node, 4)->data;
    float *out = (float *)ember_node_output(ctx, node, 0)->data;
    int32_t t, b;
    if (d->hybrid) {
        if (d->time_major)
            for (t = 0; t < d->time; ++t)
                rnn_step_hybrid(ctx, node, x + (int64_t)t * d->batch * d->n_input, d->batch, h,
                                out + (int64_t)t * d->batch * d->units);
        else
            for (b = 0; b < d->batch; ++b)
                for (t = 0; t < d->time; ++t)
                    rnn_step_hybrid(ctx, node, x + ((int64_t)b * d->time + t) * d->n_input, 1,
                                    h + (int64_t)b * d->units, out + ((int64_t)b * d->time + t) * d->units);
        return EMBER_OK;
    }
    for (t = 0; t < d->time; ++t)
        for (b = 0; b < d->batch; ++b) {
            const int64_t row = d->time_major ? (int64_t)t * d->batch + b : (int64_t)b * d->time + t;
            rnn_step(d, w, r, bias, x + row * d->n_input, h + (int64_t)b * d->units, out + row * d->units);
        }
    return EMBER_OK;
}

const ember_kernel ember_kernel_unidirectional_sequence_rnn = {
    35, /* BuiltinOperator UNIDIRECTIONAL_SEQUENCE_RNN */
    "UNIDIRECTIONAL_SEQUENCE_RNN",
    3,
    31, /* BuiltinOptions SequenceRNNOptions */
    sizeof(rnn_data),
    prepare,
    eval,
    NULL,
    scratch_bytes,
    EMBER_T_F32 | EMBER_T_I8, /* int8: the weights of a dynamic-range RNN */
};
