/* AVX2 and AVX-512 elementwise kernels (elementwise.h). int8 rows widen to int32 lanes and requantise with
 * requant_x86.h, bit for bit the scalar functions; an operand broadcast along the row (stride 0) is one
 * value, scaled once. AVX2 runs 16 elements a step and leaves the tail to the portable kernels; AVX-512 runs
 * 16 a step with masked loads and stores. Float rows are one IEEE operation and the reference's clamp
 * (max(lo, x) then min(hi, y), which keep NaN and signed zeros as ember_clamp_f32 does). */
#include "gemm/elementwise_internal.h"

#ifdef EMBER_GEMM_X86
#include "gemm/requant_x86.h"

#define AVX2 __attribute__((target("avx2")))
#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

EMBER_AVX2_INLINE __m256i load8_avx2(const int8_t *x) {
    return _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)x));
}

/* 16 int32 lanes already within [-128, 127] to 16 bytes (the saturating packs are exact). */
EMBER_AVX2_INLINE void store16_avx2(int8_t *out, __m256i y0, __m256i y1) {
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packs_epi32(y0, y1), 0xd8);
    _mm_storeu_si128((__m128i *)(void *)out,
                     _mm_packs_epi16(_mm256_castsi256_si128(packed), _mm256_extracti128_si256(packed, 1)));
}

/* Requantisation constants of one multiplier and shift (left = max(shift, 0), right = max(-shift, 0)). */
typedef struct quant_avx2 {
    __m256i multiplier, left, right;
} quant_avx2;

EMBER_AVX2_INLINE quant_avx2 quant_avx2_of(int32_t multiplier, int32_t shift) {
    quant_avx2 q;
    q.multiplier = _mm256_set1_epi32(multiplier);
    q.left = _mm256_set1_epi32(shift > 0 ? shift : 0);
    q.right = _mm256_set1_epi32(shift > 0 ? 0 : -shift);
    return q;
}

EMBER_AVX2_INLINE __m256i requant_avx2(__m256i x, const quant_avx2 *q) {
    return ember_requant_double_avx2(x, q->multiplier, q->left, q->right);
}

/* ADD's scaled input of 8 elements: requant((x + offset) << left_shift). */
EMBER_AVX2_INLINE __m256i add_scale_avx2(const int8_t *x, __m256i offset, __m256i left_shift,
                                         const quant_avx2 *q) {
    return requant_avx2(_mm256_sllv_epi32(_mm256_add_epi32(load8_avx2(x), offset), left_shift), q);
}

AVX2 void ember_add_i8_avx2(const ember_add_i8_params *p, const int8_t *x1, int32_t s1, const int8_t *x2,
                            int32_t s2, int8_t *out, int32_t n) {
    if (n <= 0)
        return;
    const quant_avx2 q1 = quant_avx2_of(p->input1_multiplier, p->input1_shift);
    const quant_avx2 q2 = quant_avx2_of(p->input2_multiplier, p->input2_shift);
    const quant_avx2 qo = quant_avx2_of(p->output_multiplier, p->output_shift);
    const __m256i offset1 = _mm256_set1_epi32(p->input1_offset),
                  offset2 = _mm256_set1_epi32(p->input2_offset);
    const __m256i left_shift = _mm256_set1_epi32(p->left_shift);
    const __m256i out_offset = _mm256_set1_epi32(p->output_offset);
    const __m256i lo = _mm256_set1_epi32(p->act_min), hi = _mm256_set1_epi32(p->act_max);
    /* A broadcast operand's scaled value, the same in every lane. */
    const __m256i fixed1 = _mm256_set1_epi32(p->scaled1[(uint8_t)x1[0]]);
    const __m256i fixed2 = _mm256_set1_epi32(p->scaled2[(uint8_t)x2[0]]);
    int32_t i, h;
    for (i = 0; i + 16 <= n; i += 16) {
        __m256i y[2];
        for (h = 0; h < 2; ++h) {
            const __m256i a = s1 ? add_scale_avx2(x1 + i + 8 * h, offset1, left_shift, &q1) : fixed1;
            const __m256i b = s2 ? add_scale_avx2(x2 + i + 8 * h, offset2, left_shift, &q2) : fixed2;
            const __m256i sum = p->subtract ? _mm256_sub_epi32(a, b) : _mm256_add_epi32(a, b);
            y[h] = ember_requant_out_avx2(requant_avx2(sum, &qo), out_offset, lo, hi);
        }
        store16_avx2(out + i, y[0], y[1]);
    }
    ember_add_i8_portable(p, x1 + i * s1, s1, x2 + i * s2, s2, out + i, n - i);
}

