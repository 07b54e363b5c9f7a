/* The float32 and dynamic-range (hybrid) LSTM of one direction, LiteRT's lstm_eval.cc EvalFloat and
 * EvalHybrid, shared by UNIDIRECTIONAL_SEQUENCE_LSTM and BIDIRECTIONAL_SEQUENCE_LSTM (each direction of the
 * latter is one such cell over its own operands and states). The operands are named by their index in
 * UNIDIRECTIONAL_SEQUENCE_LSTM's order (EMBER_LSTM_*), and `in` maps each to the node's input index. */
#ifndef EMBER_KERNELS_LSTM_FLOAT_H
#define EMBER_KERNELS_LSTM_FLOAT_H

#include "ember_internal.h"

enum {
    EMBER_LSTM_INPUT = 0,
    EMBER_LSTM_W_IN = 1,   /* input_to_{input, forget, cell, output}: 1 + gate */
    EMBER_LSTM_W_REC = 5,  /* recurrent_to_*: 5 + gate */
    EMBER_LSTM_PEEP_I = 9, /* cell_to_input, cell_to_forget, cell_to_output */
    EMBER_LSTM_BIAS = 12,  /* 12 + gate */
    EMBER_LSTM_PROJ = 16,
    EMBER_LSTM_PROJ_BIAS = 17,
    EMBER_LSTM_H = 18,
    EMBER_LSTM_C = 19,
    EMBER_LSTM_NORM = 20,  /* 20 + gate */
    EMBER_LSTM_AUX_W = 24, /* aux_input_to_{input, forget, cell, output} (BIDIRECTIONAL_SEQUENCE_LSTM's) */
    EMBER_LSTM_OPERANDS = 28
};
enum { EMBER_LSTM_GATE_I = 0, EMBER_LSTM_GATE_F = 1, EMBER_LSTM_GATE_G = 2, EMBER_LSTM_GATE_O = 3 };

typedef struct ember_lstm_cell {
    /* the node's input index of each operand; -1: omitted (or, for the layer norm, not in the op) */
    int32_t in[EMBER_LSTM_OPERANDS];
    const char *what; /* "" or the direction ("forward ", "backward "), for messages */
    int32_t batch, time, n_input, n_cell, n_output;
    int32_t time_major, activation, cifg, peephole, layer_norm, projection;
    int32_t aux, n_aux; /* aux input weights given (the gates add W_aux aux_x), the aux input's width */
    float cell_clip, proj_clip;
    /* dynamic-range (int8 weights, float activations): each weight's scale, by operand */
    int32_t hybrid, asymmetric;
    int32_t integer; /* int8 activations: the types are checked by lstm_integer.c, not here */
    float scale[EMBER_LSTM_OPERANDS];
} ember_lstm_cell;

/* The node's tensor of operand i, NULL when omitted. */
const ember_tensor *ember_lstm_operand(ember_interpreter *ctx, const ember_node *node,
                                       const ember_lstm_cell *d, int32_t i);

/* Checks one direction's operands: with in[], batch, time, n_input, time_major and integer set, it finds
 * n_cell, n_output, cifg, peephole, projection, layer_norm, aux, n_aux and hybrid from which operands are
 * given, checks the optional groups, every shape and type and that the states are variables, and reads the
 * hybrid scales.
 */
ember_status ember_lstm_cell_prepare(ember_interpreter *ctx, const ember_node *node, ember_lstm_cell *d);

/* Scratch bytes for `rows` batch rows of a cell with these sizes (float and hybrid); with aux weights n_input
 * is the input's width plus the aux input's. */
size_t ember_lstm_cell_scratch_bytes(uint64_t rows, uint64_t n_input, uint64_t n_output, uint64_t n_cell);

/* Runs the whole sequence x (the input tensor's layout) through the cell, forward or (forward == 0) from the
 * last step to the first, as LiteRT's EvalFloat / EvalHybrid: the states h, c carry; each step's output row
 * goes to out + offset, rows `leading` floats apart (the output tensor's last dimension). aux_x: the aux
 * input (same layout, n_aux wide) when d->aux, float32 only. */
void ember_lstm_cell_eval(ember_interpreter *ctx, const ember_node *node, const ember_lstm_cell *d,
                          const float *x, const float *aux_x, float *out, int64_t leading, int forward,
                          float *scratch);

#endif /* EMBER_KERNELS_LSTM_FLOAT_H */
