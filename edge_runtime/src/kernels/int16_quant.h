/* 16x8 quantisation (TensorFlow's EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8): int16
 * activations, per tensor and symmetric where LiteRT requires it (zero point 0), int8 weights per channel,
 * int64 (or, marked by the op's quantized_bias_type, int32) biases. What CONV_2D, DEPTHWISE_CONV_2D,
 * FULLY_CONNECTED, QUANTIZE, DEQUANTIZE and CONCATENATION share for their int16 forms; the requantisation of
 * an int64 accumulator reproduces LiteRT's reference kernels bit for bit. */
#ifndef EMBER_KERNELS_INT16_QUANT_H
#define EMBER_KERNELS_INT16_QUANT_H

#include <stdint.h>

#include "ember_internal.h"

/* Per-tensor quantisation parameters of the int16 tensor `t`, an operand of `node`: one scale, positive and
 * finite, and a zero point in int16's range; with `symmetric` the zero point must be 0 (LiteRT's int16
 * kernels refuse anything else). EMBER_INVALID_MODEL with a message naming the op and the tensor otherwise.
 */
ember_status ember_tensor_quant_i16(ember_interpreter *ctx, const ember_node *node, const ember_tensor *t,
                                    int symmetric, float *scale, int32_t *zero_point);

/* Checks that the int16 input and output of an op that moves values without requantising (PAD, resizes, ...)
 * have zero point 0 and one scale; EMBER_INVALID_MODEL naming both tensors otherwise. */
ember_status ember_check_same_quant_i16(ember_interpreter *ctx, const ember_node *node, const ember_tensor *input,
                                        const ember_tensor *output);

/* x * multiplier * 2^(shift - 31) for an int64 x, as TFLite's MultiplyByQuantizedMultiplier(int64_t, ...):
 * the multiplier is first rounded to 16 bits ((multiplier + 2^15) >> 16, at most 0x7fff), then
 * (x * m + 2^(14 - shift)) >> (15 - shift), one rounding, half up. shift <= 14 (prepare refuses more). The
 * arithmetic wraps as LiteRT's does on two's complement hardware (only hostile biases get there), and the
 * result is the low 32 bits of the shifted value, as its cast to int32 keeps. */
int32_t ember_multiply_by_quantized_multiplier_i64(int64_t x, int32_t multiplier, int shift);

/* Largest requantisation shift ember_multiply_by_quantized_multiplier_i64 takes (real multiplier < 2^14). */
#define EMBER_I16_MAX_SHIFT 14

static inline int16_t ember_clamp_i16(int64_t x, int32_t lo, int32_t hi) {
    return (int16_t)(x < lo ? lo : (x > hi ? hi : x));
}

/* The int64 of two's complement bits u (sums that wrap like LiteRT's, without C's undefined overflow). */
static inline int64_t ember_wrap_i64(uint64_t u) {
    return u <= (uint64_t)INT64_MAX ? (int64_t)u : (int64_t)(u - (uint64_t)INT64_MAX - 1u) + INT64_MIN;
}

#endif /* EMBER_KERNELS_INT16_QUANT_H */
