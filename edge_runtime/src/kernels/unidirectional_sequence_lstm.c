/* UNIDIRECTIONAL_SEQUENCE_LSTM, float32 (LiteRT's lstm_eval.cc EvalFloat). Inputs (TFLite's order): 0 input
 * [batch, time, in] ([time, batch, in] with time_major); 1-4 input-to-{input, forget, cell, output} weights
 * [cell, in]; 5-8 recurrent-to-gate weights [cell, out]; 9-11 peephole weights cell-to-{input, forget,
 * output} [cell]; 12-15 gate biases [cell]; 16 projection weights [out, cell], 17 projection bias [out]; 18
 * output state [batch, out] and 19 cell state [batch, cell], variable tensors the op reads and writes, so the
 * state carries over from one invoke to the next as in LiteRT (zero at allocate); 20-23 layer-norm
 * coefficients [cell] (24-input form). Optional inputs are -1: the input gate's weights, bias and peephole
 * (CIFG: the input gate is 1 - forget gate), the peepholes, the projection, the layer norm.
 *
 * Float32 and dynamic-range (hybrid: int8 weights, float activations; EvalHybrid): kernels/lstm_float.c, the
 * one-direction LSTM BIDIRECTIONAL_SEQUENCE_LSTM runs too.
 *
 * Integer (int8 input: LiteRT's EvalInteger8x8_16): kernels/lstm_integer.c, with the shapes and optional
 * groups checked here; the fused activation is ignored there (the cell gate and the output use tanh), as in
 * LiteRT. */
#include "kernels/kernels.h"
#include "kernels/lstm_float.h"
#include "kernels/lstm_integer.h"
#include "quantization.h"
#include "tflite_schema.h"

enum {
    LSTM_INPUT = EMBER_LSTM_INPUT,
    LSTM_W_IN = EMBER_LSTM_W_IN,
    LSTM_W_REC = EMBER_LSTM_W_REC,
    LSTM_H = EMBER_LSTM_H,
    LSTM_C = EMBER_LSTM_C
};
enum { GATE_F = EMBER_LSTM_GATE_F };
/* UnidirectionalSequenceLSTMOptions fields */
enum { OPT_ACTIVATION = 0, OPT_CELL_CLIP = 1, OPT_PROJ_CLIP = 2, OPT_TIME_MAJOR = 3, OPT_ASYMMETRIC = 4 };

typedef struct lstm_data {
    ember_lstm_cell cell; /* the float32 / dynamic-range LSTM (lstm_float.h); its sizes serve the int8 form */
    int32_t integer;      /* int8 activations: the parameters ember_lstm_integer_prepare computed */
    ember_lstm_q q;
} lstm_data;

