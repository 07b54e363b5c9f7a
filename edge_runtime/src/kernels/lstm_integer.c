/* The integer (8x8_16) UNIDIRECTIONAL_SEQUENCE_LSTM step (LiteRT's LstmStepInteger8x8_16 with the portable
 * tensor_utils it calls), bit for bit. Per step: each gate (input unless CIFG, forget, cell; then, after the
 * cell update, output) is accumulated into int16 with saturation after each of its terms: the input matmul
 * (int32 bias + zero-point correction, requantised to the gate's scale), the recurrent matmul, the int16
 * peephole product (the output gate's reads the new cell state); optionally layer-normalised in integers;
 * then sigmoid (Q3.12 in, Q0.15 out) or, for the cell gate, tanh (always, whatever the fused activation). c =
 * f .* c >> 15 + i .* g >> (30 + cell_scale) (i = 1 - f with CIFG), saturated, clipped; h = o .* tanh(c)
 * requantised to int8 at the hidden scale; with a projection h = clamp(W_proj h + bias). The sigmoid and tanh
 * are gemmlowp's int16 fixed-point ones (fixedpoint.h's logistic and tanh on FixedPoint<int16_t, n>).
 *
 * Two of LiteRT's quirks are reproduced, not fixed: the peephole product runs over n_output values a row, not
 * n_cell (prepare refuses a peephole with a projection wider than the cell, where LiteRT reads past the
 * weights), and the projection's zero-point correction adds hidden_zp * row sum (the hidden values are
 * stored as value - hidden_zp). */
#include "kernels/lstm_integer.h"

#include <math.h>
#include <string.h>

#include "kernels/int16_quant.h"
#include "quantization.h"
#include "tflite_schema.h"

/* ---- gemmlowp's int16 fixed point (FixedPoint<int16_t, I>: raw / 2^(15 - I)) ---- */

/* The int16 of the low 16 bits of x (gemmlowp's int16 Add and Neg wrap). */
static int16_t wrap16(int32_t x) {
    const int32_t v = (int32_t)((uint32_t)x & 0xffffu);
    return (int16_t)(v >= 0x8000 ? v - 0x10000 : v);
}

static int16_t sat16(int32_t x) {
    return (int16_t)(x < -32768 ? -32768 : x > 32767 ? 32767 : x);
}

/* SaturatingRoundingDoublingHighMul on int16: (a * b + nudge) / 2^15 truncated, -1 * -1 saturating. */
static int16_t mul16(int16_t a, int16_t b) {
    const int32_t ab = (int32_t)a * b;
    if (a == b && a == -32768)
        return 32767;
    return wrap16((ab + (ab >= 0 ? (1 << 14) : 1 - (1 << 14))) / (1 << 15));
}

/* RoundingDivideByPOT on int16 (0 <= e <= 15). */
static int16_t rdbpot16(int16_t x, int e) {
    const int32_t mask = (1 << e) - 1, remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return wrap16((x >> e) + (remainder > threshold ? 1 : 0));
}

/* SaturatingRoundingMultiplyByPOT<e> on int16: a saturating left shift for e > 0, rdbpot16 for e < 0. */
static int16_t mul_pot16(int16_t x, int e) {
    if (e > 0) {
        const int32_t threshold = (1 << (15 - e)) - 1;
        return x > threshold ? 32767 : x < -threshold ? -32768 : wrap16((int32_t)x * (1 << e));
    }
    return e < 0 ? rdbpot16(x, -e) : x;
}

/* A gemmlowp int32 constant as its int16 (RescaleConstantInitializer: rounding shift right by 16). */
static int16_t const16(int32_t c) {
    return (int16_t)ember_rdbpot(c, 16);
}

/* exp(a) for a in [-1/4, 0), Q0.15: the Taylor expansion around -1/8. */
static int16_t exp_quarter16(int16_t a) {
    const int16_t constant_term = const16(1895147668), one_third = const16(715827883);
    const int16_t x = wrap16(a + (1 << 12));
    const int16_t x2 = mul16(x, x), x3 = mul16(x2, x), x4 = mul16(x2, x2);
    const int16_t x4_over_4 = mul_pot16(x4, -2);
    const int16_t poly = mul_pot16(wrap16(mul16(wrap16(x4_over_4 + x3), one_third) + x2), -1);
    return sat16(constant_term + mul16(constant_term, wrap16(x + poly)));
}

