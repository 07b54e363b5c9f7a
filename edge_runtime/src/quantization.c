/* TFLite's reference int8 arithmetic (tensorflow/lite/kernels/internal/common.h, quantization_util.cc and
 * gemmlowp's fixedpoint.h), written so that every intermediate stays defined behaviour in C99. */
#include "quantization.h"

#include <math.h>

#include "tflite_schema.h"

float ember_round_f32(float x) {
    return roundf(x);
}

double ember_round_f64(double x) {
    return round(x);
}

void ember_quantize_multiplier(double real, int32_t *multiplier, int *shift) {
    double q;
    int64_t q_fixed;
    if (real == 0.0 || real != real || real > 1e300 || real < -1e300) {
        /* Zero, NaN or infinite (only hostile scales give the last two): a zero multiplier keeps eval
         * defined. */
        *multiplier = 0;
        *shift = 0;
        return;
    }
    q = frexp(real, shift);
    q_fixed = (int64_t)round(q * 2147483648.0);
    if (q_fixed == ((int64_t)1 << 31)) {
        q_fixed /= 2;
        ++*shift;
    }
    if (*shift < -31) {
        *shift = 0;
        q_fixed = 0;
    }
    /* Beyond 2^31 every int8 product overflows anyway; capping keeps the left shift of
     * multiply_by_quantized_multiplier below 32 (no model a converter writes comes near). */
    if (*shift > 31) {
        *shift = 31;
        q_fixed = INT32_MAX;
    }
    *multiplier = (int32_t)q_fixed;
}

int32_t ember_srdhm(int32_t a, int32_t b) {
    int64_t ab, nudge;
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    ab = (int64_t)a * (int64_t)b;
    nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    /* C99 division truncates toward zero, as gemmlowp's does. */
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

int32_t ember_rdbpot(int32_t x, int exponent) {
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    /* Arithmetic right shift of a negative value: floor division, written portably. */
    const int32_t floor_div = x >= 0 ? x >> exponent : -1 - ((-1 - x) >> exponent);
    return floor_div + (remainder > threshold ? 1 : 0);
}

int32_t ember_saturating_left_shift(int32_t x, int exponent) {
    const int64_t y = (int64_t)x * ((int64_t)1 << exponent);
    return y > INT32_MAX ? INT32_MAX : (y < INT32_MIN ? INT32_MIN : (int32_t)y);
}

int32_t ember_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    /* TFLite multiplies in int32 (x * (1 << left)); models keep this in range, and wrapping through uint32
     * gives the same bits as two's complement hardware without C's signed-overflow undefined behaviour. */
    const uint32_t shifted = (uint32_t)x * ((uint32_t)1 << left);
    const int32_t x_shifted =
        shifted <= 0x7fffffffu ? (int32_t)shifted : (int32_t)(shifted - 0x80000000u) - 0x7fffffff - 1;
    return ember_rdbpot(ember_srdhm(x_shifted, multiplier), right);
}

/* zero_point + round(f / scale) in float, as TFLite computes it; clamped before the cast, far beyond the
 * int16 range that every caller intersects with (tiny hostile scales send it to infinity). */
static int32_t quantize_limit(float f, float scale, int32_t zero_point) {
    float q = roundf(f / scale);
    if (q < -16777216.0f)
        q = -16777216.0f;
    if (q > 16777216.0f)
        q = 16777216.0f;
    return zero_point + (int32_t)q;
}

int ember_activation_range_i8(int32_t activation, float scale, int32_t zero_point, int32_t *min,
                              int32_t *max) {
    return ember_activation_range_q(activation, scale, zero_point, -128, 127, min, max);
}

int ember_activation_range_q(int32_t activation, float scale, int32_t zero_point, int32_t type_min,
                             int32_t type_max, int32_t *min, int32_t *max) {
    int32_t lo = type_min, hi = type_max, q;
    switch (activation) {
    case TFL_ACT_NONE:
        break;
    case TFL_ACT_RELU:
        q = quantize_limit(0.0f, scale, zero_point);
        lo = q > lo ? q : lo;
        break;
    case TFL_ACT_RELU_N1_TO_1:
        q = quantize_limit(-1.0f, scale, zero_point);
        lo = q > lo ? q : lo;
        q = quantize_limit(1.0f, scale, zero_point);
        hi = q < hi ? q : hi;
        break;
    case TFL_ACT_RELU6:
        q = quantize_limit(0.0f, scale, zero_point);
        lo = q > lo ? q : lo;
        q = quantize_limit(6.0f, scale, zero_point);
        hi = q < hi ? q : hi;
        break;
    default:
        return 0;
    }
    *min = lo;
    *max = hi;
    return 1;
}

