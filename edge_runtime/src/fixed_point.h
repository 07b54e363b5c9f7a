/* gemmlowp fixed-point functions that TFLite's reference softmax kernels are built from (gemmlowp's
 * fixedpoint.h and TFLite's kernels/internal/common.h), bit for bit. A Qm.n value is an int32 raw with
 * n = 31 - m fractional bits; the product of a Qa and a Qb value is ember_srdhm of the raws, a Q(a+b) value;
 * sums and differences of raws wrap as TFLite's do on two's complement hardware. */
#ifndef EMBER_FIXED_POINT_H
#define EMBER_FIXED_POINT_H

#include <stdint.h>

/* Leading zero bits of x, 32 for 0 (TFLite's CountLeadingZeros). */
int ember_count_leading_zeros(uint32_t x);

/* exp(a) for a <= 0, a in Q5.26, result Q0.31 (gemmlowp's exp_on_negative_values with 5 integer bits):
 * exp of a mod 1/4 by a Taylor expansion, then one multiplication by exp(-2^k) for every set bit k of the
 * rest; exp(0) is INT32_MAX. */
int32_t ember_exp_on_negative_values_q5(int32_t a);

/* 1 / (1 + x) for x in [0, 1), Q0.31 in and out: three Newton-Raphson steps in Q2.29 (gemmlowp's
 * one_over_one_plus_x_for_x_in_0_1). */
int32_t ember_one_over_one_plus_x(int32_t a);

/* log(x) for x >= 1, x in Q12.19, result Q5.26 (TFLite's log_x_for_x_greater_than_or_equal_to_1<5> on a
 * Q12.19 input): the power of two of x from its leading zeros (adjusted by 1/4 either way, after a
 * premultiplication by sqrt(1/2)), plus a rational approximation of the log of the normalised rest. A
 * negative x (a sum that wrapped) gives what LiteRT computes for it on x86-64. */
int32_t ember_log_x_ge_1_q12_to_q5(int32_t x);

#endif /* EMBER_FIXED_POINT_H */
