/* BIDIRECTIONAL_SEQUENCE_LSTM, float32 and dynamic-range (int8 weights, float activations): LiteRT's
 * bidirectional_sequence_lstm.cc, two one-direction LSTMs (kernels/lstm_float.c, the arithmetic of
 * UNIDIRECTIONAL_SEQUENCE_LSTM) over the same input, the forward one from the first step to the last, the
 * backward one from the last to the first, each with its own weights and states.
 *
 * Inputs (48, TFLite's order): 0 input [batch, time, in] ([time, batch, in] with time_major, the option's
 * default); 1-17 the forward cell's operands in UNIDIRECTIONAL_SEQUENCE_LSTM's order 1-17 (gate weights,
 * recurrent weights, peepholes, biases, projection and its bias); 18-34 the backward cell's; 35, 36 the
 * forward output and cell states, 37, 38 the backward ones (variable tensors: they carry over from one invoke
 * to the next, zero at allocate); 39 aux input: given without its weights 40-47, the backward cell reads it
 * in place of the input (LiteRT's non-stacking mode); with them (40-43 forward, 44-47 backward, [cell, aux
 * width], the cross-linked stacked form) both cells read the input and add W_aux aux to each gate (int8 aux
 * weights in a dynamic-range model: the aux rows quantised like the input's). No layer norm. Optional inputs
 * are -1 as in UNIDIRECTIONAL_SEQUENCE_LSTM (CIFG, peepholes, projection, per direction).
 *
 * Outputs: merge_outputs: one, [.., fw_out + bw_out], each step's forward row then its backward row; else
 * two, the forward and the backward outputs. merge_outputs with a batch-major input of batch > 1 is refused:
 * LiteRT's kernel steps the output state by the merged width there, outside the state tensor. As LiteRT, both
 * directions must have the same cell and output sizes, and the same weight type. The int8 (integer) form is
 * not in LiteRT either. */
#include "kernels/kernels.h"
#include "kernels/lstm_float.h"
#include "tflite_schema.h"

enum { BI_INPUT = 0, BI_BW = 17, BI_FW_H = 35, BI_FW_C = 36, BI_BW_H = 37, BI_BW_C = 38, BI_AUX = 39 };
enum { BI_FW_AUX_W = 40, BI_BW_AUX_W = 44, BI_INPUTS = 48 };
/* BidirectionalSequenceLSTMOptions fields */
enum {
    OPT_ACTIVATION = 0,
    OPT_CELL_CLIP = 1,
    OPT_PROJ_CLIP = 2,
    OPT_MERGE = 3,
    OPT_TIME_MAJOR = 4,
    OPT_ASYMMETRIC = 5
};

typedef struct bilstm_data {
    ember_lstm_cell cell[2]; /* forward, backward */
    int32_t merge;
    int32_t bw_aux;  /* the backward cell reads the aux input (given without aux weights) */
    int32_t stacked; /* aux weights given: both cells add W_aux aux to their gates */
} bilstm_data;

/* The node's input index of operand i (UNIDIRECTIONAL_SEQUENCE_LSTM's order) of direction dir. */
static int32_t operand_index(int32_t dir, int32_t i) {
    if (i == EMBER_LSTM_INPUT)
        return BI_INPUT;
    if (i == EMBER_LSTM_H)
        return dir ? BI_BW_H : BI_FW_H;
    if (i == EMBER_LSTM_C)
        return dir ? BI_BW_C : BI_FW_C;
    if (i >= EMBER_LSTM_AUX_W)
        return (dir ? BI_BW_AUX_W : BI_FW_AUX_W) + i - EMBER_LSTM_AUX_W;
    if (i >= EMBER_LSTM_NORM)
        return -1;
    return dir ? BI_BW + i : i;
}