ember_status ember_tensor_quant_i8(ember_interpreter *ctx, const ember_node *node, const ember_tensor *t,
                                   float *scale, int32_t *zero_point) {
    /* a uint8 tensor: a kernel's own uint8 operand, or one presented as int8 (kernels/uint8.h) */
    const int is_u8 = t->type == EMBER_UINT8 || t->zero_point_shift != 0;
    int64_t zp;
    EMBER_CHECK(ctx, t->quant_count == 1, EMBER_INVALID_MODEL,
                "%s %ld: %s tensor '%.64s' needs one (per-tensor) scale and zero point, has %ld",
                node->kernel->name, (long)node->index, is_u8 ? "uint8" : "int8", t->name,
                (long)t->quant_count);
    *scale = fb_f32_at(ctx->model.data + t->scales_pos);
    zp = fb_i64_at(ctx->model.data + t->zero_points_pos);
    EMBER_CHECK(ctx, *scale > 0.0f && *scale <= 3.4e38f, EMBER_INVALID_MODEL,
                "%s %ld: tensor '%.64s' has scale %g; it must be positive and finite", node->kernel->name,
                (long)node->index, t->name, (double)*scale);
    EMBER_CHECK(ctx, is_u8 ? zp >= 0 && zp <= 255 : zp >= -128 && zp <= 127, EMBER_INVALID_MODEL,
                "%s %ld: tensor '%.64s' has zero point %lld, outside %s", node->kernel->name,
                (long)node->index, t->name, (long long)zp, is_u8 ? "uint8's [0, 255]" : "int8's [-128, 127]");
    *zero_point = (int32_t)zp + t->zero_point_shift;
    return EMBER_OK;
}

ember_status ember_check_same_quant_i8(ember_interpreter *ctx, const ember_node *node,
                                       const ember_tensor *input, const ember_tensor *output, float *scale,
                                       int32_t *zero_point) {
    float s_in = 0.0f, s_out = 0.0f; /* set on success; initialised as GCC cannot tell */
    int32_t z_in = 0, z_out = 0;
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &z_in));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &z_out));
    EMBER_CHECK(ctx, s_in == s_out && z_in == z_out, EMBER_INVALID_MODEL,
                "%s %ld: int8 input '%.64s' (scale %g, zero point %ld) and output '%.64s' (scale %g, zero "
                "point %ld) must share quantisation parameters",
                node->kernel->name, (long)node->index, input->name, (double)s_in, (long)z_in, output->name,
                (double)s_out, (long)z_out);
    if (scale)
        *scale = s_out;
    if (zero_point)
        *zero_point = z_out;
    return EMBER_OK;
}

void ember_populate_lut_i8(float input_scale, int32_t input_zero_point, float output_scale,
                           int32_t output_zero_point, float (*f)(float), int8_t table[256]) {
    const float inverse_scale = 1.0f / output_scale;
    int32_t q;
    for (q = -128; q <= 127; ++q) {
        const float x = input_scale * (float)(q - input_zero_point);
        float y = roundf(f(x) * inverse_scale) + (float)output_zero_point;
        /* Clamping in float first keeps the conversion defined for huge or infinite values. */
        y = y < -128.0f || y != y ? -128.0f : (y > 127.0f ? 127.0f : y); /* NaN: what x86 gives LiteRT */
        table[(uint8_t)(q & 0xff)] = (int8_t)(int32_t)y;
    }
}

ember_status ember_prepare_lut_i8(ember_interpreter *ctx, const ember_node *node, float (*f)(float),
                                  int8_t table[256]) {
    float s_in = 0.0f, s_out = 0.0f; /* set on success; initialised as GCC cannot tell */
    int32_t z_in = 0, z_out = 0;
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, ember_node_input(ctx, node, 0), &s_in, &z_in));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, ember_node_output(ctx, node, 0), &s_out, &z_out));
    ember_populate_lut_i8(s_in, z_in, s_out, z_out, f, table);
    return EMBER_OK;
}

void ember_lut_eval(const ember_tensor *input, ember_tensor *output, int32_t count, float (*f)(float),
                    const int8_t table[256]) {
    int32_t i;
    if (input->type == EMBER_FLOAT32) {
        for (i = 0; i < count; ++i)
            ((float *)output->data)[i] = f(((const float *)input->data)[i]);
    } else {
        for (i = 0; i < count; ++i)
            ((int8_t *)output->data)[i] = table[(uint8_t)((const int8_t *)input->data)[i]];
    }
}

void ember_inv_sqrt_multiplier(int32_t input, int32_t *multiplier, int *shift) {
    const int32_t three_halves = (1 << 28) + (1 << 27);
    const int32_t half_sqrt_2 = 1518500250; /* sqrt(2) / 2 in Q0.31 */
    int32_t x = 1 << 28, half_input, leading_zeros = 0;
    int right_shift = 11, pairs, i;
    if (input <= 1) { /* TFLite treats 0 as 1 and returns 1 exactly for both */
        *multiplier = INT32_MAX;
        *shift = 0;
        return;
    }
    while (input >= (1 << 29)) {
        input /= 4;
        ++right_shift;
    }
    while (((uint32_t)input << leading_zeros) < 0x80000000u)
        ++leading_zeros;
    pairs = (leading_zeros - 1) / 2 - 1;
    right_shift -= pairs;
    input <<= 2 * pairs;
    half_input = ember_rdbpot(input >> 1, 1);
    for (i = 0; i < 5; ++i) {
        const int32_t x3 = ember_saturating_left_shift(ember_srdhm(ember_srdhm(x, x), x), 6);
        x = ember_saturating_left_shift(ember_srdhm(three_halves, x) - ember_srdhm(half_input, x3), 3);
    }
    x = ember_srdhm(x, half_sqrt_2);
    if (right_shift < 0) {
        x = (int32_t)((uint32_t)x << -right_shift);
        right_shift = 0;
    }
    *multiplier = x;
    *shift = -right_shift;
}
