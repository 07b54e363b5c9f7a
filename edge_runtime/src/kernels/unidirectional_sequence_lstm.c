/* UNIDIRECTIONAL_SEQUENCE_LSTM, float32 (LiteRT's lstm_eval.cc EvalFloat). Inputs (TFLite's order): 0 input
 * [batch, time, in] ([time, batch, in] with time_major); 1-4 input-to-{input, forget, cell, output} weights
 * [cell, in]; 5-8 recurrent-to-gate weights [cell, out]; 9-11 peephole weights cell-to-{input, forget,
 * output} [cell]; 12-15 gate biases [cell]; 16 projection weights [out, cell], 17 projection bias [out]; 18
 * output state [batch, out] and 19 cell state [batch, cell], variable tensors the op reads and writes, so the
 * state carries over from one invoke to the next as in LiteRT (zero at allocate); 20-23 layer-norm
 * coefficients [cell] (24-input form). Optional inputs are -1: the input gate's weights, bias and peephole
 * (CIFG: the input gate is 1 - forget gate), the peepholes, the projection, the layer norm.
 *
 * Per step and gate: gate = act(bias + W_in x + W_rec h [+ w_peep .* c]) (with layer norm: act(ln .*
 * normalise(W_in x + W_rec h [+ w_peep .* c]) + bias)), sigmoid for input, forget and output gates, the fused
 * activation for the cell gate; c = f .* c + i .* g (clipped to +-cell_clip when > 0); h = o .* act(c), then
 * h = clip(W_proj h + b_proj) with a projection.
 *
 * Dynamic-range (hybrid: int8 weights with per-tensor scales, float activations; EvalHybrid): each step
 * quantises the input rows and the output state rows (and, with a projection, the hidden rows) per batch row,
 * symmetric or asymmetric by asymmetric_quantize_inputs, multiplies in int32 and scales back in float
 * (kernels/hybrid.h); int8 peepholes are recovered as scale * w.
 *
 * Integer (int8 input: LiteRT's EvalInteger8x8_16): kernels/lstm_integer.c, with the shapes and optional
 * groups checked here; the fused activation is ignored there (the cell gate and the output use tanh), as in
 * LiteRT. */
#include <math.h>
#include <string.h>

#include "kernels/hybrid.h"
#include "kernels/kernels.h"
#include "kernels/lstm_integer.h"
#include "quantization.h"
#include "tflite_schema.h"

enum {
    LSTM_INPUT = 0,
    LSTM_W_IN = 1,   /* input_to_{input, forget, cell, output}: 1 + gate */
    LSTM_W_REC = 5,  /* recurrent_to_*: 5 + gate */
    LSTM_PEEP_I = 9, /* cell_to_input, cell_to_forget, cell_to_output */
    LSTM_BIAS = 12,  /* 12 + gate */
    LSTM_PROJ = 16,
    LSTM_PROJ_BIAS = 17,
    LSTM_H = 18,
    LSTM_C = 19,
    LSTM_NORM = 20 /* 20 + gate */
};
enum { GATE_I = 0, GATE_F = 1, GATE_G = 2, GATE_O = 3 };
/* UnidirectionalSequenceLSTMOptions fields */
enum { OPT_ACTIVATION = 0, OPT_CELL_CLIP = 1, OPT_PROJ_CLIP = 2, OPT_TIME_MAJOR = 3, OPT_ASYMMETRIC = 4 };
#define TFL_ACT_TANH 4
#define TFL_ACT_SIGMOID 6 /* not in the schema's enum; LiteRT's kTfLiteActSigmoid */

typedef struct lstm_data {
    int32_t batch, time, n_input, n_cell, n_output;
    int32_t time_major, activation, cifg, peephole, layer_norm, projection;
    float cell_clip, proj_clip;
    /* dynamic-range (int8 weights, float activations): each weight's scale, by input index */
    int32_t hybrid, asymmetric;
    float scale[24];
    int32_t integer; /* int8 activations: the parameters ember_lstm_integer_prepare computed */
    ember_lstm_q q;
} lstm_data;

static float sigmoid(float x) {
    return 1.0f / (1.0f + expf(-x));
}