/* exp(a) for a <= 0 with `bits` integer bits (gemmlowp's exp_on_negative_values), Q0.15. */
static int16_t exp_negative16(int16_t a, int bits) {
    static const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308,
                                           39332535,   720401,     242};
    const int frac = 15 - bits;
    const int16_t quarter = (int16_t)(1 << (frac - 2));
    const int16_t a_mod_quarter = wrap16((a & (quarter - 1)) - quarter);
    const int16_t remainder = wrap16(a_mod_quarter - a);
    int16_t result = exp_quarter16(mul_pot16(a_mod_quarter, bits));
    int k;
    for (k = -2; k <= 4; ++k)
        if (bits > k && (remainder & (1 << (frac + k))))
            result = mul16(result, const16(multipliers[k + 2]));
    if (bits > 5 && a < const16(-(1 << (36 - bits))))
        result = 0;
    return a == 0 ? 32767 : result;
}

/* The Newton-Raphson reciprocal of 1 + a, a in [0, 1) Q0.15, in Q2.13 (three steps from 48/17 - 32/17 d). */
static int16_t reciprocal_q2(int16_t a) {
    const int32_t sum = (int32_t)a + 32767;
    const int16_t half_denominator = wrap16((sum + (sum >= 0 ? 1 : -1)) / 2);
    int16_t x = wrap16(const16(1515870810) + mul16(half_denominator, const16(-1010580540)));
    int i;
    for (i = 0; i < 3; ++i) {
        const int16_t one_minus = wrap16((1 << 13) - mul16(half_denominator, x));
        x = wrap16(x + mul_pot16(mul16(x, one_minus), 2));
    }
    return x;
}

/* gemmlowp::logistic on FixedPoint<int16_t, bits>, result Q0.15. */
static int16_t logistic16(int16_t a, int bits) {
    const int16_t abs_a = a > 0 ? a : wrap16(-(int32_t)a);
    const int16_t positive = mul_pot16(reciprocal_q2(exp_negative16(wrap16(-(int32_t)abs_a), bits)), 1);
    if (a == 0)
        return const16(1 << 30);
    return a > 0 ? positive : wrap16(32767 - positive);
}

/* gemmlowp::tanh on FixedPoint<int16_t, bits>, result Q0.15: (1 - e) / (1 + e), e = exp(-2|a|). */
static int16_t tanh16(int16_t a, int bits) {
    const int16_t n = a < 0 ? a : wrap16(-(int32_t)a);
    const int16_t t = mul_pot16(wrap16(reciprocal_q2(exp_negative16(n, bits + 1)) - (1 << 13)), 2);
    if (a == 0)
        return 0;
    return a < 0 ? wrap16(-(int32_t)t) : t;
}

/* ---- prepare ---- */

enum {
    W_IN = 1,
    W_REC = 5,
    PEEP = 9,
    BIAS = 12,
    PROJ = 16,
    PROJ_BIAS = 17,
    STATE_H = 18,
    STATE_C = 19,
    NORM = 20
};

static ember_status check_type(ember_interpreter *ctx, const ember_node *node, int32_t i, ember_type type) {
    const ember_tensor *t = ember_node_input(ctx, node, i);
    EMBER_CHECK(ctx, t->type == type, EMBER_INVALID_MODEL,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: input %ld ('%.64s') is %s; in an int8 LSTM it must be %s",
                (long)node->index, (long)i, t->name, ember_type_name(t->type), ember_type_name(type));
    return EMBER_OK;
}