/* Whether optional input i is given (not -1). */
static int has(ember_interpreter *ctx, const ember_node *node, int32_t i) {
    return ember_node_input(ctx, node, i) != NULL;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    lstm_data *ld = (lstm_data *)node->op_data;
    ember_lstm_cell *d = &ld->cell;
    const ember_tensor *input = ember_node_input(ctx, node, LSTM_INPUT);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int8_t activation, time_major, asymmetric;
    int32_t i;
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
    ld->integer = d->integer = input->type == EMBER_INT8;
    EMBER_CHECK(ctx, d->integer || (activation >= TFL_ACT_NONE && activation <= TFL_ACT_TANH),
                EMBER_UNSUPPORTED,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: fused activation %d is not supported (NONE, RELU, "
                "RELU_N1_TO_1, RELU6, TANH are)",
                (long)node->index, (int)activation);
    EMBER_CHECK(ctx, d->cell_clip >= 0.0f && d->proj_clip >= 0.0f, EMBER_INVALID_MODEL,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: cell_clip %g and proj_clip %g must not be negative",
                (long)node->index, (double)d->cell_clip, (double)d->proj_clip);
    d->what = "";
    for (i = 0; i < EMBER_LSTM_OPERANDS; ++i)
        d->in[i] = i < node->input_count ? i : -1;
    d->activation = activation;
    d->asymmetric = asymmetric != 0;
    d->time_major = time_major != 0;
    d->time = input->dims[d->time_major ? 0 : 1];
    d->batch = input->dims[d->time_major ? 1 : 0];
    d->n_input = input->dims[2];
    EMBER_TRY(ember_lstm_cell_prepare(ctx, node, d));
    EMBER_CHECK(ctx,
                output->type == input->type && output->rank == 3 && output->dims[0] == input->dims[0] &&
                    output->dims[1] == input->dims[1] && output->dims[2] == d->n_output,
                EMBER_INVALID_MODEL,
                "UNIDIRECTIONAL_SEQUENCE_LSTM %ld: output '%.64s' is %s %s, expected %s [%ld, %ld, %ld]",
                (long)node->index, output->name, ember_type_name(output->type),
                ember_shape_string(output, shape, sizeof shape), ember_type_name(input->type),
                (long)input->dims[0], (long)input->dims[1], (long)d->n_output);
    if (ld->integer) {
        ld->q.n_cell = d->n_cell;
        ld->q.n_input = d->n_input;
        ld->q.n_output = d->n_output;
        ld->q.cifg = d->cifg;
        ld->q.peephole = d->peephole;
        ld->q.layer_norm = d->layer_norm;
        ld->q.projection = d->projection;
        EMBER_TRY(ember_lstm_integer_prepare(ctx, node, &ld->q, d->cell_clip, d->proj_clip));
    }
    return EMBER_OK;
}

/* Scratch: the four gates and the cell output, each [batch, cell] floats (at most one batch row a step when
 * batch-major, but sized for time-major's whole batch). */
static size_t scratch_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input, *w_f, *w_rf;
    uint64_t rows;
    if (node->input_count < 20 || node->inputs[LSTM_INPUT] < 0 || node->inputs[LSTM_W_IN + GATE_F] < 0)
        return 0;
    input = &ctx->tensors[node->inputs[LSTM_INPUT]];
    w_f = &ctx->tensors[node->inputs[LSTM_W_IN + GATE_F]];
    if (input->rank != 3 || w_f->rank != 2)
        return 0;
    /* the batch is dims[0] or, time-major, dims[1]: the larger suffices for both */
    rows = (uint64_t)(input->dims[0] > input->dims[1] ? input->dims[0] : input->dims[1]);
    if (input->type == EMBER_INT8) /* the integer form: the batch rows of one step */
        return ember_lstm_integer_scratch_bytes(rows, (uint64_t)w_f->dims[0]);
    w_rf = node->inputs[LSTM_W_REC + GATE_F] < 0 ? NULL : &ctx->tensors[node->inputs[LSTM_W_REC + GATE_F]];
    return ember_lstm_cell_scratch_bytes(rows, (uint64_t)input->dims[2],
                                         w_rf && w_rf->rank == 2 ? (uint64_t)w_rf->dims[1] : 0,
                                         (uint64_t)w_f->dims[0]);
}

/* The int8 form steps as LiteRT's EvalInteger8x8_16: time-major a whole batch a step, batch-major one row's
 * sequence after another. */
static ember_status eval_integer(ember_interpreter *ctx, const ember_node *node, const lstm_data *ld) {
    const ember_lstm_cell *d = &ld->cell;
    const int8_t *x = (const int8_t *)ember_node_input(ctx, node, LSTM_INPUT)->data;
    int8_t *h = (int8_t *)ember_node_input(ctx, node, LSTM_H)->data;
    int16_t *c = (int16_t *)ember_node_input(ctx, node, LSTM_C)->data;
    int8_t *out = (int8_t *)ember_node_output(ctx, node, 0)->data;
    void *scratch = ember_thread_scratch(ctx, 0);
    const int64_t in = d->n_input, no = d->n_output;
    int32_t t, b;
    if (d->time_major) {
        for (t = 0; t < d->time; ++t)
            ember_lstm_integer_step(ctx, node, &ld->q, x + t * d->batch * in, d->batch, h, c,
                                    out + t * d->batch * no, scratch);
        return EMBER_OK;
    }
    for (b = 0; b < d->batch; ++b)
        for (t = 0; t < d->time; ++t)
            ember_lstm_integer_step(ctx, node, &ld->q, x + ((int64_t)b * d->time + t) * in, 1, h + b * no,
                                    c + (int64_t)b * d->n_cell, out + ((int64_t)b * d->time + t) * no,
                                    scratch);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const lstm_data *ld = (const lstm_data *)node->op_data;
    if (ld->integer)
        return eval_integer(ctx, node, ld);
    ember_lstm_cell_eval(ctx, node, &ld->cell, (const float *)ember_node_input(ctx, node, LSTM_INPUT)->data,
                         NULL, (float *)ember_node_output(ctx, node, 0)->data, ld->cell.n_output, 1,
                         (float *)ember_thread_scratch(ctx, 0));
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
