/* What the GEMM kernel families share: which families this build compiles, the packed buffer layout, and the
 * scalar requantisation (quantization.h) that the portable family uses. */
#ifndef EMBER_GEMM_INTERNAL_H
#define EMBER_GEMM_INTERNAL_H

#include <float.h>
#include <stddef.h>
#include <stdint.h>

#include "gemm/gemm.h"
#include "quantization.h"

/* SIMD families need GCC >= 9 or clang (function-level target attributes with the intrinsics headers);
 * every build compiles all files with the same flags, so each SIMD function carries its own target. */
#if !defined(EMBER_PORTABLE_ONLY) && defined(__GNUC__) && (defined(__clang__) || __GNUC__ >= 9)
#if defined(__x86_64__) || defined(__i386__)
#define EMBER_GEMM_X86 1
/* x87 float arithmetic (FLT_EVAL_METHOD 2, i386 without SSE) rounds the reference differently from SSE. */
#if FLT_EVAL_METHOD == 0
#define EMBER_GEMM_X86_F32 1
#endif
#endif
/* 32-bit ARM NEON flushes denormals and may be absent (vfpv3-d16), so only aarch64 gets NEON families. */
#if defined(__aarch64__)
#define EMBER_GEMM_NEON 1
#if defined(__ARM_FEATURE_DOTPROD) || (!defined(__clang__) && __GNUC__ >= 10)
#define EMBER_GEMM_NEON_DOTPROD 1
#endif
#endif
#endif

/* Keeps a SIMD product in a register so that no compiler contracts the following add into an FMA,
 * whatever -ffp-contract says (the reference multiplies and adds separately). */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define EMBER_NO_CONTRACT(v) __asm__("" : "+v"(v))
#elif defined(__GNUC__) && defined(__aarch64__)
#define EMBER_NO_CONTRACT(v) __asm__("" : "+w"(v))
#else
#define EMBER_NO_CONTRACT(v) ((void)0)
#endif

/* A packed buffer starts with this 64-byte header. int8 then holds n_pad int32 each of folded bias,
 * multiplier, shift, left and right (the SIMD forms of the shift, below), then the weights as
 * [n_pad / nr][k_pad / kg][nr][kg] int8 (zero padded); float32 holds n_pad float bias, then
 * [n_pad / nr][k][nr] float weights. n_pad and k_pad round n and k up to nr and kg. */
typedef struct ember_gemm_header {
    int32_t isa; /* the kernel family that runs it */
    int32_t n, k, n_pad, k_pad, nr, kg;
    int32_t rounding, output_offset, act_min, act_max;
    float act_min_f, act_max_f;
    int32_t reserved[3];
} ember_gemm_header;

#define EMBER_GEMM_HEADER_BYTES 64

/* int8 per-channel arrays after the header. Double rounding: left = max(shift, 0), right = max(-shift, 0);
 * single rounding: left unused, right = 31 - shift (the total right shift of the 64-bit product). */
typedef struct ember_gemm_i8_view {
    const int32_t *bias, *multiplier, *shift, *left, *right;
    const int8_t *weights;
} ember_gemm_i8_view;

static inline ember_gemm_i8_view ember_gemm_i8_unpack(const ember_gemm_header *h) {
    ember_gemm_i8_view v;
    const int32_t *base = (const int32_t *)(const void *)((const uint8_t *)h + EMBER_GEMM_HEADER_BYTES);
    v.bias = base;
    v.multiplier = base + h->n_pad;
    v.shift = base + 2 * (size_t)h->n_pad;
    v.left = base + 3 * (size_t)h->n_pad;
    v.right = base + 4 * (size_t)h->n_pad;
    v.weights = (const int8_t *)(const void *)(base + 5 * (size_t)h->n_pad);
    return v;
}

static inline const float *ember_gemm_f32_bias(const ember_gemm_header *h) {
    return (const float *)(const void *)((const uint8_t *)h + EMBER_GEMM_HEADER_BYTES);
}

static inline const float *ember_gemm_f32_weights(const ember_gemm_header *h) {
    return ember_gemm_f32_bias(h) + h->n_pad;
}

/* Kernel families: rows [m0, m1) of a packed GEMM. */
typedef void ember_gemm_i8_kernel(const ember_gemm_header *h, const int8_t *a, size_t lda, int8_t *out,
                                  size_t ldo, int32_t m0, int32_t m1);
typedef void ember_gemm_f32_kernel(const ember_gemm_header *h, const float *a, size_t lda, float *out,
                                   size_t ldo, int32_t m0, int32_t m1);
/* The requantisation of a family on count values (ember_requant_i32). */
typedef void ember_requant_kernel(ember_requant_rounding rounding, const int32_t *acc,
                                  const int32_t *multiplier, const int32_t *shift, int32_t count,
                                  int32_t *out);

ember_gemm_i8_kernel ember_gemm_i8_portable;
ember_gemm_f32_kernel ember_gemm_f32_portable;
ember_requant_kernel ember_requant_portable;
#ifdef EMBER_GEMM_X86
ember_gemm_i8_kernel ember_gemm_i8_avx2, ember_gemm_i8_avx512, ember_gemm_i8_avx512_vnni;
ember_requant_kernel ember_requant_avx2, ember_requant_avx512;
#endif
#ifdef EMBER_GEMM_X86_F32
ember_gemm_f32_kernel ember_gemm_f32_avx2, ember_gemm_f32_avx512;
#endif
#ifdef EMBER_GEMM_NEON
ember_gemm_i8_kernel ember_gemm_i8_neon;
ember_gemm_f32_kernel ember_gemm_f32_neon;
ember_requant_kernel ember_requant_neon;
#endif
#ifdef EMBER_GEMM_NEON_DOTPROD
ember_gemm_i8_kernel ember_gemm_i8_neon_dotprod;
#endif

/* Depthwise pixel kernels of a family (gemm.h: ember_dw_*_pixel), depth multiplier 1. */
typedef void ember_dw_i8_kernel(const ember_dw_i8_params *p, const int8_t *const *x, const int8_t *const *w,
                                int32_t taps, int8_t *out);
typedef void ember_dw_f32_kernel(const ember_dw_f32_params *p, const float *const *x, const float *const *w,
                                 int32_t taps, float *out);
ember_dw_i8_kernel ember_dw_i8_portable;
ember_dw_f32_kernel ember_dw_f32_portable;
#ifdef EMBER_GEMM_X86
ember_dw_i8_kernel ember_dw_i8_avx2, ember_dw_i8_avx512;
#endif
#ifdef EMBER_GEMM_X86_F32
ember_dw_f32_kernel ember_dw_f32_avx2, ember_dw_f32_avx512;
#endif
#ifdef EMBER_GEMM_NEON
ember_dw_i8_kernel ember_dw_i8_neon;
ember_dw_f32_kernel ember_dw_f32_neon;
#endif

/* Channels [c0, c1) of an int8 depthwise pixel, one channel at a time (any depth multiplier). */
void ember_dw_i8_channels(const ember_dw_i8_params *p, const int8_t *const *x, const int8_t *const *w,
                          int32_t taps, int32_t c0, int32_t c1, int8_t *out);
/* Channels [c0, c1) of a float32 depthwise pixel, one channel at a time (any depth multiplier). */
void ember_dw_f32_channels(const ember_dw_f32_params *p, const float *const *x, const float *const *w,
                           int32_t taps, int32_t c0, int32_t c1, float *out);

#endif /* EMBER_GEMM_INTERNAL_H */