/* The scale of an int8 or int16 operand (its zero point is ignored, as LiteRT ignores a weight's). */
static ember_status operand_scale(ember_interpreter *ctx, const ember_node *node, int32_t i, ember_type type,
                                  float *scale) {
    const ember_tensor *t = ember_node_input(ctx, node, i);
    int32_t zero_point;
    EMBER_TRY(check_type(ctx, node, i, type));
    if (type == EMBER_INT8)
        return ember_tensor_quant_i8(ctx, node, t, scale, &zero_point);
    return ember_tensor_quant_i16(ctx, node, t, 0, scale, &zero_point);
}

/* Scale and zero point of intermediate k (LiteRT reads the first of each). */
static ember_status intermediate_quant(ember_interpreter *ctx, const ember_node *node, const fb_vector *mids,
                                       int32_t k, float *scale, int32_t *zero_point) {
    const ember_subgraph *sg = &ctx->subgraphs[node->subgraph];
    const int32_t index = fb_vector_i32(&ctx->model, mids, (uint32_t)k);
    const ember_tensor *t;
    int64_t zp;
    EMBER_CHECK(ctx, index >= 0 && index < sg->tensor_count, EMBER_INVALID_MODEL,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: intermediate %ld is tensor %ld, outside [0, %ld)",
                (long)node->index, (long)k, (long)index, (long)sg->tensor_count);
    t = &ctx->tensors[sg->tensor_base + index];
    EMBER_CHECK(
        ctx, t->quant_count >= 1, EMBER_INVALID_MODEL,
        "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: intermediate %ld ('%.64s') has no quantisation; an int8 LSTM "
        "reads its %s scale there",
        (long)node->index, (long)k, t->name, k == 4 ? "hidden state's" : "layer-normalised gate's");
    *scale = fb_f32_at(ctx->model.data + t->scales_pos);
    zp = fb_i64_at(ctx->model.data + t->zero_points_pos);
    EMBER_CHECK(
        ctx, *scale > 0.0f && *scale <= 3.4e38f && zp >= -32768 && zp <= 32767, EMBER_INVALID_MODEL,
        "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: intermediate %ld ('%.64s') has scale %g and zero point %lld; "
        "the scale must be positive and finite, the zero point an int16",
        (long)node->index, (long)k, t->name, (double)*scale, (long long)zp);
    *zero_point = (int32_t)zp;
    return EMBER_OK;
}

/* The node's Operator.intermediates, read from the file (verified at load: the reads cannot fail). */
static ember_status operator_intermediates(ember_interpreter *ctx, const ember_node *node, fb_vector *mids) {
    fb_reader *r = &ctx->model;
    fb_table model, subgraph, op;
    fb_vector subgraphs, operators;
    EMBER_CHECK(ctx,
                fb_root(r, &model) && fb_get_vector(r, &model, TFL_MODEL_SUBGRAPHS, 4, &subgraphs) &&
                    fb_vector_table(r, &subgraphs, (uint32_t)node->subgraph, &subgraph) &&
                    fb_get_vector(r, &subgraph, TFL_SUBGRAPH_OPERATORS, 4, &operators) &&
                    fb_vector_table(r, &operators, (uint32_t)node->index, &op) &&
                    fb_get_vector(r, &op, TFL_OP_INTERMEDIATES, 4, mids),
                EMBER_INVALID_MODEL, "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: cannot read its intermediates",
                (long)node->index);
    return EMBER_OK;
}

/* A requantisation multiplier the int32 MultiplyByQuantizedMultiplier takes (shift in [-31, 30]). */
static ember_status multiplier(ember_interpreter *ctx, const ember_node *node, double real, const char *what,
                               int32_t *a, int *b) {
    ember_quantize_multiplier(real, a, b);
    EMBER_CHECK(ctx, *b <= 30, EMBER_INVALID_MODEL,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: the %s scale %g is too large (at most 2^30); check the "
                "weight, state and intermediate scales",
                (long)node->index, what, real);
    return EMBER_OK;
}

