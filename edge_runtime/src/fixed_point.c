/* gemmlowp fixed point as TFLite's reference softmax and log-softmax kernels use it (fixed_point.h). The
 * constants are gemmlowp's, the order of every product and sum is theirs: a different association rounds
 * differently. */
#include "fixed_point.h"

#include "quantization.h"

static int32_t wrapping_add(int32_t a, int32_t b) {
    return ember_wrap_i32((uint32_t)a + (uint32_t)b);
}

static int32_t wrapping_sub(int32_t a, int32_t b) {
    return ember_wrap_i32((uint32_t)a - (uint32_t)b);
}

static int32_t saturate_i32(int64_t x) {
    return (int32_t)(x > INT32_MAX ? INT32_MAX : (x < INT32_MIN ? INT32_MIN : x));
}

/* (a + b) / 2 rounded half away from zero, in 64 bits (gemmlowp's RoundingHalfSum). */
static int32_t rounding_half_sum(int32_t a, int32_t b) {
    const int64_t sum = (int64_t)a + b;
    return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* x * 2^exponent saturated (TFLite's SaturatingRoundingMultiplyByPOTParam). The log below passes exponent -1
 * for a negative input, where TFLite shifts by 32 and by -1 (undefined behaviour); x86-64 masks the shift
 * counts to 5 bits, which saturates every nonzero x, and that is what LiteRT computes there. */
static int32_t saturating_multiply_by_pot(int32_t x, int exponent) {
    if (exponent >= 0)
        return ember_saturating_left_shift(x, exponent);
    return x > 0 ? INT32_MAX : (x < 0 ? INT32_MIN : 0);
}

int ember_count_leading_zeros(uint32_t x) {
    int n = 0;
    if (x == 0)
        return 32;
    while (!(x & 0x80000000u)) {
        x <<= 1;
        ++n;
    }
    return n;
}

/* exp(a) for a in [-1/4, 0), a and result Q0.31 (gemmlowp's
 * exp_on_interval_between_negative_one_quarter_and_0_excl): Taylor expansion around -1/8. */
static int32_t exp_on_interval(int32_t a) {
    const int32_t constant_term = 1895147668; /* exp(-1/8) */
    const int32_t constant_1_over_3 = 715827883;
    const int32_t x = wrapping_add(a, (int32_t)1 << 28); /* a + 1/8 */
    const int32_t x2 = ember_srdhm(x, x);
    const int32_t x3 = ember_srdhm(x2, x);
    const int32_t x4 = ember_srdhm(x2, x2);
    const int32_t x4_over_4 = ember_rdbpot(x4, 2);
    const int32_t poly =
        ember_rdbpot(wrapping_add(ember_srdhm(wrapping_add(x4_over_4, x3), constant_1_over_3), x2), 1);
    return wrapping_add(constant_term, ember_srdhm(constant_term, wrapping_add(x, poly)));
}

int32_t ember_exp_on_negative_values_q5(int32_t a) {
    enum { INTEGER_BITS = 5, FRACTIONAL_BITS = 31 - INTEGER_BITS };
    static const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308,
                                           39332535,   720401,     242};
    const int32_t one_quarter = (int32_t)1 << (FRACTIONAL_BITS - 2);
    const int32_t a_mod_quarter_minus_one_quarter = (a & (one_quarter - 1)) - one_quarter;
    const int32_t remainder = wrapping_sub(a_mod_quarter_minus_one_quarter, a);
    int32_t result =
        exp_on_interval(ember_saturating_left_shift(a_mod_quarter_minus_one_quarter, INTEGER_BITS));
    int k;
    for (k = 0; k < 7; ++k) {
        /* bit for exponent k - 2, i.e. exp(-1/4), exp(-1/2), exp(-1), ..., exp(-16) */
        if (remainder & ((int32_t)1 << (FRACTIONAL_BITS + k - 2)))
            result = ember_srdhm(result, multipliers[k]);
    }
    return a == 0 ? INT32_MAX : result;
}

int32_t ember_one_over_one_plus_x(int32_t a) {
    const int32_t half_denominator = rounding_half_sum(a, INT32_MAX); /* (1 + a) / 2, Q0.31 */
    const int32_t constant_48_over_17 = 1515870810;                   /* Q2.29 */
    const int32_t constant_neg_32_over_17 = -1010580540;              /* Q2.29 */
    const int32_t one_q2 = (int32_t)1 << 29;
    int32_t x = wrapping_add(constant_48_over_17, ember_srdhm(half_denominator, constant_neg_32_over_17));
    int i;
    for (i = 0; i < 3; ++i) {
        const int32_t one_minus = wrapping_sub(one_q2, ember_srdhm(half_denominator, x));
        x = wrapping_add(x, ember_saturating_left_shift(ember_srdhm(x, one_minus), 2));
    }
    return ember_saturating_left_shift(x, 1);
}

int32_t ember_log_x_ge_1_q12_to_q5(int32_t x) {
    enum { INPUT_BITS = 12, OUTPUT_BITS = 5, ACCUM_BITS = OUTPUT_BITS + 1 };
    /* Q0.31: log(2), 2^(-1/4), 2^(-1/2), and the coefficients of the rational approximation */
    const int32_t log_2 = 1488522236, sqrt_sqrt_half = 1805811301, sqrt_half = 1518500250;
    const int32_t alpha_n = 117049297, alpha_d = 127690142, alpha_i = 1057819769, alpha_f = 638450708;
    const int32_t shifted_quarter = ember_rdbpot((int32_t)1 << 29, ACCUM_BITS); /* 1/4 in Q6.25 */
    /* x = r_a * 2^(z_a_pow_2) with r_a in [1/2, 1) from the leading zeros, then again after multiplying by
     * sqrt(1/2); of the two, the smaller mantissa with the larger power */
    const int z_a_headroom_plus_1 = ember_count_leading_zeros((uint32_t)x);
    const int32_t r_a_tmp = saturating_multiply_by_pot(x, z_a_headroom_plus_1 - 1);
    const int32_t r_a = ember_saturating_left_shift(ember_srdhm(r_a_tmp, sqrt_half), 1);
    const int32_t z_a_pow_2_adj =
        saturate_i32((int64_t)ember_saturating_left_shift(INPUT_BITS - z_a_headroom_plus_1, 31 - ACCUM_BITS) +
                     shifted_quarter);
    const int32_t z_b = ember_srdhm(x, sqrt_half);
    const int z_b_headroom = ember_count_leading_zeros((uint32_t)z_b) - 1;
    const int32_t r_b = saturating_multiply_by_pot(x, z_b_headroom);
    const int32_t z_b_pow_2_adj = saturate_i32(
        (int64_t)ember_saturating_left_shift(INPUT_BITS - z_b_headroom, 31 - ACCUM_BITS) - shifted_quarter);
    const int32_t r = r_a < r_b ? r_a : r_b;
    const int32_t z_pow_2_adj = z_a_pow_2_adj > z_b_pow_2_adj ? z_a_pow_2_adj : z_b_pow_2_adj;
    /* log(r) for r around 2^(-1/4): q = 2 (r - 2^(-1/4)), num / denom with denom - 1 in [0, 1) */
    const int32_t p = rounding_half_sum(r, sqrt_sqrt_half);
    const int32_t q = wrapping_add(wrapping_sub(r, sqrt_sqrt_half), wrapping_sub(r, sqrt_sqrt_half));
    const int32_t common_sq = ember_srdhm(q, q);
    const int32_t num = wrapping_add(ember_srdhm(q, r), ember_srdhm(ember_srdhm(q, common_sq), alpha_n));
    const int32_t denom_minus_one =
        wrapping_add(ember_srdhm(p, wrapping_add(wrapping_add(alpha_i, q), ember_srdhm(alpha_d, common_sq))),
                     ember_srdhm(alpha_f, q));
    const int32_t recip_denom = ember_one_over_one_plus_x(denom_minus_one);
    const int32_t num_scaled = ember_rdbpot(num, ACCUM_BITS); /* Q6.25 */
    return ember_saturating_left_shift(
        wrapping_add(ember_srdhm(z_pow_2_adj, log_2), ember_srdhm(num_scaled, recip_denom)),
        ACCUM_BITS - OUTPUT_BITS);
}
