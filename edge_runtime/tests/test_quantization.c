/* int8 arithmetic helpers (quantization.c, fixed_point.c) against closed-form values: the rounding rules of
 * TFLite's reference requantisation, checked on ties, signs, saturation and the boundaries of
 * quantize_multiplier; the gemmlowp exp, reciprocal and log within their approximation error of libm's; the
 * int64 requantisation of the 16x8 convolutions (kernels/int16_quant.h) and int16 activation ranges. */
#include <math.h>

#include "fixed_point.h"
#include "kernels/int16_quant.h"
#include "quantization.h"
#include "test_util.h"
#include "tflite_schema.h"

static void test_srdhm(void) {
    /* The one product that overflows saturates. */
    CHECK(ember_srdhm(INT32_MIN, INT32_MIN) == INT32_MAX);
    /* round(a * b / 2^31): gemmlowp's nudge rounds ties up (towards +infinity), so -0.5 -> 0. */
    CHECK(ember_srdhm(1 << 30, 1 << 30) == 1 << 29);
    CHECK(ember_srdhm(INT32_MAX, INT32_MAX) == INT32_MAX - 1);
    CHECK(ember_srdhm(INT32_MIN, INT32_MAX) == -INT32_MAX);
    CHECK(ember_srdhm(1, 1 << 30) == 1);   /* 0.5 rounds up */
    CHECK(ember_srdhm(-1, 1 << 30) == 0);  /* -0.5 rounds up */
    CHECK(ember_srdhm(-3, 1 << 30) == -1); /* -1.5 rounds up */
    CHECK(ember_srdhm(3, 1 << 29) == 1);   /* 0.75 */
    CHECK(ember_srdhm(1, (1 << 30) - 1) == 0);
    CHECK(ember_srdhm(-1, (1 << 30) - 1) == 0);
    CHECK(ember_srdhm(0, INT32_MIN) == 0);
    /* Negating a factor is not negating the result on ties, the reason SUB keeps LiteRT's sign placement. */
    CHECK(ember_srdhm(5, 1 << 30) == 3 && ember_srdhm(5, -(1 << 30)) == -2 && ember_srdhm(-5, 1 << 30) == -2);
}

static void test_rdbpot(void) {
    CHECK(ember_rdbpot(5, 1) == 3);   /* 2.5 -> 3 */
    CHECK(ember_rdbpot(-5, 1) == -3); /* -2.5 -> -3 */
    CHECK(ember_rdbpot(7, 2) == 2);   /* 1.75 */
    CHECK(ember_rdbpot(-7, 2) == -2);
    CHECK(ember_rdbpot(6, 2) == 2);   /* 1.5 -> 2 */
    CHECK(ember_rdbpot(-6, 2) == -2); /* -1.5 -> -2 */
    CHECK(ember_rdbpot(-2, 2) == -1); /* -0.5 -> -1 */
    CHECK(ember_rdbpot(2, 2) == 1);
    CHECK(ember_rdbpot(123, 0) == 123);
    CHECK(ember_rdbpot(INT32_MAX, 31) == 1);
    CHECK(ember_rdbpot(INT32_MIN, 31) == -1);
    CHECK(ember_rdbpot(INT32_MIN, 1) == -(1 << 30));
}

static void test_quantize_multiplier(void) {
    int32_t m;
    int shift;
    ember_quantize_multiplier(0.5, &m, &shift);
    CHECK(m == 1 << 30 && shift == 0);
    ember_quantize_multiplier(1.0, &m, &shift);
    CHECK(m == 1 << 30 && shift == 1);
    ember_quantize_multiplier(0.75, &m, &shift);
    CHECK(m == 3 << 29 && shift == 0);
    ember_quantize_multiplier(0.0, &m, &shift);
    CHECK(m == 0 && shift == 0);
    /* q * 2^31 rounds to 2^31: renormalised to 2^30 with the exponent one up. */
    ember_quantize_multiplier(1.0 - 1e-12, &m, &shift);
    CHECK(m == 1 << 30 && shift == 1);
    /* Exponents below -31 flush to zero. */
    ember_quantize_multiplier(ldexp(0.75, -32), &m, &shift);
    CHECK(m == 0 && shift == 0);
    ember_quantize_multiplier(ldexp(0.75, -31), &m, &shift);
    CHECK(m == 3 << 29 && shift == -31);
    /* 1/3: round(2^31 / 3 * 2) / 2^31 with q = 2/3 */
    ember_quantize_multiplier(1.0 / 3.0, &m, &shift);
    CHECK(m == 1431655765 && shift == -1);
    ember_quantize_multiplier(-0.75, &m, &shift);
    CHECK(m == -(3 << 29) && shift == 0);
}