static float activate(float x, int32_t activation) {
    switch (activation) {
    case TFL_ACT_RELU:
        return x > 0.0f ? x : 0.0f;
    case TFL_ACT_RELU_N1_TO_1:
        return x < -1.0f ? -1.0f : x > 1.0f ? 1.0f : x;
    case TFL_ACT_RELU6:
        return x < 0.0f ? 0.0f : x > 6.0f ? 6.0f : x;
    case TFL_ACT_TANH:
        return tanhf(x);
    case TFL_ACT_SIGMOID:
        return sigmoid(x);
    default:
        return x;
    }
}

static float clip(float x, float limit) {
    return limit > 0.0f ? (x < -limit ? -limit : x > limit ? limit : x) : x;
}

/* Shape check of an operand that must be [d0] (d1 < 0) or [d0, d1]. */
static ember_status check_operand(ember_interpreter *ctx, const ember_node *node, int32_t i, int32_t d0,
                                  int32_t d1) {
    lstm_data *d = (lstm_data *)node->op_data;
    const ember_tensor *t = ember_node_input(ctx, node, i);
    char shape[64];
    const int32_t rank = d1 < 0 ? 1 : 2;
    /* weights and peepholes (not biases, layer norm, states) are int8 in a dynamic-range model */
    const int weight = i < LSTM_BIAS || i == LSTM_PROJ;
    if (d->integer) {
        /* types and quantisation: ember_lstm_integer_prepare */
    } else if (d->hybrid && weight) {
        int32_t zero_point;
        EMBER_CHECK(
            ctx, t->type == EMBER_INT8, EMBER_INVALID_MODEL,
            "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: input %ld ('%.64s') is %s; in a dynamic-range LSTM every "
            "weight is int8",
            (long)node->index, (long)i, t->name, ember_type_name(t->type));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, t, &d->scale[i], &zero_point));
        EMBER_CHECK(ctx, zero_point == 0, EMBER_INVALID_MODEL,
                    "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: int8 weight '%.64s' has zero point %ld; it must be 0",
                    (long)node->index, t->name, (long)zero_point);
    } else {
        EMBER_CHECK(ctx, t->type == EMBER_FLOAT32, EMBER_UNSUPPORTED,
                    "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: input %ld ('%.64s') is %s, expected float32",
                    (long)node->index, (long)i, t->name, ember_type_name(t->type));
    }
    if (t->rank == rank && t->dims[0] == d0 && (rank == 1 || t->dims[1] == d1))
        return EMBER_OK;
    ember_shape_string(t, shape, sizeof shape);
    if (rank == 1)
        return ember_fail(
            ctx, EMBER_INVALID_MODEL,
            "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: input %ld ('%.64s') has shape %s, expected [%ld]",
            (long)node->index, (long)i, t->name, shape, (long)d0);
    return ember_fail(
        ctx, EMBER_INVALID_MODEL,
        "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: input %ld ('%.64s') has shape %s, expected [%ld, %ld]",
        (long)node->index, (long)i, t->name, shape, (long)d0, (long)d1);
}

/* Whether optional input i is given (not -1). */
static int has(ember_interpreter *ctx, const ember_node *node, int32_t i) {
    return ember_node_input(ctx, node, i) != NULL;
}