AVX2 void ember_mul_i8_avx2(const ember_mul_i8_params *p, const int8_t *x1, int32_t s1, const int8_t *x2,
                            int32_t s2, int8_t *out, int32_t n) {
    if (n <= 0)
        return;
    const quant_avx2 q = quant_avx2_of(p->multiplier, p->shift);
    const __m256i offset1 = _mm256_set1_epi32(p->input1_offset),
                  offset2 = _mm256_set1_epi32(p->input2_offset);
    const __m256i out_offset = _mm256_set1_epi32(p->output_offset);
    const __m256i lo = _mm256_set1_epi32(p->act_min), hi = _mm256_set1_epi32(p->act_max);
    const __m256i fixed1 = _mm256_set1_epi32(p->input1_offset + x1[0]);
    const __m256i fixed2 = _mm256_set1_epi32(p->input2_offset + x2[0]);
    int32_t i, h;
    for (i = 0; i + 16 <= n; i += 16) {
        __m256i y[2];
        for (h = 0; h < 2; ++h) {
            const __m256i a = s1 ? _mm256_add_epi32(load8_avx2(x1 + i + 8 * h), offset1) : fixed1;
            const __m256i b = s2 ? _mm256_add_epi32(load8_avx2(x2 + i + 8 * h), offset2) : fixed2;
            y[h] = ember_requant_out_avx2(requant_avx2(_mm256_mullo_epi32(a, b), &q), out_offset, lo, hi);
        }
        store16_avx2(out + i, y[0], y[1]);
    }
    ember_mul_i8_portable(p, x1 + i * s1, s1, x2 + i * s2, s2, out + i, n - i);
}

/* 256 entries as 16 byte shuffles of 16 entries, one per high nibble, each kept where the nibble matches. */
AVX2 void ember_lut_i8_avx2(const int8_t table[256], const int8_t *x, int8_t *out, int32_t n) {
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    __m256i rows[16];
    int32_t i, k;
    for (k = 0; k < 16; ++k)
        rows[k] =
            _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)(table + 16 * k)));
    for (i = 0; i + 32 <= n; i += 32) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(x + i));
        const __m256i low = _mm256_and_si256(v, nibble);
        const __m256i high = _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble);
        __m256i y = _mm256_shuffle_epi8(rows[0], low);
        for (k = 1; k < 16; ++k)
            y = _mm256_blendv_epi8(y, _mm256_shuffle_epi8(rows[k], low),
                                   _mm256_cmpeq_epi8(high, _mm256_set1_epi8((char)k)));
        _mm256_storeu_si256((__m256i *)(void *)(out + i), y);
    }
    ember_lut_i8_portable(table, x + i, out + i, n - i);
}

/* 32 channels a block, 4 accumulators of 8. */
AVX2 void ember_column_sums_i8_avx2(const int8_t *x, size_t stride, int32_t rows, int32_t channels,
                                    int32_t *sum) {
    int32_t c, r, j;
    for (c = 0; c + 32 <= channels; c += 32) {
        __m256i acc[4];
        const int8_t *row = x + c;
        for (j = 0; j < 4; ++j)
            acc[j] = _mm256_setzero_si256();
        for (r = 0; r < rows; ++r, row += stride)
            for (j = 0; j < 4; ++j)
                acc[j] = _mm256_add_epi32(acc[j], load8_avx2(row + 8 * j));
        for (j = 0; j < 4; ++j)
            _mm256_storeu_si256((__m256i *)(void *)(sum + c + 8 * j), acc[j]);
    }
    if (c < channels)
        ember_column_sums_i8_portable(x + c, stride, rows, channels - c, sum + c);
}

/* Lanes [0, count) of 16, count may be <= 0 or >= 16. */
EMBER_AVX512_INLINE __mmask16 lanes16(int32_t count) {
    return (__mmask16)(count >= 16 ? 0xffffu : (count <= 0 ? 0u : (1u << count) - 1u));
}

typedef struct quant_avx512 {
    __m512i multiplier, left, right;
} quant_avx512;

