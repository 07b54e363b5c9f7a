/* Packed GEMM micro-kernels of FULLY_CONNECTED, 1x1 CONV_2D and im2col CONV_2D, int8 with TFLite's
 * requantisation and float32, with one kernel family per instruction set (portable C, AVX2, AVX-512,
 * AVX-512 VNNI, NEON, NEON dot product). Every family gives the bits of the portable C family, which gives
 * the bits of the reference kernels in kernels/: prepare packs the weights once for a level (cpu_features.h),
 * eval runs any range of rows.
 *
 * int8: out[m][n] = clamp(requant_n(acc[m][n]) + output_offset, act_min, act_max) with
 *   acc[m][n] = bias[n] + sum_k w[n][k] * (a[m][k] + input_offset) in wrapping int32 arithmetic (the
 * reference's); requant_n is ember_multiply_by_quantized_multiplier (double rounding, CONV_2D) or
 *   ember_multiply_single_rounding (FULLY_CONNECTED) with multiplier[n], shift[n]. For im2col, fill padding
 *   taps with the input zero point (-input_offset): they then add exactly 0, as the reference's skipped taps.
 * float32: out[m][n] = clamp(total + bias[n], act_min, act_max), total = 0.0f then += a[m][k] * w[n][k] for
 *   k = 0 .. K-1, each a separate multiply and add (no FMA), as the reference loops. An im2col padding tap
 *   (a = 0) adds 0 * w, which leaves total unchanged unless w is infinite or NaN.
 *
 * Packed buffers: caller memory of ember_gemm_*_packed_bytes bytes, aligned to 16 bytes (EMBER_ALIGNMENT;
 * 64 gives the fastest loads), written once by ember_gemm_*_pack and read only afterwards, so several threads
 * may run disjoint row ranges on one buffer. The result of a row never depends on the range it is run in. */
#ifndef EMBER_GEMM_H
#define EMBER_GEMM_H

#include <stddef.h>
#include <stdint.h>

#include "cpu_features.h"

typedef enum ember_requant_rounding {
    EMBER_REQUANT_DOUBLE = 0, /* srdhm then rounding divide by 2^-shift (TFLite's convolutions) */
    EMBER_REQUANT_SINGLE = 1  /* one rounding in 64 bits (LiteRT's FULLY_CONNECTED); needs shift <= 30 */
} ember_requant_rounding;

/* What an int8 GEMM computes, all known at prepare time. */
typedef struct ember_gemm_i8_params {
    int32_t n, k;                      /* output channels (>= 1), reduction length (>= 1) */
    const int8_t *weights;             /* [n][k], zero point 0 */
    const int32_t *bias;               /* [n], or NULL */
    const int32_t *multiplier, *shift; /* [n] each (repeat the per-tensor value for per-tensor scales) */
    int32_t input_offset;              /* -(input zero point) */
    int32_t output_offset;             /* output zero point */
    int32_t act_min, act_max;          /* clamp, within [-128, 127] */
    ember_requant_rounding rounding;
} ember_gemm_i8_params;

/* Bytes the packed form of an n x k int8 GEMM for `isa` takes (weights, folded bias, requantisation). */
size_t ember_gemm_i8_packed_bytes(int32_t n, int32_t k, ember_isa isa);

/* Packs p for `isa` (a level the CPU supports, e.g. ember_isa_from_env(ember_cpu_detect())) into `packed`. */
void ember_gemm_i8_pack(const ember_gemm_i8_params *p, ember_isa isa, void *packed);

/* Rows [m0, m1) of out (row stride ldo) from rows [m0, m1) of a (row stride lda, k used), n outputs each. */
void ember_gemm_i8_run(const void *packed, const int8_t *a, size_t lda, int8_t *out, size_t ldo, int32_t m0,
                       int32_t m1);

/* What a float32 GEMM computes. */
typedef struct ember_gemm_f32_params {
    int32_t n, k;           /* output channels (>= 1), reduction length (>= 1) */
    const float *weights;   /* [n][k] */
    const float *bias;      /* [n], or NULL (adds 0.0f, as the reference) */
    float act_min, act_max; /* clamp, as ember_clamp_f32 */
} ember_gemm_f32_params;

size_t ember_gemm_f32_packed_bytes(int32_t n, int32_t k, ember_isa isa);
void ember_gemm_f32_pack(const ember_gemm_f32_params *p, ember_isa isa, void *packed);
void ember_gemm_f32_run(const void *packed, const float *a, size_t lda, float *out, size_t ldo, int32_t m0,
                        int32_t m1);

/* The level whose kernels a buffer packed for `isa` runs: `isa` itself, or the next lower level with kernels
 * in this build (SSE41 runs the portable kernels; NEON_DOTPROD runs NEON where the compiler lacks SDOT). */
ember_isa ember_gemm_i8_kernel_isa(ember_isa isa);
ember_isa ember_gemm_f32_kernel_isa(ember_isa isa);

/* The requantisation of the int8 kernels of `isa` alone: out[i] = requant(acc[i], multiplier[i], shift[i])
 * in int32 (before the output offset and clamp), for testing the SIMD arithmetic on extreme values. */
void ember_requant_i32(ember_isa isa, ember_requant_rounding rounding, const int32_t *acc,
                       const int32_t *multiplier, const int32_t *shift, int32_t count, int32_t *out);

/* Depthwise (channel-wise) micro-kernels of DEPTHWISE_CONV_2D: one output pixel from the taps of its window
 * that lie inside the image, vectorised across channels. x[t] points at the input pixel of tap t (its
 * in_c = channels / depth_multiplier channels), w[t] at the filter row of that tap (channels values); taps
 * are summed in the order given (the reference's ky, kx order), output channel c reading input channel
 * c / depth_multiplier. SIMD families run depth multiplier 1; other multipliers run the portable loops.
 * int8: out[c] = clamp(requant(bias[c] + sum_t w[t][c] * (x[t][c / mult] + input_offset)) + output_offset)
 *   in wrapping int32 with double rounding, the bits of the reference kernel (padding taps are left out).
 * float32: out[c] = clamp(total + bias[c]) with total = 0.0f then += x * w tap by tap, no FMA. */
typedef struct ember_dw_i8_params {
    int32_t channels, depth_multiplier;
    const int32_t *bias; /* [channels] or NULL */
    const int32_t *multiplier, *shift;
    int32_t input_offset, output_offset, act_min, act_max;
} ember_dw_i8_params;

typedef struct ember_dw_f32_params {
    int32_t channels, depth_multiplier;
    const float *bias; /* [channels] or NULL (adds 0.0f) */
    float act_min, act_max;
} ember_dw_f32_params;

void ember_dw_i8_pixel(ember_isa isa, const ember_dw_i8_params *p, const int8_t *const *x,
                       const int8_t *const *w, int32_t taps, int8_t *out);
void ember_dw_f32_pixel(ember_isa isa, const ember_dw_f32_params *p, const float *const *x,
                        const float *const *w, int32_t taps, float *out);

#endif /* EMBER_GEMM_H */
