/* The float32 and dynamic-range LSTM of one direction (lstm_float.h): LiteRT's lstm_eval.cc EvalFloat and
 * EvalHybrid.
 *
 * Per step and gate: gate = act(bias + W_in x + W_rec h [+ w_peep .* c]) (with layer norm: act(ln .*
 * normalise(W_in x + W_rec h [+ w_peep .* c]) + bias)), sigmoid for input, forget and output gates, the fused
 * activation for the cell gate; c = f .* c + i .* g (clipped to +-cell_clip when > 0); h = o .* act(c), then
 * h = clip(W_proj h + b_proj) with a projection.
 *
 * Dynamic-range (hybrid: int8 weights with per-tensor scales, float activations; EvalHybrid): each step
 * quantises the input rows and the output state rows (and, with a projection, the hidden rows) per batch row,
 * symmetric or asymmetric by asymmetric_quantize_inputs, multiplies in int32 and scales back in float
 * (kernels/hybrid.h); int8 peepholes are recovered as scale * w. */
#include "kernels/lstm_float.h"

#include <math.h>
#include <string.h>

#include "kernels/hybrid.h"
#include "kernels/kernels.h"
#include "quantization.h"
#include "tflite_schema.h"

static float sigmoid(float x) {
    return 1.0f / (1.0f + expf(-x));
}

static float clip(float x, float limit) {
    return limit > 0.0f ? (x < -limit ? -limit : x > limit ? limit : x) : x;
}

const ember_tensor *ember_lstm_operand(ember_interpreter *ctx, const ember_node *node,
                                       const ember_lstm_cell *d, int32_t i) {
    return d->in[i] < 0 ? NULL : ember_node_input(ctx, node, d->in[i]);
}

static int has(ember_interpreter *ctx, const ember_node *node, const ember_lstm_cell *d, int32_t i) {
    return ember_lstm_operand(ctx, node, d, i) != NULL;
}

/* Shape check of an operand that must be [d0] (d1 < 0) or [d0, d1]. */
static ember_status check_operand(ember_interpreter *ctx, const ember_node *node, ember_lstm_cell *d,
                                  int32_t i, int32_t d0, int32_t d1) {
    const ember_tensor *t = ember_lstm_operand(ctx, node, d, i);
    const char *op = node->kernel->name;
    char shape[64];
    const int32_t rank = d1 < 0 ? 1 : 2;
    /* weights and peepholes (not biases, layer norm, states) are int8 in a dynamic-range model */
    const int weight = i < EMBER_LSTM_BIAS || i == EMBER_LSTM_PROJ || i >= EMBER_LSTM_AUX_W;
    if (d->integer) {
        /* types and quantisation: ember_lstm_integer_prepare */
    } else if (d->hybrid && weight) {
        int32_t zero_point;
        EMBER_CHECK(ctx, t->type == EMBER_INT8, EMBER_INVALID_MODEL,
                    "%s %ld: %sinput %ld ('%.64s') is %s; in a dynamic-range LSTM every weight is int8", op,
                    (long)node->index, d->what, (long)d->in[i], t->name, ember_type_name(t->type));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, t, &d->scale[i], &zero_point));
        EMBER_CHECK(ctx, zero_point == 0, EMBER_INVALID_MODEL,
                    "%s %ld: int8 weight '%.64s' has zero point %ld; it must be 0", op, (long)node->index,
                    t->name, (long)zero_point);
    } else {
        EMBER_CHECK(ctx, t->type == EMBER_FLOAT32, EMBER_UNSUPPORTED,
                    "%s %ld: %sinput %ld ('%.64s') is %s, expected float32", op, (long)node->index, d->what,
                    (long)d->in[i], t->name, ember_type_name(t->type));
    }
    if (t->rank == rank && t->dims[0] == d0 && (rank == 1 || t->dims[1] == d1))
        return EMBER_OK;
    ember_shape_string(t, shape, sizeof shape);
    if (rank == 1)
        return ember_fail(ctx, EMBER_INVALID_MODEL,
                          "%s %ld: %sinput %ld ('%.64s') has shape %s, expected [%ld]", op, (long)node->index,
                          d->what, (long)d->in[i], t->name, shape, (long)d0);
    return ember_fail(ctx, EMBER_INVALID_MODEL,
                      "%s %ld: %sinput %ld ('%.64s') has shape %s, expected [%ld, %ld]", op,
                      (long)node->index, d->what, (long)d->in[i], t->name, shape, (long)d0, (long)d1);
}