EMBER_AVX512_INLINE quant_avx512 quant_avx512_of(int32_t multiplier, int32_t shift) {
    quant_avx512 q;
    q.multiplier = _mm512_set1_epi32(multiplier);
    q.left = _mm512_set1_epi32(shift > 0 ? shift : 0);
    q.right = _mm512_set1_epi32(shift > 0 ? 0 : -shift);
    return q;
}

EMBER_AVX512_INLINE __m512i requant_avx512(__m512i x, const quant_avx512 *q) {
    return ember_requant_double_avx512(x, q->multiplier, q->left, q->right);
}

EMBER_AVX512_INLINE __m512i load16_avx512(__mmask16 lanes, const int8_t *x) {
    return _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(lanes, x));
}

AVX512 void ember_add_i8_avx512(const ember_add_i8_params *p, const int8_t *x1, int32_t s1, const int8_t *x2,
                                int32_t s2, int8_t *out, int32_t n) {
    if (n <= 0)
        return;
    const quant_avx512 q1 = quant_avx512_of(p->input1_multiplier, p->input1_shift);
    const quant_avx512 q2 = quant_avx512_of(p->input2_multiplier, p->input2_shift);
    const quant_avx512 qo = quant_avx512_of(p->output_multiplier, p->output_shift);
    const __m512i offset1 = _mm512_set1_epi32(p->input1_offset),
                  offset2 = _mm512_set1_epi32(p->input2_offset);
    const __m512i left_shift = _mm512_set1_epi32(p->left_shift);
    const __m512i out_offset = _mm512_set1_epi32(p->output_offset);
    const __m512i lo = _mm512_set1_epi32(p->act_min), hi = _mm512_set1_epi32(p->act_max);
    const __m512i fixed1 = _mm512_set1_epi32(p->scaled1[(uint8_t)x1[0]]);
    const __m512i fixed2 = _mm512_set1_epi32(p->scaled2[(uint8_t)x2[0]]);
    int32_t i;
    for (i = 0; i < n; i += 16) {
        const __mmask16 lanes = lanes16(n - i);
        const __m512i a =
            s1 ? requant_avx512(
                     _mm512_sllv_epi32(_mm512_add_epi32(load16_avx512(lanes, x1 + i), offset1), left_shift),
                     &q1)
               : fixed1;
        const __m512i b =
            s2 ? requant_avx512(
                     _mm512_sllv_epi32(_mm512_add_epi32(load16_avx512(lanes, x2 + i), offset2), left_shift),
                     &q2)
               : fixed2;
        const __m512i sum = p->subtract ? _mm512_sub_epi32(a, b) : _mm512_add_epi32(a, b);
        const __m512i y = ember_requant_out_avx512(requant_avx512(sum, &qo), out_offset, lo, hi);
        _mm_mask_storeu_epi8(out + i, lanes, _mm512_cvtepi32_epi8(y));
    }
}

AVX512 void ember_mul_i8_avx512(const ember_mul_i8_params *p, const int8_t *x1, int32_t s1, const int8_t *x2,
                                int32_t s2, int8_t *out, int32_t n) {
    if (n <= 0)
        return;
    const quant_avx512 q = quant_avx512_of(p->multiplier, p->shift);
    const __m512i offset1 = _mm512_set1_epi32(p->input1_offset),
                  offset2 = _mm512_set1_epi32(p->input2_offset);
    const __m512i out_offset = _mm512_set1_epi32(p->output_offset);
    const __m512i lo = _mm512_set1_epi32(p->act_min), hi = _mm512_set1_epi32(p->act_max);
    const __m512i fixed1 = _mm512_set1_epi32(p->input1_offset + x1[0]);
    const __m512i fixed2 = _mm512_set1_epi32(p->input2_offset + x2[0]);
    int32_t i;
    for (i = 0; i < n; i += 16) {
        const __mmask16 lanes = lanes16(n - i);
        const __m512i a = s1 ? _mm512_add_epi32(load16_avx512(lanes, x1 + i), offset1) : fixed1;
        const __m512i b = s2 ? _mm512_add_epi32(load16_avx512(lanes, x2 + i), offset2) : fixed2;
        const __m512i y =
            ember_requant_out_avx512(requant_avx512(_mm512_mullo_epi32(a, b), &q), out_offset, lo, hi);
        _mm_mask_storeu_epi8(out + i, lanes, _mm512_cvtepi32_epi8(y));
    }
}

