/* AVX2 and AVX-512 depthwise pixel kernels (gemm.h: ember_dw_*_pixel, depth multiplier 1): 16 channels per
 * step (8 per AVX2 float register). int8 products w * (x + input_offset) fit int16 exactly (|x + offset| <=
 * 255, |w| <= 128), so they are formed with 16-bit multiplies and widened into int32 accumulators, which wrap
 * as the reference's; requantisation is requant_x86.h's, bit for bit the scalar one. */
#include "gemm/gemm_internal.h"

#ifdef EMBER_GEMM_X86
#include "gemm/requant_x86.h"

__attribute__((target("avx2"))) void ember_dw_i8_avx2(const ember_dw_i8_params *p, const int8_t *const *x,
                                                      const int8_t *const *w, int32_t taps, int8_t *out) {
    const __m256i offset = _mm256_set1_epi16((int16_t)p->input_offset);
    const __m256i out_offset = _mm256_set1_epi32(p->output_offset);
    const __m256i lo = _mm256_set1_epi32(p->act_min), hi = _mm256_set1_epi32(p->act_max);
    const __m256i zero = _mm256_setzero_si256();
    int32_t c, t;
    for (c = 0; c + 16 <= p->channels; c += 16) {
        __m256i acc0 = p->bias ? _mm256_loadu_si256((const __m256i *)(const void *)(p->bias + c)) : zero;
        __m256i acc1 = p->bias ? _mm256_loadu_si256((const __m256i *)(const void *)(p->bias + c + 8)) : zero;
        __m256i m, s, y0, y1, packed;
        for (t = 0; t < taps; ++t) {
            const __m256i xv =
                _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(x[t] + c)));
            const __m256i wv =
                _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(w[t] + c)));
            const __m256i prod = _mm256_mullo_epi16(_mm256_add_epi16(xv, offset), wv);
            acc0 = _mm256_add_epi32(acc0, _mm256_cvtepi16_epi32(_mm256_castsi256_si128(prod)));
            acc1 = _mm256_add_epi32(acc1, _mm256_cvtepi16_epi32(_mm256_extracti128_si256(prod, 1)));
        }
        m = _mm256_loadu_si256((const __m256i *)(const void *)(p->multiplier + c));
        s = _mm256_loadu_si256((const __m256i *)(const void *)(p->shift + c));
        y0 = ember_requant_double_avx2(acc0, m, _mm256_max_epi32(s, zero),
                                       _mm256_max_epi32(_mm256_sub_epi32(zero, s), zero));
        m = _mm256_loadu_si256((const __m256i *)(const void *)(p->multiplier + c + 8));
        s = _mm256_loadu_si256((const __m256i *)(const void *)(p->shift + c + 8));
        y1 = ember_requant_double_avx2(acc1, m, _mm256_max_epi32(s, zero),
                                       _mm256_max_epi32(_mm256_sub_epi32(zero, s), zero));
        y0 = ember_requant_out_avx2(y0, out_offset, lo, hi);
        y1 = ember_requant_out_avx2(y1, out_offset, lo, hi);
        /* Clamped to int8 already, so the saturating packs are exact; the permute undoes their lane order. */
        packed = _mm256_permute4x64_epi64(_mm256_packs_epi32(y0, y1), 0xd8);
        _mm_storeu_si128((__m128i *)(void *)(out + c), _mm_packs_epi16(_mm256_castsi256_si128(packed),
                                                                       _mm256_extracti128_si256(packed, 1)));
    }
    ember_dw_i8_channels(p, x, w, taps, c, p->channels, out);
}