/* Refuses a group of optional inputs whose count given (present) differs from what the options imply. */
static ember_status check_group(ember_interpreter *ctx, const ember_node *node, const ember_lstm_cell *d,
                                int32_t present, int32_t want, const char *what) {
    EMBER_CHECK(ctx, present == want, EMBER_INVALID_MODEL,
                "%s %ld: %s%s %s (inputs must be all given or all omitted, and the input gate's only without "
                "CIFG)",
                node->kernel->name, (long)node->index, d->what, what,
                present > want ? "given where they must be omitted" : "missing");
    return EMBER_OK;
}

static ember_status check_state(ember_interpreter *ctx, const ember_node *node, ember_lstm_cell *d, int32_t i,
                                int32_t d0, int32_t d1) {
    const ember_tensor *t = ember_lstm_operand(ctx, node, d, i);
    EMBER_CHECK(ctx, t != NULL && !t->is_constant, EMBER_INVALID_MODEL,
                "%s %ld: the %s%s state (input %ld) must be a variable tensor, not %s", node->kernel->name,
                (long)node->index, d->what, i == EMBER_LSTM_H ? "output" : "cell", (long)d->in[i],
                t ? "a constant" : "omitted");
    return check_operand(ctx, node, d, i, d0, d1);
}

ember_status ember_lstm_cell_prepare(ember_interpreter *ctx, const ember_node *node, ember_lstm_cell *d) {
    const char *op = node->kernel->name;
    const ember_tensor *w_f = ember_lstm_operand(ctx, node, d, EMBER_LSTM_W_IN + EMBER_LSTM_GATE_F);
    const ember_tensor *w_rf = ember_lstm_operand(ctx, node, d, EMBER_LSTM_W_REC + EMBER_LSTM_GATE_F);
    int32_t g, i, n_norm = 0;
    EMBER_CHECK(ctx, w_f->rank == 2 && w_rf->rank == 2, EMBER_INVALID_MODEL,
                "%s %ld: the %sforget gate's weights must be matrices", op, (long)node->index, d->what);
    d->hybrid = w_f->type == EMBER_INT8 && !d->integer;
    d->n_cell = w_f->dims[0];
    d->n_output = w_rf->dims[1];
    d->cifg = !has(ctx, node, d, EMBER_LSTM_W_IN + EMBER_LSTM_GATE_I);
    d->peephole = has(ctx, node, d, EMBER_LSTM_PEEP_I + 2);
    d->projection = has(ctx, node, d, EMBER_LSTM_PROJ);
    for (g = 0; g < 4; ++g)
        n_norm += has(ctx, node, d, EMBER_LSTM_NORM + g);
    d->layer_norm = n_norm > 0;
    d->aux = has(ctx, node, d, EMBER_LSTM_AUX_W + EMBER_LSTM_GATE_F);
    d->n_aux = 0;
    if (d->aux) {
        const ember_tensor *a_f = ember_lstm_operand(ctx, node, d, EMBER_LSTM_AUX_W + EMBER_LSTM_GATE_F);
        EMBER_CHECK(ctx, a_f->rank == 2, EMBER_INVALID_MODEL,
                    "%s %ld: the %saux forget weights must be a matrix", op, (long)node->index, d->what);
        d->n_aux = a_f->dims[1];
    }

    EMBER_TRY(check_group(ctx, node, d,
                          has(ctx, node, d, EMBER_LSTM_W_REC + EMBER_LSTM_GATE_I) +
                              has(ctx, node, d, EMBER_LSTM_BIAS + EMBER_LSTM_GATE_I),
                          d->cifg ? 0 : 2, "the input gate's recurrent weights and bias are"));
    EMBER_TRY(check_group(ctx, node, d,
                          has(ctx, node, d, EMBER_LSTM_PEEP_I) + has(ctx, node, d, EMBER_LSTM_PEEP_I + 1),
                          d->peephole ? (d->cifg ? 1 : 2) : 0, "peephole weights are"));
    EMBER_TRY(check_group(ctx, node, d, n_norm, d->layer_norm ? (d->cifg ? 3 : 4) : 0,
                          "layer-norm coefficients are"));
    n_norm = 0; /* now the aux weights given */
    for (g = 0; g < 4; ++g)
        n_norm += has(ctx, node, d, EMBER_LSTM_AUX_W + g);
    EMBER_TRY(check_group(ctx, node, d, n_norm, d->aux ? (d->cifg ? 3 : 4) : 0, "aux input weights are"));
    if (d->cifg && d->aux)
        EMBER_TRY(check_group(ctx, node, d, has(ctx, node, d, EMBER_LSTM_AUX_W + EMBER_LSTM_GATE_I), 0,
                              "the input gate's aux weights are"));
    if (d->cifg && d->layer_norm)
        EMBER_TRY(check_group(ctx, node, d, has(ctx, node, d, EMBER_LSTM_NORM + EMBER_LSTM_GATE_I), 0,
                              "the input layer norm is"));
    EMBER_CHECK(ctx, d->projection || !has(ctx, node, d, EMBER_LSTM_PROJ_BIAS), EMBER_INVALID_MODEL,
                "%s %ld: a %sprojection bias without projection weights", op, (long)node->index, d->what);
    EMBER_CHECK(ctx, d->projection || d->n_output == d->n_cell, EMBER_INVALID_MODEL,
                "%s %ld: without a projection the %soutput size (%ld) must equal the cell count (%ld)", op,
                (long)node->index, d->what, (long)d->n_output, (long)d->n_cell);
    for (g = d->cifg ? 1 : 0; g < 4; ++g) {
        EMBER_TRY(check_operand(ctx, node, d, EMBER_LSTM_W_IN + g, d->n_cell, d->n_input));
        EMBER_TRY(check_operand(ctx, node, d, EMBER_LSTM_W_REC + g, d->n_cell, d->n_output));
        EMBER_TRY(check_operand(ctx, node, d, EMBER_LSTM_BIAS + g, d->n_cell, -1));
        if (d->layer_norm)
            EMBER_TRY(check_operand(ctx, node, d, EMBER_LSTM_NORM + g, d->n_cell, -1));
        if (d->aux)
            EMBER_TRY(check_operand(ctx, node, d, EMBER_LSTM_AUX_W + g, d->n_cell, d->n_aux));
    }
    for (i = d->cifg ? 1 : 0; i < 3 && d->peephole; ++i)
        EMBER_TRY(check_operand(ctx, node, d, EMBER_LSTM_PEEP_I + i, d->n_cell, -1));
    if (d->projection) {
        EMBER_TRY(check_operand(ctx, node, d, EMBER_LSTM_PROJ, d->n_output, d->n_cell));
        if (has(ctx, node, d, EMBER_LSTM_PROJ_BIAS))
            EMBER_TRY(check_operand(ctx, node, d, EMBER_LSTM_PROJ_BIAS, d->n_output, -1));
    }
    EMBER_TRY(check_state(ctx, node, d, EMBER_LSTM_H, d->batch, d->n_output));
    EMBER_TRY(check_state(ctx, node, d, EMBER_LSTM_C, d->batch, d->n_cell));
    return EMBER_OK;
}

