/* 16x8 quantisation (TensorFlow's EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8): int16
 * activations, per tensor and symmetric where LiteRT requires it (zero point 0), int8 weights per channel,
 * int64 (or, marked by the op's quantized_bias_type, int32) biases. What CONV_2D, DEPTHWISE_CONV_2D,
 * FULLY_CONNECTED, QUANTIZE, DEQUANTIZE, CONCATENATION, ADD, SUB, LOGISTIC and TANH share for their int16
 * forms; the requantisation of an int64 accumulator reproduces LiteRT's reference kernels bit for bit. */
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
ember_status ember_check_same_quant_i16(ember_interpreter *ctx, const ember_node *node,
                                        const ember_tensor *input, const ember_tensor *output);

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

/* LiteRT's CheckedLog2: log2(x) computed in float and rounded into *log2_rounded; 1 when x is a power of two
 * to within 1e-3 of that rounding (which decides LiteRT's power-of-two int16 paths). */
int ember_checked_log2(float x, int *log2_rounded);

/* LiteRT's sigmoid_table_uint16: sigmoid(i / 24) in Q0.16 for i < 256, the table its int16 LOGISTIC and TANH
 * interpolate (tanh(x) = 2 sigmoid(2x) - 1). */
extern const uint16_t ember_sigmoid_table_u16[256];

/* Prepare of LiteRT's int16 LOGISTIC and TANH (activations.cc): zero points 0, an output scale that is 2^-15
 * by CheckedLog2, and the input rescaling to the table's 1/(3 * 4096): an input scale 2^(k - 12) with
 * 0 <= k <= max_pot_shift (LOGISTIC 0, TANH 1) gives multiplier 0 and shift k (the kernels then multiply by
 * 3 << k); any other the truncated s_in * 3 * 4096 * 2^shift, doubled until it passes 32767 / 2 (shift at
 * most 31). Messages name the op and the tensor. */
ember_status ember_sigmoid_i16_prepare(ember_interpreter *ctx, const ember_node *node, int max_pot_shift,
                                       int32_t *multiplier, int *shift);

/* (x * multiplier + round) >> shift of LiteRT's int16 LOGISTIC and TANH, in wrapping 32-bit arithmetic (a
 * multiplier 0 is the power-of-two case: 3 << shift, no shift). */
static inline int32_t ember_sigmoid_i16_rescale(int32_t x, int32_t multiplier, int shift) {
    const int32_t m = multiplier ? multiplier : 3 << shift;
    const int s = multiplier ? shift : 0;
    const uint32_t u = (uint32_t)x * (uint32_t)m + (s > 0 ? (uint32_t)1 << (s - 1) : 0u);
    const int32_t v = u <= 0x7fffffffu ? (int32_t)u : (int32_t)(u - 0x80000000u) - 0x7fffffff - 1;
    return v >> s;
}

/* LiteRT's LUTPopulate<int16_t> (LUTPopulateInt16): 512 samples of f over the int16 input range, each biased
 * by half the error its linear interpolation makes at the midpoint, and the last value; in double (SOFTMAX's
 * tables) or in float (GELU's), as LiteRT instantiates it for each. */
void ember_lut_i16_populate_f64(double input_scale, int32_t input_zero_point, double output_scale,
                                double (*f)(double), int16_t *lut);
void ember_lut_i16_populate_f32(float input_scale, int32_t input_zero_point, float output_scale,
                                float (*f)(float), int16_t *lut);

/* LiteRT's LUTLookup on int16 for its 513-entry tables: the top 9 bits index, the low 7 interpolate to the
 * next entry. */
static inline int16_t ember_lut_lookup_i16(int32_t x, const int16_t *lut) {
    const int32_t index = 256 + (x >> 7), offset = x & 0x7f;
    const int32_t slope = (int16_t)(lut[index + 1] - lut[index]);
    return (int16_t)(lut[index] + ((slope * offset + 64) >> 7));
}

#endif /* EMBER_KERNELS_INT16_QUANT_H */
