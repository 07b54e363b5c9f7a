/* The fully integer (8x8_16) form of UNIDIRECTIONAL_SEQUENCE_LSTM, LiteRT's lstm_eval.cc EvalInteger8x8_16:
 * int8 input, output, weights and output state, int16 cell state (a power-of-two scale), int16 peepholes and
 * layer-norm coefficients, int32 biases; the operator's five intermediates carry the gate-matmul scales
 * (0-3, read only with layer norm; Q3.12 otherwise) and the hidden state's (4).
 * unidirectional_sequence_lstm.c checks the shapes and the optional-input groups and calls these from its
 * prepare and eval. */
#ifndef EMBER_KERNELS_LSTM_INTEGER_H
#define EMBER_KERNELS_LSTM_INTEGER_H

#include <stdint.h>

#include "ember_internal.h"

/* What prepare computes once (LiteRT's PopulateQuantizedLstmParams8x8_16): per gate (input, forget, cell,
 * output) the requantisation of the input and recurrent matmuls and of the peephole product into the gate's
 * int16, the layer-norm scale and variance guard; the hidden and projection requantisations; the clips. */
typedef struct ember_lstm_q {
    int32_t n_cell, n_input, n_output;
    int32_t cifg, peephole, layer_norm, projection;
    int32_t in_a[4], rec_a[4], peep_a[4], norm_a[4], guard[4];
    int in_b[4], rec_b[4], peep_b[4], norm_b[4];
    int32_t hidden_a, proj_a, hidden_zp, input_zp, state_zp, cell_scale;
    int hidden_b, proj_b;
    int32_t cell_clip, proj_clip; /* quantised; 0: none */
} ember_lstm_q;

/* Validates the operand types and quantisation of an int8 LSTM whose shapes the caller checked (`q` has the
 * sizes and the cifg, peephole, layer_norm and projection flags set) and fills the rest of `q`. */
ember_status ember_lstm_integer_prepare(ember_interpreter *ctx, const ember_node *node, ember_lstm_q *q,
                                        float cell_clip, float proj_clip);

/* Scratch bytes one step over `rows` batch rows needs. */
size_t ember_lstm_integer_scratch_bytes(uint64_t rows, uint64_t n_cell);

/* One time step over n batch rows: x [n][n_input] (rows contiguous), h [n][n_output], c [n][n_cell] updated
 * in place, out [n][n_output] (a copy of the new h). */
void ember_lstm_integer_step(ember_interpreter *ctx, const ember_node *node, const ember_lstm_q *q,
                             const int8_t *x, int32_t n, int8_t *h, int16_t *c, int8_t *out, void *scratch);

#endif /* EMBER_KERNELS_LSTM_INTEGER_H */