size_t ember_lstm_cell_scratch_bytes(uint64_t rows, uint64_t n_input, uint64_t n_output, uint64_t n_cell) {
    const uint64_t width = n_input + n_output + n_cell;
    if (rows * (n_cell + width) > ((size_t)-1 >> 6))
        return (size_t)-1;
    /* gates and hidden (5 rows of cells floats), 4 scale factors and zero points, quantised rows (hybrid) */
    return (size_t)(rows * (5 * sizeof(float) * n_cell + 8 * 4 + width) + EMBER_ALIGNMENT);
}

static const float *operand_data(ember_interpreter *ctx, const ember_node *node, const ember_lstm_cell *d,
                                 int32_t i) {
    const ember_tensor *t = ember_lstm_operand(ctx, node, d, i);
    return t ? (const float *)t->data : NULL;
}

static const int8_t *operand_i8(ember_interpreter *ctx, const ember_node *node, const ember_lstm_cell *d,
                                int32_t i) {
    return (const int8_t *)ember_lstm_operand(ctx, node, d, i)->data;
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
static void peephole_acc(ember_interpreter *ctx, const ember_node *node, const ember_lstm_cell *d, int32_t i,
                         const float *c, int32_t n, float *gate) {
    const ember_tensor *t = ember_lstm_operand(ctx, node, d, i);
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
static void lstm_step(ember_interpreter *ctx, const ember_node *node, const ember_lstm_cell *d,
                      const float *x, int64_t x_stride, const float *aux_x, int32_t n, float *h, float *c,
                      float *out, int64_t out_stride, float *scratch) {
    const int32_t nc = d->n_cell, count = n * nc;
    float *gate[4], *hidden = scratch + 4 * (size_t)count;
    /* hybrid: scale factors and zero points of the quantised input, state, hidden and aux rows, then the rows
     */
    float *sf = hidden + count;
    int32_t *zp = (int32_t *)(sf + 4 * n);
    int8_t *qx = (int8_t *)(zp + 4 * n), *qh = qx + (size_t)n * (size_t)d->n_input;
    int8_t *qhid = qh + (size_t)n * (size_t)d->n_output, *qaux = qhid + (size_t)n * (size_t)nc;
    int32_t g, b, k;
    for (g = 0; g < 4; ++g)
        gate[g] = scratch + (size_t)g * (size_t)count;
    if (d->hybrid) {
        ember_hybrid_quantize_rows(x, x_stride, n, d->n_input, d->asymmetric, qx, sf, zp);
        ember_hybrid_quantize_rows(h, d->n_output, n, d->n_output, d->asymmetric, qh, sf + n, zp + n);
        if (d->aux)
            ember_hybrid_quantize_rows(aux_x, d->n_aux, n, d->n_aux, d->asymmetric, qaux, sf + 3 * n,
                                       zp + 3 * n);
    }
    for (g = d->cifg ? 1 : 0; g < 4; ++g) {
        const float *bias = operand_data(ctx, node, d, EMBER_LSTM_BIAS + g);
        for (b = 0; b < n; ++b)
            for (k = 0; k < nc; ++k)
                gate[g][b * nc + k] = d->layer_norm ? 0.0f : bias[k];
        if (d->hybrid) {
            ember_hybrid_matmul_acc(operand_i8(ctx, node, d, EMBER_LSTM_W_IN + g), nc, d->n_input,
                                    d->scale[EMBER_LSTM_W_IN + g], NULL, qx, sf, zp, n, gate[g]);
            if (d->aux)
                ember_hybrid_matmul_acc(operand_i8(ctx, node, d, EMBER_LSTM_AUX_W + g), nc, d->n_aux,
                                        d->scale[EMBER_LSTM_AUX_W + g], NULL, qaux, sf + 3 * n, zp + 3 * n, n,
                                        gate[g]);
            ember_hybrid_matmul_acc(operand_i8(ctx, node, d, EMBER_LSTM_W_REC + g), nc, d->n_output,
                                    d->scale[EMBER_LSTM_W_REC + g], NULL, qh, sf + n, zp + n, n, gate[g]);
        } else {
            matmul_acc(operand_data(ctx, node, d, EMBER_LSTM_W_IN + g), nc, d->n_input, x, x_stride, n,
                       gate[g]);
            if (d->aux) /* LiteRT's order: input, aux input, then recurrent */
                matmul_acc(operand_data(ctx, node, d, EMBER_LSTM_AUX_W + g), nc, d->n_aux, aux_x, d->n_aux, n,
                           gate[g]);
            matmul_acc(operand_data(ctx, node, d, EMBER_LSTM_W_REC + g), nc, d->n_output, h, d->n_output, n,
                       gate[g]);
        }
        /* the output gate's peephole reads the new cell state: computed after the cell update below */
        if (d->peephole && g != EMBER_LSTM_GATE_O && g != EMBER_LSTM_GATE_G)
            peephole_acc(ctx, node, d, EMBER_LSTM_PEEP_I + g, c, n, gate[g]);
    }
    for (g = d->cifg ? 1 : 0; g < 4; ++g) {
        const float *bias = operand_data(ctx, node, d, EMBER_LSTM_BIAS + g);
        const float *norm = operand_data(ctx, node, d, EMBER_LSTM_NORM + g);
        if (g == EMBER_LSTM_GATE_O)
            continue;
        if (d->layer_norm) {
            normalise(gate[g], nc, n);
            for (b = 0; b < n; ++b)
                for (k = 0; k < nc; ++k)
                    gate[g][b * nc + k] = gate[g][b * nc + k] * norm[k] + bias[k];
        }
        for (k = 0; k < count; ++k)
            gate[g][k] = g == EMBER_LSTM_GATE_G ? ember_cell_activate_f32(gate[g][k], d->activation)
                                                : sigmoid(gate[g][k]);
    }
    for (k = 0; k < count; ++k) {
        const float in_gate = d->cifg ? 1.0f - gate[EMBER_LSTM_GATE_F][k] : gate[EMBER_LSTM_GATE_I][k];
        c[k] = clip(gate[EMBER_LSTM_GATE_F][k] * c[k] + gate[EMBER_LSTM_GATE_G][k] * in_gate, d->cell_clip);
    }
    {
        const float *bias = operand_data(ctx, node, d, EMBER_LSTM_BIAS + EMBER_LSTM_GATE_O);
        const float *norm = operand_data(ctx, node, d, EMBER_LSTM_NORM + EMBER_LSTM_GATE_O);
        float *o = gate[EMBER_LSTM_GATE_O];
        if (d->peephole)
            peephole_acc(ctx, node, d, EMBER_LSTM_PEEP_I + 2, c, n, o);
        if (d->layer_norm) {
            normalise(o, nc, n);
            for (b = 0; b < n; ++b)
                for (k = 0; k < nc; ++k)
                    o[b * nc + k] = o[b * nc + k] * norm[k] + bias[k];
        }
        /* LiteRT's ApplyActivationToVector leaves its result untouched for NONE, so act(c) is then the
         * buffer's old contents: the cell gate's values */
        for (k = 0; k < count; ++k)
            hidden[k] = sigmoid(o[k]) * (d->activation == TFL_ACT_NONE
                                             ? gate[EMBER_LSTM_GATE_G][k]
                                             : ember_cell_activate_f32(c[k], d->activation));
    }
    if (d->projection) {
        const float *pb = operand_data(ctx, node, d, EMBER_LSTM_PROJ_BIAS);
        for (b = 0; b < n; ++b)
            for (k = 0; k < d->n_output; ++k)
                h[b * d->n_output + k] = pb ? pb[k] : 0.0f;
        if (d->hybrid) {
            ember_hybrid_quantize_rows(hidden, nc, n, nc, d->asymmetric, qhid, sf + 2 * n, zp + 2 * n);
            ember_hybrid_matmul_acc(operand_i8(ctx, node, d, EMBER_LSTM_PROJ), d->n_output, nc,
                                    d->scale[EMBER_LSTM_PROJ], NULL, qhid, sf + 2 * n, zp + 2 * n, n, h);
        } else {
            matmul_acc(operand_data(ctx, node, d, EMBER_LSTM_PROJ), d->n_output, nc, hidden, nc, n, h);
        }
        for (k = 0; k < n * d->n_output; ++k)
            h[k] = clip(h[k], d->proj_clip);
    } else {
        memcpy(h, hidden, sizeof(float) * (size_t)count);
    }
    for (b = 0; b < n; ++b)
        memcpy(out + b * out_stride, h + (int64_t)b * d->n_output, sizeof(float) * (size_t)d->n_output);
}

void ember_lstm_cell_eval(ember_interpreter *ctx, const ember_node *node, const ember_lstm_cell *d,
                          const float *x, const float *aux_x, float *out, int64_t leading, int forward,
                          float *scratch) {
    float *h = (float *)ember_lstm_operand(ctx, node, d, EMBER_LSTM_H)->data;
    float *c = (float *)ember_lstm_operand(ctx, node, d, EMBER_LSTM_C)->data;
    const int64_t in = d->n_input, no = d->n_output, na = d->n_aux;
    int32_t t, b;
    if (d->time_major) {
        for (t = 0; t < d->time; ++t) {
            const int64_t s = forward ? t : d->time - 1 - t;
            lstm_step(ctx, node, d, x + s * d->batch * in, in, aux_x ? aux_x + s * d->batch * na : NULL,
                      d->batch, h, c, out + s * d->batch * leading, leading, scratch);
        }
        return;
    }
    /* batch-major: each batch row runs its whole sequence (rows are independent), as LiteRT does */
    for (b = 0; b < d->batch; ++b)
        for (t = 0; t < d->time; ++t) {
            const int64_t s = (int64_t)b * d->time + (forward ? t : d->time - 1 - t);
            lstm_step(ctx, node, d, x + s * in, in, aux_x ? aux_x + s * na : NULL, 1, h + b * no,
                      c + (int64_t)b * d->n_cell, out + s * leading, leading, scratch);
        }
}