/* Refuses a group of optional inputs whose count given (present) differs from what the options imply. */
static ember_status check_group(ember_interpreter *ctx, const ember_node *node, int32_t present, int32_t want,
                                const char *what) {
    EMBER_CHECK(ctx, present == want, EMBER_INVALID_MODEL,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: %s %s (inputs must be all given or all omitted, and the "
                "input gate's only without CIFG)",
                (long)node->index, what, present ? "given where they must be omitted" : "missing");
    return EMBER_OK;
}

static ember_status check_state(ember_interpreter *ctx, const ember_node *node, int32_t i, int32_t d0,
                                int32_t d1) {
    const ember_tensor *t = ember_node_input(ctx, node, i);
    EMBER_CHECK(
        ctx, t != NULL && !t->is_constant, EMBER_INVALID_MODEL,
        "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: the %s state (input %ld) must be a variable tensor, not %s",
        (long)node->index, i == LSTM_H ? "output" : "cell", (long)i, t ? "a constant" : "omitted");
    return check_operand(ctx, node, i, d0, d1);
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    lstm_data *d = (lstm_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, LSTM_INPUT);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const ember_tensor *w_f, *w_rf;
    int8_t activation, time_major, asymmetric;
    int32_t g, i, n_norm;
    char shape[64];

    EMBER_CHECK(ctx, (node->input_count == 20 || node->input_count == 24) && node->output_count == 1,
                EMBER_INVALID_MODEL,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: %ld inputs and %ld outputs; it takes 20 or 24 inputs and "
                "one output",
                (long)node->index, (long)node->input_count, (long)node->output_count);
    for (i = 0; i < node->input_count; ++i) {
        static const uint8_t required[24] = {1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1};
        EMBER_CHECK(ctx, !required[i] || has(ctx, node, i), EMBER_INVALID_MODEL,
                    "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: required input %ld is omitted", (long)node->index,
                    (long)i);
    }
    EMBER_CHECK(ctx, (input->type == EMBER_FLOAT32 || input->type == EMBER_INT8) && input->rank == 3,
                EMBER_UNSUPPORTED,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: input '%.64s' is %s %s; this build runs float32 and int8 "
                "inputs of rank 3",
                (long)node->index, input->name, ember_type_name(input->type),
                ember_shape_string(input, shape, sizeof shape));
    EMBER_TRY(ember_option_i8(ctx, node, OPT_ACTIVATION, TFL_ACT_NONE, &activation));
    EMBER_TRY(ember_option_f32(ctx, node, OPT_CELL_CLIP, 0.0f, &d->cell_clip));
    EMBER_TRY(ember_option_f32(ctx, node, OPT_PROJ_CLIP, 0.0f, &d->proj_clip));
    EMBER_TRY(ember_option_i8(ctx, node, OPT_TIME_MAJOR, 0, &time_major));
    EMBER_TRY(ember_option_i8(ctx, node, OPT_ASYMMETRIC, 0, &asymmetric));
    d->integer = input->type == EMBER_INT8;
    EMBER_CHECK(ctx, d->integer || (activation >= TFL_ACT_NONE && activation <= TFL_ACT_TANH),
                EMBER_UNSUPPORTED,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: fused activation %d is not supported (NONE, RELU, "
                "RELU_N1_TO_1, RELU6, TANH are)",
                (long)node->index, (int)activation);
    EMBER_CHECK(ctx, d->cell_clip >= 0.0f && d->proj_clip >= 0.0f, EMBER_INVALID_MODEL,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: cell_clip %g and proj_clip %g must not be negative",
                (long)node->index, (double)d->cell_clip, (double)d->proj_clip);
    d->activation = activation;
    d->asymmetric = asymmetric != 0;
    d->time_major = time_major != 0;
    d->time = input->dims[d->time_major ? 0 : 1];
    d->batch = input->dims[d->time_major ? 1 : 0];
    d->n_input = input->dims[2];
    w_f = ember_node_input(ctx, node, LSTM_W_IN + GATE_F);
    w_rf = ember_node_input(ctx, node, LSTM_W_REC + GATE_F);
    EMBER_CHECK(ctx, w_f->rank == 2 && w_rf->rank == 2, EMBER_INVALID_MODEL,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: the forget gate's weights must be matrices",
                (long)node->index);
    d->hybrid = w_f->type == EMBER_INT8 && !d->integer;
    d->n_cell = w_f->dims[0];
    d->n_output = w_rf->dims[1];
    d->cifg = !has(ctx, node, LSTM_W_IN + GATE_I);
    d->peephole = has(ctx, node, LSTM_PEEP_I + 2);
    d->projection = has(ctx, node, LSTM_PROJ);
    n_norm = 0;
    for (g = 0; g < 4 && node->input_count == 24; ++g)
        n_norm += has(ctx, node, LSTM_NORM + g);
    d->layer_norm = n_norm > 0;

    EMBER_TRY(check_group(ctx, node, has(ctx, node, LSTM_W_REC + GATE_I) + has(ctx, node, LSTM_BIAS + GATE_I),
                          d->cifg ? 0 : 2, "the input gate's recurrent weights and bias are"));
    EMBER_TRY(check_group(ctx, node, has(ctx, node, LSTM_PEEP_I) + has(ctx, node, LSTM_PEEP_I + 1),
                          d->peephole ? (d->cifg ? 1 : 2) : 0, "peephole weights are"));
    EMBER_TRY(
        check_group(ctx, node, n_norm, d->layer_norm ? (d->cifg ? 3 : 4) : 0, "layer-norm coefficients are"));
    if (d->cifg && d->layer_norm)
        EMBER_TRY(check_group(ctx, node, has(ctx, node, LSTM_NORM + GATE_I), 0, "the input layer norm is"));
    EMBER_CHECK(ctx, d->projection || !has(ctx, node, LSTM_PROJ_BIAS), EMBER_INVALID_MODEL,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: a projection bias without projection weights",
                (long)node->index);
    EMBER_CHECK(ctx, d->projection || d->n_output == d->n_cell, EMBER_INVALID_MODEL,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: without a projection the output size (%ld) must equal the "
                "cell count (%ld)",
                (long)node->index, (long)d->n_output, (long)d->n_cell);
    for (g = d->cifg ? 1 : 0; g < 4; ++g) {
        EMBER_TRY(check_operand(ctx, node, LSTM_W_IN + g, d->n_cell, d->n_input));
        EMBER_TRY(check_operand(ctx, node, LSTM_W_REC + g, d->n_cell, d->n_output));
        EMBER_TRY(check_operand(ctx, node, LSTM_BIAS + g, d->n_cell, -1));
        if (d->layer_norm)
            EMBER_TRY(check_operand(ctx, node, LSTM_NORM + g, d->n_cell, -1));
    }
    for (i = d->cifg ? 1 : 0; i < 3 && d->peephole; ++i)
        EMBER_TRY(check_operand(ctx, node, LSTM_PEEP_I + i, d->n_cell, -1));
    if (d->projection) {
        EMBER_TRY(check_operand(ctx, node, LSTM_PROJ, d->n_output, d->n_cell));
        if (has(ctx, node, LSTM_PROJ_BIAS))
            EMBER_TRY(check_operand(ctx, node, LSTM_PROJ_BIAS, d->n_output, -1));
    }
    EMBER_TRY(check_state(ctx, node, LSTM_H, d->batch, d->n_output));
    EMBER_TRY(check_state(ctx, node, LSTM_C, d->batch, d->n_cell));
    EMBER_CHECK(ctx,
                output->type == input->type && output->rank == 3 && output->dims[0] == input->dims[0] &&
                    output->dims[1] == input->dims[1] && output->dims[2] == d->n_output,
                EMBER_INVALID_MODEL,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: output '%.64s' is %s %s, expected %s [%ld, %ld, %ld]",
                (long)node->index, output->name, ember_type_name(output->type),
                ember_shape_string(output, shape, sizeof shape), ember_type_name(input->type),
                (long)input->dims[0], (long)input->dims[1], (long)d->n_output);
    if (d->integer) {
        d->q.n_cell = d->n_cell;
        d->q.n_input = d->n_input;
        d->q.n_output = d->n_output;
        d->q.cifg = d->cifg;
        d->q.peephole = d->peephole;
        d->q.layer_norm = d->layer_norm;
        d->q.projection = d->projection;
        EMBER_TRY(ember_lstm_integer_prepare(ctx, node, &d->q, d->cell_clip, d->proj_clip));
    }
    return EMBER_OK;
}

/* Scratch: the four gates and the cell output, each [batch, cell] floats (at most one batch row a step when
 * batch-major, but sized for time-major's whole batch). */
static size_t scratch_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input, *w_f;
    if (node->input_count < 20 || node->inputs[LSTM_INPUT] < 0 || node->inputs[LSTM_W_IN + GATE_F] < 0)
        return 0;
    input = &ctx->tensors[node->inputs[LSTM_INPUT]];
    w_f = &ctx->tensors[node->inputs[LSTM_W_IN + GATE_F]];
    if (input->rank != 3 || w_f->rank != 2)
        return 0;
    if (input->type == EMBER_INT8) /* the integer form: the batch rows of one step */
        return ember_lstm_integer_scratch_bytes(
            (uint64_t)(input->dims[0] > input->dims[1] ? input->dims[0] : input->dims[1]),
            (uint64_t)w_f->dims[0]);
    {
        /* the batch is dims[0] or, time-major, dims[1]: the larger suffices for both */
        const uint64_t rows = (uint64_t)(input->dims[0] > input->dims[1] ? input->dims[0] : input->dims[1]);
        const ember_tensor *w_rf =
            node->inputs[LSTM_W_REC + GATE_F] < 0 ? NULL : &ctx->tensors[node->inputs[LSTM_W_REC + GATE_F]];
        const uint64_t n_output = w_rf && w_rf->rank == 2 ? (uint64_t)w_rf->dims[1] : 0;
        const uint64_t cells = (uint64_t)w_f->dims[0], width = (uint64_t)input->dims[2] + n_output + cells;
        if (rows * (cells + width) > ((size_t)-1 >> 6))
            return (size_t)-1;
        /* gates and hidden (5 rows of cells floats), 3 scale factors and zero points, quantised rows (hybrid)
         */
        return (size_t)(rows * (5 * sizeof(float) * cells + 6 * 4 + width) + EMBER_ALIGNMENT);
    }
}

static const float *input_data(ember_interpreter *ctx, const ember_node *node, int32_t i) {
    const ember_tensor *t = ember_node_input(ctx, node, i);
    return t ? (const float *)t->data : NULL;
}

/* rows += W x for rows [n][m_rows] and W [m_rows][m_cols], x [n][x_stride]. */
static void matmul_acc(const float *w, int32_t m_rows, int32_t m_cols, const float *x, int64_t x_stride,
                       int32_t n, float *rows) {
    int32_t b, r, k;
    for (b = 0; b < n; ++b) {
        const float *xb = x + b * x_stride;
        for (r = 0; r < m_rows; ++r) {
            const float *wr = w + (int64_t)r * m_cols;
            float acc = 0.0f;
            for (k = 0; k < m_cols; ++k)
                acc += wr[k] * xb[k];
            rows[(int64_t)b * m_rows + r] += acc;
        }
    }
}

/* LiteRT's MeanStddevNormalization: (x - mean) / sqrt(variance + 1e-8) per row. */
static void normalise(float *v, int32_t n_cell, int32_t n) {
    int32_t b, k;
    for (b = 0; b < n; ++b, v += n_cell) {
        float sum = 0.0f, sum_sq = 0.0f, mean, inv;
        for (k = 0; k < n_cell; ++k)
            sum += v[k];
        mean = sum / (float)n_cell;
        for (k = 0; k < n_cell; ++k)
            sum_sq += (v[k] - mean) * (v[k] - mean);
        inv = 1.0f / sqrtf(sum_sq / (float)n_cell + 1e-8f);
        for (k = 0; k < n_cell; ++k)
            v[k] = (v[k] - mean) * inv;
    }
}

/* gate += w .* c over n rows; int8 peepholes (hybrid) are first recovered as scale * w, as LiteRT does. */
static void peephole_acc(ember_interpreter *ctx, const ember_node *node, const lstm_data *d, int32_t i,
                         const float *c, int32_t n, float *gate) {
    const ember_tensor *t = ember_node_input(ctx, node, i);
    int32_t b, k;
    for (b = 0; b < n; ++b)
        for (k = 0; k < d->n_cell; ++k) {
            const float w =
                d->hybrid ? d->scale[i] * (float)((const int8_t *)t->data)[k] : ((const float *)t->data)[k];
            gate[b * d->n_cell + k] += w * c[b * d->n_cell + k];
        }
}

/* One time step over n batch rows: x rows x_stride apart, h [n][n_output], c [n][n_cell], output rows
 * out_stride apart. */
static void lstm_step(ember_interpreter *ctx, const ember_node *node, const lstm_data *d, const float *x,
                      int64_t x_stride, int32_t n, float *h, float *c, float *out, int64_t out_stride,
                      float *scratch) {
    const int32_t nc = d->n_cell, count = n * nc;
    float *gate[4], *hidden = scratch + 4 * (size_t)count;
    /* hybrid: scale factors and zero points of the quantised input, state and hidden rows, then the rows */
    float *sf = hidden + count;
    int32_t *zp = (int32_t *)(sf + 3 * n);
    int8_t *qx = (int8_t *)(zp + 3 * n), *qh = qx + (size_t)n * (size_t)d->n_input;
    int8_t *qhid = qh + (size_t)n * (size_t)d->n_output;
    int32_t g, b, k;
    for (g = 0; g < 4; ++g)
        gate[g] = scratch + (size_t)g * (size_t)count;
    if (d->hybrid) {
        ember_hybrid_quantize_rows(x, x_stride, n, d->n_input, d->asymmetric, qx, sf, zp);
        ember_hybrid_quantize_rows(h, d->n_output, n, d->n_output, d->asymmetric, qh, sf + n, zp + n);
    }
    for (g = d->cifg ? 1 : 0; g < 4; ++g) {
        const float *bias = input_data(ctx, node, LSTM_BIAS + g);
        for (b = 0; b < n; ++b)
            for (k = 0; k < nc; ++k)
                gate[g][b * nc + k] = d->layer_norm ? 0.0f : bias[k];
        if (d->hybrid) {
            ember_hybrid_matmul_acc((const int8_t *)ember_node_input(ctx, node, LSTM_W_IN + g)->data, nc,
                                    d->n_input, d->scale[LSTM_W_IN + g], NULL, qx, sf, zp, n, gate[g]);
            ember_hybrid_matmul_acc((const int8_t *)ember_node_input(ctx, node, LSTM_W_REC + g)->data, nc,
                                    d->n_output, d->scale[LSTM_W_REC + g], NULL, qh, sf + n, zp + n, n,
                                    gate[g]);
        } else {
            matmul_acc(input_data(ctx, node, LSTM_W_IN + g), nc, d->n_input, x, x_stride, n, gate[g]);
            matmul_acc(input_data(ctx, node, LSTM_W_REC + g), nc, d->n_output, h, d->n_output, n, gate[g]);
        }
        /* the output gate's peephole reads the new cell state: computed after the cell update below */
        if (d->peephole && g != GATE_O && g != GATE_G)
            peephole_acc(ctx, node, d, LSTM_PEEP_I + g, c, n, gate[g]);
    }
    for (g = d->cifg ? 1 : 0; g < 4; ++g) {
        const float *bias = input_data(ctx, node, LSTM_BIAS + g);
        const float *norm = input_data(ctx, node, LSTM_NORM + g);
        if (g == GATE_O)
            continue;
        if (d->layer_norm) {
            normalise(gate[g], nc, n);
            for (b = 0; b < n; ++b)
                for (k = 0; k < nc; ++k)
                    gate[g][b * nc + k] = gate[g][b * nc + k] * norm[k] + bias[k];
        }
        for (k = 0; k < count; ++k)
            gate[g][k] = g == GATE_G ? activate(gate[g][k], d->activation) : sigmoid(gate[g][k]);
    }
    for (k = 0; k < count; ++k) {
        const float in_gate = d->cifg ? 1.0f - gate[GATE_F][k] : gate[GATE_I][k];
        c[k] = clip(gate[GATE_F][k] * c[k] + gate[GATE_G][k] * in_gate, d->cell_clip);
    }
    {
        const float *bias = input_data(ctx, node, LSTM_BIAS + GATE_O);
        const float *norm = input_data(ctx, node, LSTM_NORM + GATE_O);
        float *o = gate[GATE_O];
        if (d->peephole)
            peephole_acc(ctx, node, d, LSTM_PEEP_I + 2, c, n, o);
        if (d->layer_norm) {
            normalise(o, nc, n);
            for (b = 0; b < n; ++b)
                for (k = 0; k < nc; ++k)
                    o[b * nc + k] = o[b * nc + k] * norm[k] + bias[k];
        }
        for (k = 0; k < count; ++k)
            hidden[k] = sigmoid(o[k]) * activate(c[k], d->activation);
    }
    if (d->projection) {
        const float *pb = input_data(ctx, node, LSTM_PROJ_BIAS);
        for (b = 0; b < n; ++b)
            for (k = 0; k < d->n_output; ++k)
                h[b * d->n_output + k] = pb ? pb[k] : 0.0f;
        if (d->hybrid) {
            ember_hybrid_quantize_rows(hidden, nc, n, nc, d->asymmetric, qhid, sf + 2 * n, zp + 2 * n);
            ember_hybrid_matmul_acc((const int8_t *)ember_node_input(ctx, node, LSTM_PROJ)->data, d->n_output,
                                    nc, d->scale[LSTM_PROJ], NULL, qhid, sf + 2 * n, zp + 2 * n, n, h);
        } else {
            matmul_acc(input_data(ctx, node, LSTM_PROJ), d->n_output, nc, hidden, nc, n, h);
        }
        for (k = 0; k < n * d->n_output; ++k)
            h[k] = clip(h[k], d->proj_clip);
    } else {
        memcpy(h, hidden, sizeof(float) * (size_t)count);
    }
    for (b = 0; b < n; ++b)
        memcpy(out + b * out_stride, h + (int64_t)b * d->n_output, sizeof(float) * (size_t)d->n_output);
}

/* The int8 form steps as LiteRT's EvalInteger8x8_16: time-major a whole batch a step, batch-major one row's
 * sequence after another. */
static ember_status eval_integer(ember_interpreter *ctx, const ember_node *node, const lstm_data *d) {
    const int8_t *x = (const int8_t *)ember_node_input(ctx, node, LSTM_INPUT)->data;
    int8_t *h = (int8_t *)ember_node_input(ctx, node, LSTM_H)->data;
    int16_t *c = (int16_t *)ember_node_input(ctx, node, LSTM_C)->data;
    int8_t *out = (int8_t *)ember_node_output(ctx, node, 0)->data;
    void *scratch = ember_thread_scratch(ctx, 0);
    const int64_t in = d->n_input, no = d->n_output;
    int32_t t, b;
    if (d->time_major) {
        for (t = 0; t < d->time; ++t)
            ember_lstm_integer_step(ctx, node, &d->q, x + t * d->batch * in, d->batch, h, c,
                                    out + t * d->batch * no, scratch);
        return EMBER_OK;
    }
    for (b = 0; b < d->batch; ++b)
        for (t = 0; t < d->time; ++t)
            ember_lstm_integer_step(ctx, node, &d->q, x + ((int64_t)b * d->time + t) * in, 1, h + b * no,
                                    c + (int64_t)b * d->n_cell, out + ((int64_t)b * d->time + t) * no,
                                    scratch);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const lstm_data *d = (const lstm_data *)node->op_data;
    const float *x = input_data(ctx, node, LSTM_INPUT);
    if (d->integer)
        return eval_integer(ctx, node, d);
    float *h = (float *)ember_node_input(ctx, node, LSTM_H)->data;
    float *c = (float *)ember_node_input(ctx, node, LSTM_C)->data;
    float *out = (float *)ember_node_output(ctx, node, 0)->data;
    float *scratch = (float *)ember_thread_scratch(ctx, 0);
    const int64_t in = d->n_input, no = d->n_output;
    int32_t t, b;
    if (d->time_major) {
        for (t = 0; t < d->time; ++t)
            lstm_step(ctx, node, d, x + t * d->batch * in, in, d->batch, h, c, out + t * d->batch * no, no,
                      scratch);
        return EMBER_OK;
    }
    /* batch-major: each batch row runs its whole sequence (rows are independent), as LiteRT does */
    for (b = 0; b < d->batch; ++b)
        for (t = 0; t < d->time; ++t)
            lstm_step(ctx, node, d, x + ((int64_t)b * d->time + t) * in, in, 1, h + b * no,
                      c + (int64_t)b * d->n_cell, out + ((int64_t)b * d->time + t) * no, no, scratch);
    return EMBER_OK;
}

const ember_kernel ember_kernel_unidirectional_sequence_lstm = {
    44, /* BuiltinOperator UNIDIRECTIONAL_SEQUENCE_LSTM */
    "UNIDIRECTIONAL_SEQUENCE_LSTM",
    4,
    71, /* BuiltinOptions UnidirectionalSequenceLSTMOptions */
    sizeof(lstm_data),
    prepare,
    eval,
    NULL,
    scratch_bytes,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_I16 | EMBER_T_I32, /* int8 weights (dynamic range); the integer form */
};