static ember_status check_output(ember_interpreter *ctx, const ember_node *node, int32_t k,
                                 const ember_tensor *input, int32_t width) {
    const ember_tensor *out = ember_node_output(ctx, node, k);
    char shape[64];
    EMBER_CHECK(
        ctx,
        out->type == EMBER_FLOAT32 && out->rank == 3 && out->dims[0] == input->dims[0] &&
            out->dims[1] == input->dims[1] && out->dims[2] == width,
        EMBER_INVALID_MODEL,
        "BIDIRECTIONAL_SEQUENCE_LSTM %ld: output %ld '%.64s' is %s %s, expected float32 [%ld, %ld, %ld]",
        (long)node->index, (long)k, out->name, ember_type_name(out->type),
        ember_shape_string(out, shape, sizeof shape), (long)input->dims[0], (long)input->dims[1],
        (long)width);
    return EMBER_OK;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    bilstm_data *bd = (bilstm_data *)node->op_data;
    const ember_tensor *input, *aux;
    int8_t activation, time_major, asymmetric, merge;
    float cell_clip, proj_clip;
    int32_t dir, i;
    char shape[64];

    EMBER_TRY(ember_option_i8(ctx, node, OPT_MERGE, 0, &merge));
    bd->merge = merge != 0;
    EMBER_CHECK(ctx, node->input_count == BI_INPUTS && node->output_count == (bd->merge ? 1 : 2),
                EMBER_INVALID_MODEL,
                "BIDIRECTIONAL_SEQUENCE_LSTM %ld: %ld inputs and %ld outputs; it takes 48 inputs and %s",
                (long)node->index, (long)node->input_count, (long)node->output_count,
                bd->merge ? "one output (merge_outputs)" : "two outputs (forward, backward)");
    for (i = 0; i < BI_AUX; ++i) {
        /* input; per direction the forget, cell and output gates' weights and biases; the states */
        static const uint8_t required[18] = {1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0};
        const int need = i >= BI_FW_H || required[i > BI_BW ? i - BI_BW : i];
        EMBER_CHECK(ctx, !need || ember_node_input(ctx, node, i) != NULL, EMBER_INVALID_MODEL,
                    "BIDIRECTIONAL_SEQUENCE_LSTM %ld: required input %ld is omitted", (long)node->index,
                    (long)i);
    }
    input = ember_node_input(ctx, node, BI_INPUT);
    EMBER_CHECK(ctx, input->type == EMBER_FLOAT32 && input->rank == 3, EMBER_UNSUPPORTED,
                "BIDIRECTIONAL_SEQUENCE_LSTM %ld: input '%.64s' is %s %s; it runs float32 inputs of rank 3 "
                "(with float32 or, dynamic range, int8 weights)",
                (long)node->index, input->name, ember_type_name(input->type),
                ember_shape_string(input, shape, sizeof shape));
    /* an aux input without aux weights: the backward cell reads it in place of the input (LiteRT's
     * non-stacking mode, a bidirectional LSTM after another one without cross links); with aux weights both
     * cells read the input and add W_aux aux (the cross-linked stacked form) */
    aux = ember_node_input(ctx, node, BI_AUX);
    bd->stacked = ember_node_input(ctx, node, BI_FW_AUX_W + EMBER_LSTM_GATE_F) != NULL;
    bd->bw_aux = aux != NULL && !bd->stacked;
    EMBER_CHECK(
        ctx, !bd->stacked || aux != NULL, EMBER_INVALID_MODEL,
        "BIDIRECTIONAL_SEQUENCE_LSTM %ld: aux input weights are given but the aux input (input 39) is "
        "omitted",
        (long)node->index);
    EMBER_CHECK(ctx,
                !aux || (aux->type == EMBER_FLOAT32 && aux->rank == 3 && aux->dims[0] == input->dims[0] &&
                         aux->dims[1] == input->dims[1] && (bd->stacked || aux->dims[2] == input->dims[2])),
                EMBER_INVALID_MODEL,
                "BIDIRECTIONAL_SEQUENCE_LSTM %ld: aux input '%.64s' (the backward cell's input) is %s %s; it "
                "must be float32 of the input's shape",
                (long)node->index, aux ? aux->name : "", aux ? ember_type_name(aux->type) : "",
                aux ? ember_shape_string(aux, shape, sizeof shape) : "");
    EMBER_TRY(ember_option_i8(ctx, node, OPT_ACTIVATION, TFL_ACT_NONE, &activation));
    EMBER_TRY(ember_option_f32(ctx, node, OPT_CELL_CLIP, 0.0f, &cell_clip));
    EMBER_TRY(ember_option_f32(ctx, node, OPT_PROJ_CLIP, 0.0f, &proj_clip));
    EMBER_TRY(ember_option_i8(ctx, node, OPT_TIME_MAJOR, 1, &time_major));
    EMBER_TRY(ember_option_i8(ctx, node, OPT_ASYMMETRIC, 0, &asymmetric));
    EMBER_CHECK(ctx, activation >= TFL_ACT_NONE && activation <= TFL_ACT_TANH, EMBER_UNSUPPORTED,
                "BIDIRECTIONAL_SEQUENCE_LSTM %ld: fused activation %d is not supported (NONE, RELU, "
                "RELU_N1_TO_1, RELU6, TANH are)",
                (long)node->index, (int)activation);
    EMBER_CHECK(ctx, cell_clip >= 0.0f && proj_clip >= 0.0f, EMBER_INVALID_MODEL,
                "BIDIRECTIONAL_SEQUENCE_LSTM %ld: cell_clip %g and proj_clip %g must not be negative",
                (long)node->index, (double)cell_clip, (double)proj_clip);
    for (dir = 0; dir < 2; ++dir) {
        ember_lstm_cell *d = &bd->cell[dir];
        for (i = 0; i < EMBER_LSTM_OPERANDS; ++i)
            d->in[i] = operand_index(dir, i);
        d->what = dir ? "backward " : "forward ";
        d->integer = 0;
        d->activation = activation;
        d->cell_clip = cell_clip;
        d->proj_clip = proj_clip;
        d->asymmetric = asymmetric != 0;
        d->time_major = time_major != 0;
        d->time = input->dims[d->time_major ? 0 : 1];
        d->batch = input->dims[d->time_major ? 1 : 0];
        d->n_input = input->dims[2];
        EMBER_TRY(ember_lstm_cell_prepare(ctx, node, d));
    }
    EMBER_CHECK(
        ctx,
        bd->cell[0].n_cell == bd->cell[1].n_cell && bd->cell[0].n_output == bd->cell[1].n_output &&
            bd->cell[0].hybrid == bd->cell[1].hybrid,
        EMBER_INVALID_MODEL,
        "BIDIRECTIONAL_SEQUENCE_LSTM %ld: the forward cell (%ld cells, %ld outputs, %s weights) and the "
        "backward one (%ld, %ld, %s) must have the same sizes and weight type, as LiteRT requires",
        (long)node->index, (long)bd->cell[0].n_cell, (long)bd->cell[0].n_output,
        bd->cell[0].hybrid ? "int8" : "float32", (long)bd->cell[1].n_cell, (long)bd->cell[1].n_output,
        bd->cell[1].hybrid ? "int8" : "float32");
    EMBER_CHECK(
        ctx,
        bd->cell[0].aux == bd->cell[1].aux &&
            (!bd->stacked || (bd->cell[0].n_aux == aux->dims[2] && bd->cell[1].n_aux == aux->dims[2])),
        EMBER_INVALID_MODEL,
        "BIDIRECTIONAL_SEQUENCE_LSTM %ld: the aux input weights must be given for both cells or neither, "
        "each [cells, %ld] for the aux input's width",
        (long)node->index, aux ? (long)aux->dims[2] : 0L);
    /* LiteRT's EvalFloat and EvalHybrid, batch-major, offset batch row b's output state by b times the output
     * tensor's last dimension: with merge_outputs that is fw_out + bw_out, past the end of the [batch, out]
     * state for every b >= 1, so what LiteRT computes there reads and writes outside the tensor. */
    EMBER_CHECK(
        ctx, !bd->merge || bd->cell[0].time_major || bd->cell[0].batch <= 1, EMBER_UNSUPPORTED,
        "BIDIRECTIONAL_SEQUENCE_LSTM %ld: merge_outputs with a batch-major input of batch %ld is not run: "
        "LiteRT's kernel then reads batch row b's output state past the end of the state tensor (it "
        "steps it by the merged width), so its result is undefined; use time_major, batch 1 or two "
        "outputs",
        (long)node->index, (long)bd->cell[0].batch);
    if (bd->merge)
        return check_output(ctx, node, 0, input, bd->cell[0].n_output + bd->cell[1].n_output);
    EMBER_TRY(check_output(ctx, node, 0, input, bd->cell[0].n_output));
    return check_output(ctx, node, 1, input, bd->cell[1].n_output);
}