ember_status ember_lstm_integer_prepare(ember_interpreter *ctx, const ember_node *node, ember_lstm_q *q,
                                        float cell_clip, float proj_clip) {
    static const char *const gate_names[4] = {"input gate", "forget gate", "cell gate", "output gate"};
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *h = ember_node_input(ctx, node, STATE_H), *c = ember_node_input(ctx, node, STATE_C);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    float input_scale, state_scale, cell_state_scale, output_scale, hidden_scale, proj_scale = 1.0f;
    float gate_scale[4];
    int32_t g, zp;
    float log2_scale, rounded;
    fb_vector mids = {0, 0};

    EMBER_TRY(operator_intermediates(ctx, node, &mids));
    EMBER_CHECK(ctx, mids.len == 5, EMBER_INVALID_MODEL,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: an int8 LSTM needs 5 intermediate tensors (the gate and "
                "hidden scales), the operator has %ld; convert it with TensorFlow's full-integer quantiser",
                (long)node->index, (long)mids.len);
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &input_scale, &q->input_zp));
    EMBER_TRY(check_type(ctx, node, STATE_H, EMBER_INT8));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, h, &state_scale, &q->state_zp));
    EMBER_TRY(operand_scale(ctx, node, STATE_C, EMBER_INT16, &cell_state_scale));
    EMBER_CHECK(ctx, output->type == EMBER_INT8, EMBER_INVALID_MODEL,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: output '%.64s' is %s; an int8 LSTM writes int8",
                (long)node->index, output->name, ember_type_name(output->type));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &output_scale, &zp));
    /* LiteRT's CheckedLog2: the cell state's scale must be a power of two */
    log2_scale = logf(cell_state_scale) * (1.0f / logf(2.0f));
    rounded = ember_round_f32(log2_scale);
    q->cell_scale = (int32_t)rounded;
    /* LiteRT's prepare fails this check but ignores its status and runs with zero multipliers (all-zero
     * output); refused here */
    EMBER_CHECK(
        ctx, fabsf(log2_scale - rounded) < 1e-3f, EMBER_INVALID_MODEL,
        "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: cell state '%.64s' has scale %g; an int8 LSTM needs a power "
        "of two",
        (long)node->index, c->name, (double)cell_state_scale);
    /* tanh of the cell state runs with 15 + cell_scale integer bits, which LiteRT implements for 0 to 6 */
    EMBER_CHECK(
        ctx, q->cell_scale >= -15 && q->cell_scale <= -9, EMBER_INVALID_MODEL,
        "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: cell state '%.64s' has scale 2^%ld; an int8 LSTM takes 2^-15 "
        "to 2^-9",
        (long)node->index, c->name, (long)q->cell_scale);

    for (g = 0; g < 4; ++g) {
        int32_t gate_zp;
        gate_scale[g] = 1.0f / 4096.0f; /* Q3.12 for the activations */
        if (q->layer_norm && !(g == 0 && q->cifg))
            EMBER_TRY(intermediate_quant(ctx, node, &mids, g, &gate_scale[g], &gate_zp));
    }
    EMBER_TRY(intermediate_quant(ctx, node, &mids, 4, &hidden_scale, &q->hidden_zp));
    EMBER_CHECK(
        ctx, q->hidden_zp >= -128 && q->hidden_zp <= 127, EMBER_INVALID_MODEL,
        "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: the hidden state's zero point %ld (intermediate 4) is not an "
        "int8",
        (long)node->index, (long)q->hidden_zp);

    for (g = q->cifg ? 1 : 0; g < 4; ++g) {
        float w_in, w_rec;
        EMBER_TRY(operand_scale(ctx, node, W_IN + g, EMBER_INT8, &w_in));
        EMBER_TRY(operand_scale(ctx, node, W_REC + g, EMBER_INT8, &w_rec));
        EMBER_TRY(check_type(ctx, node, BIAS + g, EMBER_INT32));
        /* float arithmetic in LiteRT's order: weight scale * input scale / gate scale */
        EMBER_TRY(multiplier(ctx, node, (double)(w_in * input_scale / gate_scale[g]), gate_names[g],
                             &q->in_a[g], &q->in_b[g]));
        EMBER_TRY(multiplier(ctx, node, (double)(w_rec * state_scale / gate_scale[g]), gate_names[g],
                             &q->rec_a[g], &q->rec_b[g]));
        if (q->peephole && g != 2) {
            float w_peep;
            EMBER_TRY(operand_scale(ctx, node, PEEP + (g == 3 ? 2 : g), EMBER_INT16, &w_peep));
            EMBER_TRY(multiplier(ctx, node,
                                 (double)(float)(ldexp(1.0, (int)q->cell_scale) * w_peep / gate_scale[g]),
                                 gate_names[g], &q->peep_a[g], &q->peep_b[g]));
        }
        if (q->layer_norm) {
            float w_norm;
            EMBER_TRY(operand_scale(ctx, node, NORM + g, EMBER_INT16, &w_norm));
            EMBER_TRY(multiplier(ctx, node, (double)w_norm, gate_names[g], &q->norm_a[g], &q->norm_b[g]));
            EMBER_CHECK(ctx, q->norm_b[g] + 12 <= 30, EMBER_INVALID_MODEL,
                        "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: the %s's layer-norm scale %g is too large",
                        (long)node->index, gate_names[g], (double)w_norm);
            {
                /* max(1, (int32)(10000 * scale)); an out-of-range cast gives INT32_MIN on x86-64, so 1 */
                const float guard = 10000.0f * w_norm;
                q->guard[g] = guard >= 2147483648.0f || guard < 1.0f ? 1 : (int32_t)guard;
            }
        }
    }
    if (q->peephole)
        EMBER_CHECK(
            ctx, q->n_output <= q->n_cell, EMBER_UNSUPPORTED,
            "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: an int8 LSTM with peepholes and a projection wider than "
            "the cell (%ld > %ld) is not supported (LiteRT reads past the peephole weights)",
            (long)node->index, (long)q->n_output, (long)q->n_cell);
    EMBER_TRY(multiplier(ctx, node, (double)(float)(ldexp(1.0, -15) / (double)hidden_scale * ldexp(1.0, -15)),
                         "hidden", &q->hidden_a, &q->hidden_b));
    if (q->projection) {
        EMBER_TRY(operand_scale(ctx, node, PROJ, EMBER_INT8, &proj_scale));
        if (ember_node_input(ctx, node, PROJ_BIAS))
            EMBER_TRY(check_type(ctx, node, PROJ_BIAS, EMBER_INT32));
        EMBER_TRY(multiplier(ctx, node, (double)(proj_scale * hidden_scale / state_scale), "projection",
                             &q->proj_a, &q->proj_b));
    }
    {
        /* the clips quantised as LiteRT does: truncated toward zero after clamping to the type's range */
        const float cq = cell_clip / cell_state_scale, pq = proj_clip / output_scale;
        q->cell_clip = cell_clip > 0.0f ? (int32_t)(cq < -32768.0f  ? -32768.0f
                                                    : cq > 32767.0f ? 32767.0f
                                                                    : cq)
                                        : 0;
        q->proj_clip = proj_clip > 0.0f ? (int32_t)(pq < -128.0f ? -128.0f : pq > 127.0f ? 127.0f : pq) : 0;
    }
    return EMBER_OK;
}