static void test_multiply_by_quantized_multiplier(void) {
    /* x * 0.5: srdhm's ties go up */
    CHECK(ember_multiply_by_quantized_multiplier(3, 1 << 30, 0) == 2);
    CHECK(ember_multiply_by_quantized_multiplier(-3, 1 << 30, 0) == -1);
    /* x * 0.25 = srdhm (x * 0.5) then a rounding right shift of 1. Double rounding: 5 * 0.25 = 1.25 gives 2
     * (2.5 -> 3, then 1.5 -> 2), where one rounding of the real product would give 1. */
    CHECK(ember_multiply_by_quantized_multiplier(5, 1 << 30, -1) == 2);
    /* 6 * 0.25 = 1.5: srdhm gives 3, rdbpot(3, 1) = 2 */
    CHECK(ember_multiply_by_quantized_multiplier(6, 1 << 30, -1) == 2);
    /* x * 3: left shift 2 then x * 0.75 */
    CHECK(ember_multiply_by_quantized_multiplier(7, 3 << 29, 2) == 21);
    CHECK(ember_multiply_by_quantized_multiplier(-7, 3 << 29, 2) == -21);
    /* 1 * (1 - 2^-31) / 2: srdhm gives 1, the rounding shift 0.5 -> 1 */
    CHECK(ember_multiply_by_quantized_multiplier(1, INT32_MAX, -1) == 1);
}

static void test_activation_range(void) {
    int32_t lo, hi;
    CHECK(ember_activation_range_i8(TFL_ACT_NONE, 0.1f, 5, &lo, &hi) && lo == -128 && hi == 127);
    CHECK(ember_activation_range_i8(TFL_ACT_RELU, 0.1f, 5, &lo, &hi) && lo == 5 && hi == 127);
    CHECK(ember_activation_range_i8(TFL_ACT_RELU6, 0.1f, 5, &lo, &hi) && lo == 5 && hi == 65);
    CHECK(ember_activation_range_i8(TFL_ACT_RELU6, 0.01f, -128, &lo, &hi) && lo == -128 && hi == 127);
    CHECK(ember_activation_range_i8(TFL_ACT_RELU_N1_TO_1, 0.25f, 0, &lo, &hi) && lo == -4 && hi == 4);
    CHECK(ember_activation_range_i8(TFL_ACT_RELU, 0.1f, -200, &lo, &hi) && lo == -128);
    CHECK(!ember_activation_range_i8(4 /* TANH */, 0.1f, 0, &lo, &hi));
}

/* TFLite's MultiplyByQuantizedMultiplier(int64_t, ...): the multiplier rounded to 16 bits, one rounding half
 * up (not away from zero, unlike the int8 double rounding), the low 32 bits kept. */
static void test_multiply_by_quantized_multiplier_i64(void) {
    int32_t lo, hi;
    CHECK(ember_multiply_by_quantized_multiplier_i64((int64_t)1 << 20, 1 << 30, 0) == 1 << 19); /* x * 0.5 */
    CHECK(ember_multiply_by_quantized_multiplier_i64(3, 1 << 30, 0) == 2);                      /* 1.5 -> 2 */
    CHECK(ember_multiply_by_quantized_multiplier_i64(-3, 1 << 30, 0) == -1); /* -1.5 -> -1 */
    /* 5 * 0.25 = 1.25 rounds once to 1; the int8 double rounding makes 2.5 -> 3, then 1.5 -> 2. */
    CHECK(ember_multiply_by_quantized_multiplier_i64(5, 1 << 30, -1) == 1);
    CHECK(ember_multiply_by_quantized_multiplier(5, 1 << 30, -1) == 2);
    /* (M + 2^15) >> 16: 0x40008000 rounds up to 0x4001, 0x40007fff down to 0x4000; from 0x7fff0000 on,
     * 0x7fff. */
    CHECK(ember_multiply_by_quantized_multiplier_i64(1 << 15, 0x40008000, 0) == 0x4001);
    CHECK(ember_multiply_by_quantized_multiplier_i64(1 << 15, 0x40007fff, 0) == 0x4000);
    CHECK(ember_multiply_by_quantized_multiplier_i64(1 << 15, INT32_MAX, 0) == 0x7fff);
    CHECK(ember_multiply_by_quantized_multiplier_i64(1, 1 << 30, EMBER_I16_MAX_SHIFT) ==
          1 << 13);                                                                   /* 0.5 * 2^14 */
    CHECK(ember_multiply_by_quantized_multiplier_i64(1 << 20, 1 << 30, -20) == 1);    /* 0.5 -> 1 */
    CHECK(ember_multiply_by_quantized_multiplier_i64(-(1 << 20), 1 << 30, -20) == 0); /* -0.5 -> 0 */
    CHECK(ember_multiply_by_quantized_multiplier_i64(0, 0, 0) == 0);
    /* 2^39 + 2^15 does not fit int32: its low 32 bits, as LiteRT's cast keeps. */
    CHECK(ember_multiply_by_quantized_multiplier_i64(((int64_t)1 << 40) + (1 << 16), 1 << 30, 0) == 1 << 15);
    CHECK(ember_wrap_i64((uint64_t)INT64_MAX + 1u) == INT64_MIN && ember_wrap_i64(~(uint64_t)0) == -1);
    /* int16 activation limits: round(6 / 1e-3) = 6000, beyond 32767 the type's end (no +-1024 clamp). */
    CHECK(ember_activation_range_q(TFL_ACT_RELU6, 1e-3f, 0, -32768, 32767, &lo, &hi) && lo == 0 &&
          hi == 6000);
    CHECK(ember_activation_range_q(TFL_ACT_RELU6, 1e-4f, 0, -32768, 32767, &lo, &hi) && lo == 0 &&
          hi == 32767);
    CHECK(ember_activation_range_q(TFL_ACT_RELU_N1_TO_1, 1e-4f, 0, -32768, 32767, &lo, &hi) && lo == -10000 &&
          hi == 10000);
    CHECK(ember_activation_range_q(TFL_ACT_RELU6, 1e-30f, 0, -32768, 32767, &lo, &hi) && hi == 32767);
}