AVX512 void ember_lut_i8_avx512(const int8_t table[256], const int8_t *x, int8_t *out, int32_t n) {
    const __m512i nibble = _mm512_set1_epi8(0x0f);
    __m512i rows[16];
    int32_t i, k;
    for (k = 0; k < 16; ++k)
        rows[k] = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(const void *)(table + 16 * k)));
    for (i = 0; i < n; i += 64) {
        const __mmask64 lanes = n - i >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (n - i)) - 1);
        const __m512i v = _mm512_maskz_loadu_epi8(lanes, x + i);
        const __m512i low = _mm512_and_si512(v, nibble);
        const __m512i high = _mm512_and_si512(_mm512_srli_epi16(v, 4), nibble);
        __m512i y = _mm512_shuffle_epi8(rows[0], low);
        for (k = 1; k < 16; ++k)
            y = _mm512_mask_shuffle_epi8(y, _mm512_cmpeq_epi8_mask(high, _mm512_set1_epi8((char)k)), rows[k],
                                         low);
        _mm512_mask_storeu_epi8(out + i, lanes, y);
    }
}

/* 64 channels a block, 4 accumulators of 16; lanes past the channels load nothing. */
AVX512 void ember_column_sums_i8_avx512(const int8_t *x, size_t stride, int32_t rows, int32_t channels,
                                        int32_t *sum) {
    int32_t c, r, j;
    for (c = 0; c < channels; c += 64) {
        __m512i acc[4];
        __mmask16 lanes[4];
        const int8_t *row = x + c;
        for (j = 0; j < 4; ++j) {
            acc[j] = _mm512_setzero_si512();
            lanes[j] = lanes16(channels - c - 16 * j);
        }
        for (r = 0; r < rows; ++r, row += stride)
            for (j = 0; j < 4; ++j)
                acc[j] = _mm512_add_epi32(acc[j], load16_avx512(lanes[j], row + 16 * j));
        for (j = 0; j < 4; ++j)
            _mm512_mask_storeu_epi32(sum + c + 16 * j, lanes[j], acc[j]);
    }
}
#endif

#ifdef EMBER_GEMM_X86_F32
EMBER_AVX2_INLINE __m256 binary_avx2(ember_binary_op op, __m256 a, __m256 b) {
    if (op == EMBER_BINARY_PRELU) /* a >= 0 (ordered: NaN takes the product) ? a : a * b */
        return _mm256_blendv_ps(_mm256_mul_ps(a, b), a, _mm256_cmp_ps(a, _mm256_setzero_ps(), _CMP_GE_OQ));
    return op == EMBER_BINARY_ADD ? _mm256_add_ps(a, b)
                                  : (op == EMBER_BINARY_SUB ? _mm256_sub_ps(a, b) : _mm256_mul_ps(a, b));
}

AVX2 void ember_binary_f32_avx2(ember_binary_op op, float act_min, float act_max, const float *x1, int32_t s1,
                                const float *x2, int32_t s2, float *out, int32_t n) {
    if (n <= 0)
        return;
    const __m256 lo = _mm256_set1_ps(act_min), hi = _mm256_set1_ps(act_max);
    const __m256 fixed1 = _mm256_set1_ps(x1[0]), fixed2 = _mm256_set1_ps(x2[0]);
    int32_t i;
    for (i = 0; i + 8 <= n; i += 8) {
        const __m256 a = s1 ? _mm256_loadu_ps(x1 + i) : fixed1;
        const __m256 b = s2 ? _mm256_loadu_ps(x2 + i) : fixed2;
        _mm256_storeu_ps(out + i, _mm256_min_ps(hi, _mm256_max_ps(lo, binary_avx2(op, a, b))));
    }
    ember_binary_f32_portable(op, act_min, act_max, x1 + i * s1, s1, x2 + i * s2, s2, out + i, n - i);
}

/* max(0, r) is r < 0 ? 0 : r and min(6, m) is m > 6 ? 6 : m, NaN and -0.0 included, as the reference. */
AVX2 void ember_hard_swish_f32_avx2(const float *x, float *out, int32_t n) {
    const __m256 three = _mm256_set1_ps(3.0f), six = _mm256_set1_ps(6.0f), zero = _mm256_setzero_ps();
    int32_t i;
    for (i = 0; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 r = _mm256_min_ps(six, _mm256_max_ps(zero, _mm256_add_ps(v, three)));
        _mm256_storeu_ps(out + i, _mm256_div_ps(_mm256_mul_ps(v, r), six));
    }
    ember_hard_swish_f32_portable(x + i, out + i, n - i);
}