size_t ember_lstm_integer_scratch_bytes(uint64_t rows, uint64_t n_cell) {
    /* four int16 gates, the int16 tanh of the cell state, the int8 hidden state */
    if (rows * n_cell > ((size_t)-1 >> 5))
        return (size_t)-1;
    return (size_t)(rows * n_cell * (5 * sizeof(int16_t) + 1) + 16);
}

/* ---- eval ---- */

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

static int32_t mbqm(int32_t x, int32_t a, int b) {
    return ember_multiply_by_quantized_multiplier(x, a, b);
}

/* gate[b][r] = sat16(gate + requant(bias[r] + zp_corr * rowsum(W[r]) + W[r] . x[b])) (LiteRT's
 * MatrixBatchVectorMultiplyAccumulate with the precomputed effective bias; the int32 sums wrap as LiteRT's).
 */
static void matmul_acc16(const int8_t *w, int32_t rows, int32_t cols, const int32_t *bias, int32_t zp_corr,
                         const int8_t *x, int32_t n, int32_t a, int b, int16_t *gate) {
    int32_t i, r, k;
    for (i = 0; i < n; ++i)
        for (r = 0; r < rows; ++r) {
            const int8_t *wr = w + (int64_t)r * cols;
            const int8_t *xb = x + (int64_t)i * cols;
            uint32_t acc = bias ? (uint32_t)bias[r] : 0u, sum = 0u;
            int16_t *o = &gate[(int64_t)i * rows + r];
            for (k = 0; k < cols; ++k) {
                sum += (uint32_t)(int32_t)wr[k];
                acc += (uint32_t)((int32_t)wr[k] * xb[k]);
            }
            acc += sum * (uint32_t)zp_corr;
            *o = sat16((int32_t)clamp64((int64_t)mbqm(ember_wrap_i32(acc), a, b) + *o, -32768, 32767));
        }
}