static float identity(float x) {
    return x;
}

static void test_lookup_table(void) {
    int8_t table[256];
    /* Identity with s_out = 2 s_in: q / 2 rounded half away from zero, shifted by the zero points. */
    ember_populate_lut_i8(0.5f, 0, 1.0f, 3, identity, table);
    CHECK(table[(uint8_t)1] == 4);  /* 0.5 -> 1, + 3 */
    CHECK(table[(uint8_t)-1] == 2); /* -0.5 -> -1, + 3 */
    CHECK(table[(uint8_t)-128] == -61);
    CHECK(table[(uint8_t)127] == 67); /* 63.5 -> 64, + 3 */
    ember_populate_lut_i8(1.0f, 0, 0.5f, 0, identity, table);
    CHECK(table[(uint8_t)100] == 127 && table[(uint8_t)-100] == -128); /* clamped */
}

/* The fixed-point functions against libm on a grid of their input ranges: gemmlowp's approximations are
 * within 5e-7 (exp), 2e-7 (log) and 1e-8 (reciprocal) there. */
static void test_fixed_point_functions(void) {
    int i;
    CHECK(ember_count_leading_zeros(0) == 32 && ember_count_leading_zeros(1) == 31);
    CHECK(ember_count_leading_zeros(0x80000000u) == 0 && ember_count_leading_zeros(0x00ffffffu) == 8);
    CHECK(ember_exp_on_negative_values_q5(0) == INT32_MAX);
    CHECK(ember_log_x_ge_1_q12_to_q5(1 << 19) == 0); /* log(1) */
    for (i = 1; i <= 1000; ++i) {
        const int32_t a = -(int32_t)((int64_t)i * 31 * (1 << 26) / 1000); /* (-31, 0) in Q5.26 */
        const double exp_a = exp(a / 67108864.0), got = ember_exp_on_negative_values_q5(a) / 2147483648.0;
        const int32_t x = (int32_t)((int64_t)i * 2146959 + (1 << 19)); /* [1, 4096) in Q12.19 */
        const double log_x = log(x / 524288.0), log_got = ember_log_x_ge_1_q12_to_q5(x) / 67108864.0;
        const int32_t y = (int32_t)((int64_t)i * 2147483); /* [0, 1) in Q0.31 */
        const double recip = 1.0 / (1.0 + y / 2147483648.0);
        const double recip_got = ember_one_over_one_plus_x(y) / 2147483648.0;
        CHECK(fabs(got - exp_a) < 5e-7);
        CHECK(fabs(log_got - log_x) < 2e-7);
        CHECK(fabs(recip_got - recip) < 1e-8);
    }
}

void test_quantization(void) {
    test_srdhm();
    test_rdbpot();
    test_quantize_multiplier();
    test_multiply_by_quantized_multiplier();
    test_multiply_by_quantized_multiplier_i64();
    test_activation_range();
    test_lookup_table();
    test_fixed_point_functions();
}