AVX2 void ember_column_sums_f32_avx2(const float *x, size_t stride, int32_t rows, int32_t channels,
                                     float *sum) {
    int32_t c, r, j;
    for (c = 0; c + 32 <= channels; c += 32) {
        __m256 acc[4];
        const float *row = x + c;
        for (j = 0; j < 4; ++j)
            acc[j] = _mm256_setzero_ps();
        for (r = 0; r < rows; ++r, row += stride)
            for (j = 0; j < 4; ++j)
                acc[j] = _mm256_add_ps(acc[j], _mm256_loadu_ps(row + 8 * j));
        for (j = 0; j < 4; ++j)
            _mm256_storeu_ps(sum + c + 8 * j, acc[j]);
    }
    if (c < channels)
        ember_column_sums_f32_portable(x + c, stride, rows, channels - c, sum + c);
}

EMBER_AVX512_INLINE __m512 binary_avx512(ember_binary_op op, __m512 a, __m512 b) {
    if (op == EMBER_BINARY_PRELU)
        return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_GE_OQ),
                                    _mm512_mul_ps(a, b), a);
    return op == EMBER_BINARY_ADD ? _mm512_add_ps(a, b)
                                  : (op == EMBER_BINARY_SUB ? _mm512_sub_ps(a, b) : _mm512_mul_ps(a, b));
}

AVX512 void ember_binary_f32_avx512(ember_binary_op op, float act_min, float act_max, const float *x1,
                                    int32_t s1, const float *x2, int32_t s2, float *out, int32_t n) {
    if (n <= 0)
        return;
    const __m512 lo = _mm512_set1_ps(act_min), hi = _mm512_set1_ps(act_max);
    const __m512 fixed1 = _mm512_set1_ps(x1[0]), fixed2 = _mm512_set1_ps(x2[0]);
    int32_t i;
    for (i = 0; i < n; i += 16) {
        const __mmask16 lanes = lanes16(n - i);
        const __m512 a = s1 ? _mm512_maskz_loadu_ps(lanes, x1 + i) : fixed1;
        const __m512 b = s2 ? _mm512_maskz_loadu_ps(lanes, x2 + i) : fixed2;
        _mm512_mask_storeu_ps(out + i, lanes, _mm512_min_ps(hi, _mm512_max_ps(lo, binary_avx512(op, a, b))));
    }
}

AVX512 void ember_hard_swish_f32_avx512(const float *x, float *out, int32_t n) {
    const __m512 three = _mm512_set1_ps(3.0f), six = _mm512_set1_ps(6.0f), zero = _mm512_setzero_ps();
    int32_t i;
    for (i = 0; i < n; i += 16) {
        const __mmask16 lanes = lanes16(n - i);
        const __m512 v = _mm512_maskz_loadu_ps(lanes, x + i);
        const __m512 r = _mm512_min_ps(six, _mm512_max_ps(zero, _mm512_add_ps(v, three)));
        _mm512_mask_storeu_ps(out + i, lanes, _mm512_div_ps(_mm512_mul_ps(v, r), six));
    }
}

AVX512 void ember_column_sums_f32_avx512(const float *x, size_t stride, int32_t rows, int32_t channels,
                                         float *sum) {
    int32_t c, r, j;
    for (c = 0; c < channels; c += 64) {
        __m512 acc[4];
        __mmask16 lanes[4];
        const float *row = x + c;
        for (j = 0; j < 4; ++j) {
            acc[j] = _mm512_setzero_ps();
            lanes[j] = lanes16(channels - c - 16 * j);
        }
        for (r = 0; r < rows; ++r, row += stride)
            for (j = 0; j < 4; ++j)
                acc[j] = _mm512_add_ps(acc[j], _mm512_maskz_loadu_ps(lanes[j], row + 16 * j));
        for (j = 0; j < 4; ++j)
            _mm512_mask_storeu_ps(sum + c + 16 * j, lanes[j], acc[j]);
    }
}
#endif

#if !defined(EMBER_GEMM_X86) && !defined(EMBER_GEMM_X86_F32)
typedef int ember_elementwise_x86_unused; /* ISO C forbids an empty translation unit */
#endif
