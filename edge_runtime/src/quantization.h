/* int8 arithmetic shared by the quantised kernels: TFLite's reference requantisation (double rounding), the
 * fixed-point helpers it is built from, and the per-tensor quantisation parameters of a tensor. The facts
 * these reproduce are listed in /work/shared/INT8_ARITHMETIC.md; every function matches its namesake in
 * TFLite's reference kernels bit for bit. */
#ifndef EMBER_QUANTIZATION_H
#define EMBER_QUANTIZATION_H

#include <stdint.h>

#include "ember_internal.h"

/* real = multiplier * 2^(shift - 31), multiplier in [2^30, 2^31) (or 0): frexp, round half away from zero,
 * renormalise 2^31, flush exponents below -31 to zero (TFLite's QuantizeMultiplier). */
void ember_quantize_multiplier(double real, int32_t *multiplier, int *shift);

/* Saturating rounding doubling high multiply: round(a * b / 2^31), INT32_MIN * INT32_MIN saturates. */
int32_t ember_srdhm(int32_t a, int32_t b);

/* Rounding divide by 2^exponent (0 <= exponent <= 31), ties away from zero. */
int32_t ember_rdbpot(int32_t x, int exponent);

/* x * multiplier * 2^(shift - 31) with TFLite's double rounding (left shift first, then srdhm, then rdbpot).
 */
int32_t ember_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift);

/* x * 2^exponent saturated to int32 (gemmlowp's SaturatingRoundingMultiplyByPOT for exponent >= 0). */
int32_t ember_saturating_left_shift(int32_t x, int exponent);

/* Round half away from zero as TFLite's TfLiteRound (std::round), on float and double. */
float ember_round_f32(float x);
double ember_round_f64(double x);

/* Clamp range of a fused activation for an int8 output with (scale, zero_point): the quantised images of the
 * activation's limits intersected with [-128, 127] (TFLite's CalculateActivationRangeQuantized). 0 when the
 * activation is not supported. */
int ember_activation_range_i8(int32_t activation, float scale, int32_t zero_point, int32_t *min,
                              int32_t *max);

/* The same for a quantised type of range [type_min, type_max] (uint8: [0, 255], int16: [-32768, 32767]). */
int ember_activation_range_q(int32_t activation, float scale, int32_t zero_point, int32_t type_min,
                             int32_t type_max, int32_t *min, int32_t *max);

/* Per-tensor quantisation parameters of `t`, an operand of `node`; EMBER_INVALID_MODEL with a message naming
 * the op and the tensor when it has none, several, a non-positive or non-finite scale, or a zero point
 * outside the range of its type (uint8 for a uint8 tensor, else int8). A uint8 tensor presented as int8
 * (kernels/uint8.h) has its zero point checked against [0, 255] and returned shifted by -128, the zero point
 * of its int8 image. */
ember_status ember_tensor_quant_i8(ember_interpreter *ctx, const ember_node *node, const ember_tensor *t,
                                   float *scale, int32_t *zero_point);

/* Checks that an int8 input and output of `node` have the same per-tensor scale and zero point, as ops that
 * move values without requantising need, and stores them where scale and zero_point are not NULL. */
ember_status ember_check_same_quant_i8(ember_interpreter *ctx, const ember_node *node,
                                       const ember_tensor *input, const ember_tensor *output, float *scale,
                                       int32_t *zero_point);

/* 1 / sqrt(input) = multiplier * 2^(shift - 31), input >= 0: TFLite's GetInvSqrtQuantizedMultiplierExp (with
 * its reverse shift -1). Inputs 0 and 1 give (INT32_MAX, 0); others are normalised into [2^27, 2^29) by pairs
 * of bits, then five Newton-Raphson steps x <- 1.5 x - (input / 2) x^3 run from x = 1 in Q3.28, rescaling
 * each product as gemmlowp does. */
void ember_inv_sqrt_multiplier(int32_t input, int32_t *multiplier, int *shift);

/* LiteRT's 256-entry table of an int8 -> int8 function (LUTPopulate): table[(uint8_t)q] =
 * clamp(round(f(s_in * (q - zp_in)) * (1 / s_out)) + zp_out), all in float. */
void ember_populate_lut_i8(float input_scale, int32_t input_zero_point, float output_scale,
                           int32_t output_zero_point, float (*f)(float), int8_t table[256]);

/* ember_populate_lut_i8 with the quantisation of the node's input 0 and output 0 (errors name the op). */
ember_status ember_prepare_lut_i8(ember_interpreter *ctx, const ember_node *node, float (*f)(float),
                                  int8_t table[256]);

/* Eval of an elementwise op whose int8 form is a table: output[i] = f(input[i]) on float32,
 * table[(uint8_t)input[i]] on int8, for i < count. */
void ember_lut_eval(const ember_tensor *input, ember_tensor *output, int32_t count, float (*f)(float),
                    const int8_t table[256]);

/* x * multiplier * 2^(shift - 31) rounded once, half up: (x * M + 2^(30 - shift)) >> (31 - shift) in 64 bits.
 * LiteRT's int8 FULLY_CONNECTED (ai-edge-litert 2.x, BUILTIN_REF included) requantises this way, unlike its
 * convolutions, which use the double rounding of ember_multiply_by_quantized_multiplier; the tests against
 * LiteRT pin down both. shift <= 30 (prepare refuses larger). */
static inline int32_t ember_multiply_single_rounding(int32_t x, int32_t multiplier, int shift) {
    const int total = 31 - shift;
    const int64_t product = (int64_t)x * multiplier + ((int64_t)1 << (total - 1));
    /* Floor division by 2^total, written without right-shifting a negative value. */
    const int64_t q = product >= 0 ? product >> total : -((-product - 1) >> total) - 1;
    return (int32_t)q;
}

/* int32 accumulation that wraps like TFLite's on two's complement hardware, without C's undefined signed
 * overflow (only hostile weights reach it; converters keep accumulators in range). */
static inline int32_t ember_wrap_i32(uint32_t u) {
    return u <= 0x7fffffffu ? (int32_t)u : (int32_t)(u - 0x80000000u) - 0x7fffffff - 1;
}

static inline int8_t ember_clamp_i8(int32_t x, int32_t lo, int32_t hi) {
    return (int8_t)(x < lo ? lo : (x > hi ? hi : x));
}

/* clamp(y + offset) for a requantised y: a hostile scale ratio can push y to the ends of int32, so the zero
 * point is added in int64 (the fuzzer found y = -2^31 + 1 plus a negative zero point). */
static inline int32_t ember_offset_clamp(int32_t y, int32_t offset, int32_t lo, int32_t hi) {
    const int64_t v = (int64_t)y + offset;
    return (int32_t)(v < lo ? lo : (v > hi ? hi : v));
}

#endif /* EMBER_QUANTIZATION_H */
