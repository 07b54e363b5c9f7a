/* The AVX2 int8 family: 4 x 16 register tiles (8 accumulators). vpmaddubsw saturates, so activations and
 * weights are sign-extended to int16 and multiplied in pairs of k with vpmaddwd, whose two products and sum
 * are exact for int8 inputs; the int32 accumulation wraps as the reference's. */
#include "gemm/gemm_internal.h"

#ifdef EMBER_GEMM_X86
#include <string.h>

#include "gemm/requant_x86.h"

#define MR 4
#define NR 16
#define KC 512 /* k per activation block: MR rows of int16 on the stack */

/* Rows of the tile from k0 on, sign-extended to int16 (the pairs vpmaddwd broadcasts), zero past k. */
EMBER_AVX2_INLINE void load_block(const int8_t *const rows[MR], int32_t k0, int32_t kc, int32_t k,
                                  int16_t block[MR][KC]) {
    const int32_t valid = k - k0 < kc ? k - k0 : kc;
    int32_t r, i;
    for (r = 0; r < MR; ++r) {
        const int8_t *x = rows[r] + k0;
        for (i = 0; i + 16 <= valid; i += 16)
            _mm256_storeu_si256(
                (__m256i *)(void *)(block[r] + i),
                _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(x + i))));
        for (; i < valid; ++i)
            block[r][i] = x[i];
        for (; i < kc; ++i)
            block[r][i] = 0;
    }
}

EMBER_AVX2_INLINE __m256i broadcast_pair(const int16_t *p) {
    int32_t v;
    memcpy(&v, p, sizeof v);
    return _mm256_set1_epi32(v);
}

/* The requantisation parameters of one panel of NR channels, two vectors each. */
typedef struct panel_quant {
    __m256i multiplier[2], left[2], right[2];
} panel_quant;

EMBER_AVX2_INLINE void store_row(const __m256i acc[2], const panel_quant *q, int single, __m256i offset,
                                 __m256i lo, __m256i hi, int8_t *dst, int32_t count) {
    __m256i y[2];
    __m128i bytes;
    int i;
    for (i = 0; i < 2; ++i) {
        y[i] = single ? ember_requant_single_avx2(acc[i], q->multiplier[i], q->right[i])
                      : ember_requant_double_avx2(acc[i], q->multiplier[i], q->left[i], q->right[i]);
        y[i] = ember_requant_out_avx2(y[i], offset, lo, hi);
    }
    /* Values are within [-128, 127] already, so the saturating packs are exact narrowing. */
    bytes = _mm_packs_epi16(_mm_packs_epi32(_mm256_castsi256_si128(y[0]), _mm256_extracti128_si256(y[0], 1)),
                            _mm_packs_epi32(_mm256_castsi256_si128(y[1]), _mm256_extracti128_si256(y[1], 1)));
    if (count >= NR) {
        _mm_storeu_si128((__m128i *)(void *)dst, bytes);
    } else {
        int8_t tmp[NR];
        _mm_storeu_si128((__m128i *)(void *)tmp, bytes);
        memcpy(dst, tmp, (size_t)count);
    }
}

__attribute__((target("avx2"))) void ember_gemm_i8_avx2(const ember_gemm_header *h, const int8_t *a,
                                                        size_t lda, int8_t *out, size_t ldo, int32_t m0,
                                                        int32_t m1) {
    const ember_gemm_i8_view v = ember_gemm_i8_unpack(h);
    const int32_t k_pad = h->k_pad, one_block = k_pad <= KC, single = h->rounding == EMBER_REQUANT_SINGLE;
    const __m256i offset = _mm256_set1_epi32(h->output_offset);
    const __m256i lo = _mm256_set1_epi32(h->act_min), hi = _mm256_set1_epi32(h->act_max);
    int16_t block[MR][KC];
    int32_t m, p, k0, kk, r, i;
    for (m = m0; m < m1; m += MR) {
        const int32_t mr = m1 - m < MR ? m1 - m : MR;
        const int8_t *rows[MR];
        /* Missing rows of the last tile repeat a real one and are not stored. */
        for (r = 0; r < MR; ++r)
            rows[r] = a + (size_t)(m + (r < mr ? r : mr - 1)) * lda;
        if (one_block)
            load_block(rows, 0, k_pad, h->k, block);
        for (p = 0; p < h->n_pad; p += NR) {
            const int8_t *w = v.weights + (size_t)p * (size_t)k_pad;
            __m256i c00, c01, c10, c11, c20, c21, c30, c31, acc[MR][2];
            panel_quant q;
            c00 = c10 = c20 = c30 = _mm256_loadu_si256((const __m256i *)(const void *)(v.bias + p));
            c01 = c11 = c21 = c31 = _mm256_loadu_si256((const __m256i *)(const void *)(v.bias + p + 8));
            for (k0 = 0; k0 < k_pad; k0 += KC) {
                const int32_t kc = k_pad - k0 < KC ? k_pad - k0 : KC;
                if (!one_block)
                    load_block(rows, k0, kc, h->k, block);
                for (kk = 0; kk < kc; kk += 2, w += 2 * NR) {
                    const __m256i w0 =
                        _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)w));
                    const __m256i w1 =
                        _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(w + NR)));
                    __m256i x;
/* One row of the tile: (a[k], a[k+1]) against 16 channels' pairs. Named accumulators, as compilers do not
 * keep an array of vectors in registers. */
#define ROW(r)                                                                                               \
    x = broadcast_pair(block[r] + kk);                                                                       \
    c##r##0 = _mm256_add_epi32(c##r##0, _mm256_madd_epi16(x, w0));                                           \
    c##r##1 = _mm256_add_epi32(c##r##1, _mm256_madd_epi16(x, w1))
                    ROW(0);
                    ROW(1);
                    ROW(2);
                    ROW(3);
#undef ROW
                }
            }
            acc[0][0] = c00, acc[0][1] = c01, acc[1][0] = c10, acc[1][1] = c11;
            acc[2][0] = c20, acc[2][1] = c21, acc[3][0] = c30, acc[3][1] = c31;
            for (i = 0; i < 2; ++i) {
                q.multiplier[i] =
                    _mm256_loadu_si256((const __m256i *)(const void *)(v.multiplier + p + 8 * i));
                q.left[i] = _mm256_loadu_si256((const __m256i *)(const void *)(v.left + p + 8 * i));
                q.right[i] = _mm256_loadu_si256((const __m256i *)(const void *)(v.right + p + 8 * i));
            }
            for (r = 0; r < mr; ++r)
                store_row(acc[r], &q, single, offset, lo, hi, out + (size_t)(m + r) * ldo + (size_t)p,
                          h->n - p);
        }
    }
}
#else
typedef int ember_gemm_i8_avx2_unused; /* ISO C forbids an empty translation unit */
#endif
