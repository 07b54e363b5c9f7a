/* TFLite's requantisation on 8 (AVX2) or 16 (AVX-512) int32 lanes, bit for bit the scalar functions of
 * quantization.h: 32 x 32 -> 64-bit products of even and odd lanes, recombined. Included by the x86 kernel
 * files only (EMBER_GEMM_X86); every function carries its target, so the including file needs no flags. */
#ifndef EMBER_REQUANT_X86_H
#define EMBER_REQUANT_X86_H

#include <immintrin.h>
#include <stdint.h>

#define EMBER_AVX2_INLINE static inline __attribute__((target("avx2"), always_inline))
#define EMBER_AVX512_INLINE static inline __attribute__((target("avx512f,avx512bw,avx512vl"), always_inline))

/* srdhm: bits 31..62 of a * b + 2^30 are round-half-up(a * b / 2^31), which is gemmlowp's nudged truncation;
 * the one overflow, INT32_MIN * INT32_MIN, comes out as INT32_MIN and saturates to INT32_MAX. */
EMBER_AVX2_INLINE __m256i ember_srdhm_avx2(__m256i a, __m256i b) {
    const __m256i nudge = _mm256_set1_epi64x((long long)1 << 30);
    const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(a, b), nudge);
    const __m256i odd =
        _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(b, 32)), nudge);
    const __m256i r = _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xaa);
    return _mm256_xor_si256(r, _mm256_cmpeq_epi32(r, _mm256_set1_epi32(INT32_MIN)));
}

/* rdbpot: arithmetic shift plus one where the remainder exceeds half (half plus one for negatives). */
EMBER_AVX2_INLINE __m256i ember_rdbpot_avx2(__m256i x, __m256i exponent) {
    const __m256i one = _mm256_set1_epi32(1);
    const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, exponent), one);
    const __m256i remainder = _mm256_and_si256(x, mask);
    const __m256i threshold = _mm256_sub_epi32(_mm256_srai_epi32(mask, 1), _mm256_srai_epi32(x, 31));
    return _mm256_sub_epi32(_mm256_srav_epi32(x, exponent), _mm256_cmpgt_epi32(remainder, threshold));
}

/* ember_multiply_by_quantized_multiplier: the left shift wraps in 32 bits as the scalar one. */
EMBER_AVX2_INLINE __m256i ember_requant_double_avx2(__m256i x, __m256i multiplier, __m256i left,
                                                    __m256i right) {
    return ember_rdbpot_avx2(ember_srdhm_avx2(_mm256_sllv_epi32(x, left), multiplier), right);
}

/* Floor shift of int64 lanes (AVX2 has no vpsravq): complement negatives around a logical shift. */
EMBER_AVX2_INLINE __m256i ember_sra64_avx2(__m256i v, __m256i count) {
    const __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), v);
    return _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(v, sign), count), sign);
}

/* ember_multiply_single_rounding with total = 31 - shift in [1, 62]; the low 32 bits of the result. */
EMBER_AVX2_INLINE __m256i ember_requant_single_avx2(__m256i x, __m256i multiplier, __m256i total) {
    const __m256i one = _mm256_set1_epi64x(1);
    const __m256i total_even = _mm256_and_si256(total, _mm256_set1_epi64x(0xffffffffll));
    const __m256i total_odd = _mm256_srli_epi64(total, 32);
    __m256i even = _mm256_mul_epi32(x, multiplier);
    __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(multiplier, 32));
    even = _mm256_add_epi64(even, _mm256_sllv_epi64(one, _mm256_sub_epi64(total_even, one)));
    odd = _mm256_add_epi64(odd, _mm256_sllv_epi64(one, _mm256_sub_epi64(total_odd, one)));
    even = ember_sra64_avx2(even, total_even);
    odd = ember_sra64_avx2(odd, total_odd);
    return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xaa);
}

/* + output offset (wrapping, as the scalar path), clamp. */
EMBER_AVX2_INLINE __m256i ember_requant_out_avx2(__m256i y, __m256i offset, __m256i lo, __m256i hi) {
    return _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(y, offset), lo), hi);
}

EMBER_AVX512_INLINE __m512i ember_srdhm_avx512(__m512i a, __m512i b) {
    const __m512i nudge = _mm512_set1_epi64((long long)1 << 30);
    const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(a, b), nudge);
    const __m512i odd =
        _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(a, 32), _mm512_srli_epi64(b, 32)), nudge);
    const __m512i r =
        _mm512_mask_blend_epi32((__mmask16)0xaaaa, _mm512_srli_epi64(even, 31), _mm512_slli_epi64(odd, 1));
    const __m512i min = _mm512_set1_epi32(INT32_MIN);
    return _mm512_mask_mov_epi32(r, _mm512_cmpeq_epi32_mask(r, min), _mm512_set1_epi32(INT32_MAX));
}

EMBER_AVX512_INLINE __m512i ember_rdbpot_avx512(__m512i x, __m512i exponent) {
    const __m512i one = _mm512_set1_epi32(1);
    const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, exponent), one);
    const __m512i remainder = _mm512_and_si512(x, mask);
    const __m512i threshold = _mm512_add_epi32(_mm512_srai_epi32(mask, 1), _mm512_srli_epi32(x, 31));
    const __m512i shifted = _mm512_srav_epi32(x, exponent);
    return _mm512_mask_add_epi32(shifted, _mm512_cmpgt_epi32_mask(remainder, threshold), shifted, one);
}

EMBER_AVX512_INLINE __m512i ember_requant_double_avx512(__m512i x, __m512i multiplier, __m512i left,
                                                        __m512i right) {
    return ember_rdbpot_avx512(ember_srdhm_avx512(_mm512_sllv_epi32(x, left), multiplier), right);
}

EMBER_AVX512_INLINE __m512i ember_requant_single_avx512(__m512i x, __m512i multiplier, __m512i total) {
    const __m512i one = _mm512_set1_epi64(1);
    const __m512i total_even = _mm512_and_si512(total, _mm512_set1_epi64(0xffffffffll));
    const __m512i total_odd = _mm512_srli_epi64(total, 32);
    __m512i even = _mm512_mul_epi32(x, multiplier);
    __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(multiplier, 32));
    even = _mm512_add_epi64(even, _mm512_sllv_epi64(one, _mm512_sub_epi64(total_even, one)));
    odd = _mm512_add_epi64(odd, _mm512_sllv_epi64(one, _mm512_sub_epi64(total_odd, one)));
    even = _mm512_srav_epi64(even, total_even);
    odd = _mm512_srav_epi64(odd, total_odd);
    return _mm512_mask_blend_epi32((__mmask16)0xaaaa, even, _mm512_slli_epi64(odd, 32));
}

EMBER_AVX512_INLINE __m512i ember_requant_out_avx512(__m512i y, __m512i offset, __m512i lo, __m512i hi) {
    return _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(y, offset), lo), hi);
}

#endif /* EMBER_REQUANT_X86_H */