/* LiteRT's integer ApplyLayerNorm of one gate (n rows of n_cell). */
static void layer_norm(int16_t *v, const int16_t *weights, const int32_t *bias, int32_t a, int b,
                       int32_t guard, int32_t n_cell, int32_t n) {
    int32_t i, j;
    for (i = 0; i < n; ++i, v += n_cell) {
        int64_t sum = 0, sum_sq = 0, variance;
        int32_t mean, variance2, inv_a;
        int inv_b;
        for (j = 0; j < n_cell; ++j) {
            sum += v[j];
            sum_sq += (int64_t)v[j] * v[j];
        }
        mean = (int32_t)(sum * 1024 / n_cell);
        variance = sum_sq * ((1 << 20) / n_cell) - (int64_t)mean * mean;
        variance2 = (int32_t)(variance / (1 << 20));
        if (variance2 < 1)
            variance2 = guard;
        ember_inv_sqrt_multiplier(variance2, &inv_a, &inv_b);
        for (j = 0; j < n_cell; ++j) {
            const int32_t shifted = ember_wrap_i32((uint32_t)(1024 * (int32_t)v[j]) - (uint32_t)mean);
            const int32_t rescaled = mbqm(shifted, inv_a, inv_b);
            const int64_t val3 =
                ember_wrap_i32((uint32_t)rescaled * (uint32_t)(int32_t)weights[j] + (uint32_t)bias[j]);
            const int32_t val4 = (int32_t)((val3 > 0 ? val3 + 512 : val3 - 512) / 1024);
            v[j] = sat16(mbqm(val4, a, b + 12));
        }
    }
}

/* One gate: matmuls, peephole, layer norm, activation (sigmoid, or tanh for the cell gate). */
static void gate_step(ember_interpreter *ctx, const ember_node *node, const ember_lstm_q *q, int32_t g,
                      const int8_t *x, const int8_t *h, const int16_t *c, int32_t n, int16_t *gate) {
    const int32_t nc = q->n_cell, count = n * nc;
    const int32_t *bias = (const int32_t *)ember_node_input(ctx, node, BIAS + g)->data;
    int32_t k;
    memset(gate, 0, sizeof(int16_t) * (size_t)count);
    matmul_acc16((const int8_t *)ember_node_input(ctx, node, W_IN + g)->data, nc, q->n_input,
                 q->layer_norm ? NULL : bias, -q->input_zp, x, n, q->in_a[g], q->in_b[g], gate);
    matmul_acc16((const int8_t *)ember_node_input(ctx, node, W_REC + g)->data, nc, q->n_output, NULL,
                 -q->state_zp, h, n, q->rec_a[g], q->rec_b[g], gate);
    if (q->peephole && g != 2) {
        /* LiteRT's VectorBatchVectorCwiseProductAccumulate with v_size n_output, over contiguous values */
        const int16_t *w = (const int16_t *)ember_node_input(ctx, node, PEEP + (g == 3 ? 2 : g))->data;
        for (k = 0; k < n * q->n_output; ++k) {
            const int32_t prod = mbqm((int32_t)w[k % q->n_output] * c[k], q->peep_a[g], q->peep_b[g]);
            gate[k] = sat16(prod + gate[k]);
        }
    }
    if (q->layer_norm)
        layer_norm(gate, (const int16_t *)ember_node_input(ctx, node, NORM + g)->data, bias, q->norm_a[g],
                   q->norm_b[g], q->guard[g], nc, n);
    for (k = 0; k < count; ++k)
        gate[k] = g == 2 ? tanh16(gate[k], 3) : logistic16(gate[k], 3);
}