/* One direction's scratch at a time (they run one after the other): the larger of the two. */
static size_t scratch_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input;
    size_t most = 0;
    uint64_t aux_width = 0;
    int32_t dir;
    if (node->input_count != BI_INPUTS || node->inputs[BI_INPUT] < 0)
        return 0;
    input = &ctx->tensors[node->inputs[BI_INPUT]];
    if (input->rank != 3)
        return 0;
    if (node->inputs[BI_AUX] >= 0 && ctx->tensors[node->inputs[BI_AUX]].rank == 3)
        aux_width = (uint64_t)ctx->tensors[node->inputs[BI_AUX]].dims[2]; /* the hybrid aux rows */
    for (dir = 0; dir < 2; ++dir) {
        const int32_t f = node->inputs[operand_index(dir, EMBER_LSTM_W_IN + EMBER_LSTM_GATE_F)];
        const int32_t rf = node->inputs[operand_index(dir, EMBER_LSTM_W_REC + EMBER_LSTM_GATE_F)];
        const ember_tensor *w_f = f < 0 ? NULL : &ctx->tensors[f], *w_rf = rf < 0 ? NULL : &ctx->tensors[rf];
        size_t bytes;
        if (!w_f || w_f->rank != 2)
            continue;
        /* the batch is dims[0] or, time-major, dims[1]: the larger suffices for both */
        bytes = ember_lstm_cell_scratch_bytes(
            (uint64_t)(input->dims[0] > input->dims[1] ? input->dims[0] : input->dims[1]),
            (uint64_t)input->dims[2] + aux_width, w_rf && w_rf->rank == 2 ? (uint64_t)w_rf->dims[1] : 0,
            (uint64_t)w_f->dims[0]);
        most = bytes > most ? bytes : most;
    }
    return most;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const bilstm_data *bd = (const bilstm_data *)node->op_data;
    const float *x = (const float *)ember_node_input(ctx, node, BI_INPUT)->data;
    const float *aux =
        bd->bw_aux || bd->stacked ? (const float *)ember_node_input(ctx, node, BI_AUX)->data : NULL;
    const float *bw_x = bd->bw_aux ? aux : x, *aux_x = bd->stacked ? aux : NULL;
    float *fw_out = (float *)ember_node_output(ctx, node, 0)->data;
    float *scratch = (float *)ember_thread_scratch(ctx, 0);
    const int64_t fw_n = bd->cell[0].n_output, bw_n = bd->cell[1].n_output;
    ember_lstm_cell_eval(ctx, node, &bd->cell[0], x, aux_x, fw_out, bd->merge ? fw_n + bw_n : fw_n, 1,
                         scratch);
    if (bd->merge)
        ember_lstm_cell_eval(ctx, node, &bd->cell[1], bw_x, aux_x, fw_out + fw_n, fw_n + bw_n, 0, scratch);
    else
        ember_lstm_cell_eval(ctx, node, &bd->cell[1], bw_x, aux_x,
                             (float *)ember_node_output(ctx, node, 1)->data, bw_n, 0, scratch);
    return EMBER_OK;
}

const ember_kernel ember_kernel_bidirectional_sequence_lstm = {
    52, /* BuiltinOperator BIDIRECTIONAL_SEQUENCE_LSTM */
    "BIDIRECTIONAL_SEQUENCE_LSTM",
    3,
    69, /* BuiltinOptions BidirectionalSequenceLSTMOptions */
    sizeof(bilstm_data),
    prepare,
    eval,
    NULL,
    scratch_bytes,
    EMBER_T_F32 | EMBER_T_I8, /* int8: the dynamic-range weights */
};
