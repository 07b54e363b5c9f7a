/* Dynamic-range ("hybrid") arithmetic: float32 activations, int8 constant weights with zero point 0 (per
 * tensor or per output channel). LiteRT quantises each float row (one input row of FULLY_CONNECTED or the
 * LSTM, one whole batch image of the convolutions) to int8 with its own scale factor and, asymmetric, zero
 * point (tensor_utils BatchQuantizeFloats), sums int8 products in int32 (minus row sum * zero point) and
 * scales the sum back in float. What the kernels share is here; the float order of the scaling differs
 * between LiteRT's ops, so each kernel writes its own last multiply-add (see its comment). */
#ifndef EMBER_KERNELS_HYBRID_H
#define EMBER_KERNELS_HYBRID_H

#include "ember_internal.h"
#include "quantization.h"

/* LiteRT's BatchQuantizeFloats, n rows of `size` floats `stride` apart into q [n][size]: symmetric
 * (SymmetricQuantizeFloats: scale max|x| / 127, values in [-127, 127], zero point 0) or asymmetric
 * (AsymmetricQuantizeFloats: the range max(x, 0) - min(x, 0), a float difference, over [-128, 127] in double,
 * the zero point nudged from whichever end errs less). A row of zeros gets scale 1, zero point 0 and zeros.
 */
void ember_hybrid_quantize_rows(const float *x, int64_t stride, int32_t n, int32_t size, int asymmetric,
                                int8_t *q, float *sf, int32_t *zp);

/* sum_k w[k] * (q[k] - zp) in int32 arithmetic that wraps as LiteRT's (its dot product minus row sum times
 * zero point is the same int32). */
static inline int32_t ember_hybrid_dot(const int8_t *w, const int8_t *q, int32_t size, int32_t zp) {
    uint32_t acc = 0;
    int32_t k;
    for (k = 0; k < size; ++k)
        acc += (uint32_t)((int32_t)w[k] * ((int32_t)q[k] - zp));
    return ember_wrap_i32(acc);
}

/* rows[b][r] += (float)dot(W_r, q_b - zp_b) * scale for int8 W [m_rows][m_cols] and quantised rows
 * q [n][m_cols]: LiteRT's hybrid MatrixBatchVectorMultiplyAccumulate, whose scale is sf[b] * w_scale per
 * tensor or channel_scale[r] * sf[b] per row (channel_scales: the model's float32 vector, NULL per tensor).
 */
void ember_hybrid_matmul_acc(const int8_t *w, int32_t m_rows, int32_t m_cols, float w_scale,
                             const uint8_t *channel_scales, const int8_t *q, const float *sf,
                             const int32_t *zp, int32_t n, float *rows);

/* Checks the int8 weights of a hybrid node: zero points 0, positive finite scales, one per tensor or one per
 * output channel (`channels` of them along `axis`). *per_channel: LiteRT scales per channel (more than one
 * scale); *scale: the per-tensor scale (the first). */
ember_status ember_hybrid_weights_check(ember_interpreter *ctx, const ember_node *node,
                                        const ember_tensor *weights, int32_t axis, int32_t channels,
                                        int *per_channel, float *scale);

/* Applies a fused activation as LiteRT's ApplyActivationToVector does to a hybrid op's float results (NONE,
 * RELU, RELU_N1_TO_1, RELU6, and TANH with Eigen's rational approximation, not libm's tanhf). */
void ember_hybrid_activate(float *x, size_t count, int32_t activation);

/* The float recurrent cells' (LSTM, RNN) fused activation of one value, with libm's tanhf where
 * ember_hybrid_activate has Eigen's: NONE, RELU, RELU_N1_TO_1, RELU6, TANH, SIGMOID (1 / (1 + expf(-x)));
 * anything else passes x through. */
float ember_cell_activate_f32(float x, int32_t activation);

/* Whether `activation` is one ember_hybrid_activate applies, else a refusal naming the op. */
ember_status ember_hybrid_activation_check(ember_interpreter *ctx, const ember_node *node, int8_t activation);

#endif /* EMBER_KERNELS_HYBRID_H */