void ember_lstm_integer_step(ember_interpreter *ctx, const ember_node *node, const ember_lstm_q *q,
                             const int8_t *x, int32_t n, int8_t *h, int16_t *c, int8_t *out, void *scratch) {
    const int32_t nc = q->n_cell, count = n * nc;
    /* LiteRT adds the hidden zero point when the hidden state is the output and subtracts it before a
     * projection (whose bias then gets + hidden_zp * row sum): pinned down against LiteRT with non-zero ones
     */
    const int32_t hidden_zp = q->projection ? -q->hidden_zp : q->hidden_zp;
    int16_t *gate[4], *tanh_c;
    int8_t *hidden;
    int32_t g, k, i, r;
    for (g = 0; g < 4; ++g)
        gate[g] = (int16_t *)scratch + (size_t)g * (size_t)count;
    tanh_c = gate[3] + count;
    hidden = (int8_t *)(tanh_c + count);
    for (g = q->cifg ? 1 : 0; g < 3; ++g)
        gate_step(ctx, node, q, g, x, h, c, n, gate[g]);
    /* the cell update: c = f c >> 15 + i g >> (30 + cell_scale), each product rounded, the sum saturated */
    for (k = 0; k < count; ++k) {
        const int32_t fc = ember_rdbpot((int32_t)gate[1][k] * c[k], 15);
        const int16_t in_gate = q->cifg ? wrap16(32767 - gate[1][k]) : gate[0][k];
        const int32_t ig = (int16_t)wrap16(ember_rdbpot((int32_t)in_gate * gate[2][k], 30 + q->cell_scale));
        int32_t v = sat16((int32_t)wrap16(fc) + ig);
        if (q->cell_clip > 0)
            v = v < -q->cell_clip ? -q->cell_clip : v > q->cell_clip ? q->cell_clip : v;
        c[k] = (int16_t)v;
    }
    gate_step(ctx, node, q, 3, x, h, c, n, gate[3]);
    for (k = 0; k < count; ++k) {
        int32_t v;
        tanh_c[k] = tanh16(c[k], 15 + q->cell_scale);
        v = mbqm((int32_t)gate[3][k] * tanh_c[k], q->hidden_a, q->hidden_b);
        hidden[k] = (int8_t)clamp64((int64_t)v + hidden_zp, -128, 127);
    }
    if (q->projection) {
        const int8_t *w = (const int8_t *)ember_node_input(ctx, node, PROJ)->data;
        const ember_tensor *pb = ember_node_input(ctx, node, PROJ_BIAS);
        const int32_t *bias = pb ? (const int32_t *)pb->data : NULL;
        for (i = 0; i < n; ++i)
            for (r = 0; r < q->n_output; ++r) {
                const int8_t *wr = w + (int64_t)r * nc;
                uint32_t acc = bias ? (uint32_t)bias[r] : 0u, sum = 0u;
                int64_t v;
                for (k = 0; k < nc; ++k) {
                    sum += (uint32_t)(int32_t)wr[k];
                    acc += (uint32_t)((int32_t)wr[k] * hidden[(int64_t)i * nc + k]);
                }
                acc += sum * (uint32_t)q->hidden_zp;
                v = (int64_t)mbqm(ember_wrap_i32(acc), q->proj_a, q->proj_b) + q->state_zp;
                v = clamp64(v, -128, 127);
                if (q->proj_clip > 0)
                    v = v < -q->proj_clip ? -q->proj_clip : v > q->proj_clip ? q->proj_clip : v;
                h[(int64_t)i * q->n_output + r] = (int8_t)v;
            }
    } else {
        memcpy(h, hidden, (size_t)count);
    }
    memcpy(out, h, (size_t)(n * q->n_output));
}
