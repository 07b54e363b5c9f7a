/* ember_requant_i32's AVX2 and AVX-512 forms: the kernels' requantisation alone, on raw shifts. */
#include "gemm/gemm_internal.h"

#ifdef EMBER_GEMM_X86
#include <string.h>

#include "gemm/requant_x86.h"

__attribute__((target("avx2"))) void ember_requant_avx2(ember_requant_rounding rounding, const int32_t *acc,
                                                        const int32_t *multiplier, const int32_t *shift,
                                                        int32_t count, int32_t *out) {
    int32_t i;
    for (i = 0; i < count; i += 8) {
        int32_t x[8] = {0}, m[8] = {0}, s[8] = {0}, y[8];
        const int32_t lanes = count - i < 8 ? count - i : 8;
        __m256i vx, vm, vs, r;
        memcpy(x, acc + i, sizeof(int32_t) * (size_t)lanes);
        memcpy(m, multiplier + i, sizeof(int32_t) * (size_t)lanes);
        memcpy(s, shift + i, sizeof(int32_t) * (size_t)lanes);
        vx = _mm256_loadu_si256((const __m256i *)(const void *)x);
        vm = _mm256_loadu_si256((const __m256i *)(const void *)m);
        vs = _mm256_loadu_si256((const __m256i *)(const void *)s);
        if (rounding == EMBER_REQUANT_SINGLE) {
            r = ember_requant_single_avx2(vx, vm, _mm256_sub_epi32(_mm256_set1_epi32(31), vs));
        } else {
            const __m256i zero = _mm256_setzero_si256();
            r = ember_requant_double_avx2(vx, vm, _mm256_max_epi32(vs, zero),
                                          _mm256_max_epi32(_mm256_sub_epi32(zero, vs), zero));
        }
        _mm256_storeu_si256((__m256i *)(void *)y, r);
        memcpy(out + i, y, sizeof(int32_t) * (size_t)lanes);
    }
}

__attribute__((target("avx512f,avx512bw,avx512vl"))) void
ember_requant_avx512(ember_requant_rounding rounding, const int32_t *acc, const int32_t *multiplier,
                     const int32_t *shift, int32_t count, int32_t *out) {
    int32_t i;
    for (i = 0; i < count; i += 16) {
        const __mmask16 lanes = (__mmask16)(count - i >= 16 ? 0xffff : (1u << (count - i)) - 1);
        const __m512i vx = _mm512_maskz_loadu_epi32(lanes, acc + i);
        const __m512i vm = _mm512_maskz_loadu_epi32(lanes, multiplier + i);
        const __m512i vs = _mm512_maskz_loadu_epi32(lanes, shift + i);
        __m512i r;
        if (rounding == EMBER_REQUANT_SINGLE) {
            r = ember_requant_single_avx512(vx, vm, _mm512_sub_epi32(_mm512_set1_epi32(31), vs));
        } else {
            const __m512i zero = _mm512_setzero_si512();
            r = ember_requant_double_avx512(vx, vm, _mm512_max_epi32(vs, zero),
                                            _mm512_max_epi32(_mm512_sub_epi32(zero, vs), zero));
        }
        _mm512_mask_storeu_epi32(out + i, lanes, r);
    }
}
#else
typedef int ember_requant_x86_unused; /* ISO C forbids an empty translation unit */
#endif