__attribute__((target("avx512f,avx512bw,avx512vl"))) void ember_dw_i8_avx512(const ember_dw_i8_params *p,
                                                                             const int8_t *const *x,
                                                                             const int8_t *const *w,
                                                                             int32_t taps, int8_t *out) {
    const __m256i offset = _mm256_set1_epi16((int16_t)p->input_offset);
    const __m512i out_offset = _mm512_set1_epi32(p->output_offset);
    const __m512i lo = _mm512_set1_epi32(p->act_min), hi = _mm512_set1_epi32(p->act_max);
    const __m512i zero = _mm512_setzero_si512();
    int32_t c, t;
    for (c = 0; c < p->channels; c += 16) {
        const __mmask16 lanes = (__mmask16)(p->channels - c >= 16 ? 0xffffu : (1u << (p->channels - c)) - 1u);
        __m512i acc = p->bias ? _mm512_maskz_loadu_epi32(lanes, p->bias + c) : zero;
        __m512i m, s, y;
        for (t = 0; t < taps; ++t) {
            const __m256i xv = _mm256_cvtepi8_epi16(_mm_maskz_loadu_epi8(lanes, x[t] + c));
            const __m256i wv = _mm256_cvtepi8_epi16(_mm_maskz_loadu_epi8(lanes, w[t] + c));
            const __m256i prod = _mm256_mullo_epi16(_mm256_add_epi16(xv, offset), wv);
            acc = _mm512_add_epi32(acc, _mm512_cvtepi16_epi32(prod));
        }
        m = _mm512_maskz_loadu_epi32(lanes, p->multiplier + c);
        s = _mm512_maskz_loadu_epi32(lanes, p->shift + c);
        y = ember_requant_double_avx512(acc, m, _mm512_max_epi32(s, zero),
                                        _mm512_max_epi32(_mm512_sub_epi32(zero, s), zero));
        y = ember_requant_out_avx512(y, out_offset, lo, hi);
        _mm_mask_storeu_epi8(out + c, lanes, _mm512_cvtepi32_epi8(y));
    }
}
#endif

#ifdef EMBER_GEMM_X86_F32
__attribute__((target("avx2"))) void ember_dw_f32_avx2(const ember_dw_f32_params *p, const float *const *x,
                                                       const float *const *w, int32_t taps, float *out) {
    const __m256 lo = _mm256_set1_ps(p->act_min), hi = _mm256_set1_ps(p->act_max);
    int32_t c, t;
    for (c = 0; c + 8 <= p->channels; c += 8) {
        __m256 total = _mm256_setzero_ps(), y;
        for (t = 0; t < taps; ++t) {
            __m256 prod = _mm256_mul_ps(_mm256_loadu_ps(x[t] + c), _mm256_loadu_ps(w[t] + c));
            EMBER_NO_CONTRACT(prod);
            total = _mm256_add_ps(total, prod);
        }
        y = _mm256_add_ps(total, p->bias ? _mm256_loadu_ps(p->bias + c) : _mm256_setzero_ps());
        _mm256_storeu_ps(out + c, _mm256_min_ps(hi, _mm256_max_ps(lo, y)));
    }
    ember_dw_f32_channels(p, x, w, taps, c, p->channels, out);
}

__attribute__((target("avx512f,avx512bw,avx512vl"))) void ember_dw_f32_avx512(const ember_dw_f32_params *p,
                                                                              const float *const *x,
                                                                              const float *const *w,
                                                                              int32_t taps, float *out) {
    const __m512 lo = _mm512_set1_ps(p->act_min), hi = _mm512_set1_ps(p->act_max);
    int32_t c, t;
    for (c = 0; c < p->channels; c += 16) {
        const __mmask16 lanes = (__mmask16)(p->channels - c >= 16 ? 0xffffu : (1u << (p->channels - c)) - 1u);
        __m512 total = _mm512_setzero_ps(), y;
        for (t = 0; t < taps; ++t) {
            __m512 prod =
                _mm512_mul_ps(_mm512_maskz_loadu_ps(lanes, x[t] + c), _mm512_maskz_loadu_ps(lanes, w[t] + c));
            EMBER_NO_CONTRACT(prod);
            total = _mm512_add_ps(total, prod);
        }
        y = _mm512_add_ps(total, p->bias ? _mm512_maskz_loadu_ps(lanes, p->bias + c) : _mm512_setzero_ps());
        _mm512_mask_storeu_ps(out + c, lanes, _mm512_min_ps(hi, _mm512_max_ps(lo, y)));
    }
}
#endif

#if !defined(EMBER_GEMM_X86) && !defined(EMBER_GEMM_X86_F32)
typedef int ember_depthwise_x86_unused; /* ISO C forbids an empty translation unit */
#endif
