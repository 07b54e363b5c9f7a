/* The AVX-512 int8 families, 6 x 32 register tiles (12 accumulators): without VNNI, int16 pairs through
 * vpmaddwd as in the AVX2 family; with VNNI, vpdpbusd on quadruples of k. vpdpbusd multiplies unsigned by
 * signed bytes, so it sees a ^ 0x80 = a + 128, and the packed bias has 128 * sum w taken back (gemm_pack.c);
 * its products and sums are exact and its accumulation wraps, so both give the reference's int32. */
#include "gemm/gemm_internal.h"

#ifdef EMBER_GEMM_X86
#include <string.h>

#include "gemm/requant_x86.h"

#define MR 6
#define NR 32
#define KC 512       /* k per activation block on the stack */
#define KB (KC + 64) /* a block row: the loads below round kc up to whole vectors */

#define EMBER_VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

typedef struct panel_quant {
    __m512i multiplier[2], left[2], right[2];
} panel_quant;

EMBER_AVX512_INLINE panel_quant load_quant(const ember_gemm_i8_view *v, int32_t p) {
    panel_quant q;
    int i;
    for (i = 0; i < 2; ++i) {
        q.multiplier[i] = _mm512_loadu_si512(v->multiplier + p + 16 * i);
        q.left[i] = _mm512_loadu_si512(v->left + p + 16 * i);
        q.right[i] = _mm512_loadu_si512(v->right + p + 16 * i);
    }
    return q;
}

/* Requantises one row of a tile and stores its first `count` channels. */
EMBER_AVX512_INLINE void store_row(__m512i acc0, __m512i acc1, const panel_quant *q, int single,
                                   const __m512i clamp[3], int8_t *dst, int32_t count) {
    __m512i acc[2];
    int i;
    acc[0] = acc0, acc[1] = acc1;
    for (i = 0; i < 2; ++i, count -= 16) {
        const __mmask16 lanes = (__mmask16)(count >= 16 ? 0xffff : (count > 0 ? (1u << count) - 1 : 0));
        __m512i y = single ? ember_requant_single_avx512(acc[i], q->multiplier[i], q->right[i])
                           : ember_requant_double_avx512(acc[i], q->multiplier[i], q->left[i], q->right[i]);
        y = ember_requant_out_avx512(y, clamp[0], clamp[1], clamp[2]);
        _mm512_mask_cvtepi32_storeu_epi8(dst + 16 * i, lanes, y);
    }
}

/* Rows of the tile from k0 on as int16 (vpmaddwd pairs), zero past k. */
EMBER_AVX512_INLINE void load_block_i16(const int8_t *const rows[MR], int32_t k0, int32_t kc, int32_t k,
                                        int16_t block[MR][KB]) {
    const int32_t valid = k - k0 < kc ? k - k0 : kc;
    int32_t r, i;
    for (r = 0; r < MR; ++r) {
        for (i = 0; i < kc; i += 32) {
            const int32_t n = valid - i < 0 ? 0 : (valid - i < 32 ? valid - i : 32);
            const __mmask32 lanes = (__mmask32)(n == 32 ? 0xffffffffu : (1u << n) - 1);
            _mm512_storeu_si512(block[r] + i,
                                _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(lanes, rows[r] + k0 + i)));
        }
    }
}

/* Rows of the tile from k0 on as a + 128 (vpdpbusd's unsigned operand); past k anything (weights are 0). */
EMBER_VNNI_TARGET static inline void load_block_u8(const int8_t *const rows[MR], int32_t k0, int32_t kc,
                                                   int32_t k, uint8_t block[MR][KB]) {
    const int32_t valid = k - k0 < kc ? k - k0 : kc;
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    int32_t r, i;
    for (r = 0; r < MR; ++r) {
        for (i = 0; i < kc; i += 64) {
            const int32_t n = valid - i < 0 ? 0 : (valid - i < 64 ? valid - i : 64);
            const __mmask64 lanes = n == 64 ? ~(__mmask64)0 : (((__mmask64)1 << n) - 1);
            _mm512_storeu_si512(block[r] + i,
                                _mm512_xor_si512(_mm512_maskz_loadu_epi8(lanes, rows[r] + k0 + i), flip));
        }
    }
}

EMBER_AVX512_INLINE __m512i broadcast_i32(const void *p) {
    int32_t v;
    memcpy(&v, p, sizeof v);
    return _mm512_set1_epi32(v);
}

/* The tile loop both families share: LOAD_W reads one k group of the panel into w0, w1 and STEP(r)
 * accumulates it against row r into cr0, cr1. */
#define GEMM_I8_AVX512(BLOCK_T, LOAD_BLOCK, KG, LOAD_W, STEP)                                                \
    const ember_gemm_i8_view v = ember_gemm_i8_unpack(h);                                                    \
    const int32_t k_pad = h->k_pad, one_block = k_pad <= KC, single = h->rounding == EMBER_REQUANT_SINGLE;   \
    __m512i clamp[3];                                                                                        \
    BLOCK_T block[MR][KB];                                                                                   \
    int32_t m, p, k0, kk, r;                                                                                 \
    clamp[0] = _mm512_set1_epi32(h->output_offset);                                                          \
    clamp[1] = _mm512_set1_epi32(h->act_min), clamp[2] = _mm512_set1_epi32(h->act_max);                      \
    for (m = m0; m < m1; m += MR) {                                                                          \
        const int32_t mr = m1 - m < MR ? m1 - m : MR;                                                        \
        const int8_t *rows[MR];                                                                              \
        for (r = 0; r < MR; ++r)                                                                             \
            rows[r] = a + (size_t)(m + (r < mr ? r : mr - 1)) * lda;                                         \
        if (one_block)                                                                                       \
            LOAD_BLOCK(rows, 0, k_pad, h->k, block);                                                         \
        for (p = 0; p < h->n_pad; p += NR) {                                                                 \
            const int8_t *w = v.weights + (size_t)p * (size_t)k_pad;                                         \
            __m512i c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, x, w0, w1;                   \
            panel_quant q;                                                                                   \
            c00 = c10 = c20 = c30 = c40 = c50 = _mm512_loadu_si512(v.bias + p);                              \
            c01 = c11 = c21 = c31 = c41 = c51 = _mm512_loadu_si512(v.bias + p + 16);                         \
            for (k0 = 0; k0 < k_pad; k0 += KC) {                                                             \
                const int32_t kc = k_pad - k0 < KC ? k_pad - k0 : KC;                                        \
                if (!one_block)                                                                              \
                    LOAD_BLOCK(rows, k0, kc, h->k, block);                                                   \
                for (kk = 0; kk < kc; kk += KG, w += KG * NR) {                                              \
                    LOAD_W;                                                                                  \
                    STEP(0);                                                                                 \
                    STEP(1);                                                                                 \
                    STEP(2);                                                                                 \
                    STEP(3);                                                                                 \
                    STEP(4);                                                                                 \
                    STEP(5);                                                                                 \
                }                                                                                            \
            }                                                                                                \
            q = load_quant(&v, p);                                                                           \
            store_row(c00, c01, &q, single, clamp, out + (size_t)m * ldo + (size_t)p, h->n - p);             \
            if (mr > 1)                                                                                      \
                store_row(c10, c11, &q, single, clamp, out + (size_t)(m + 1) * ldo + (size_t)p, h->n - p);   \
            if (mr > 2)                                                                                      \
                store_row(c20, c21, &q, single, clamp, out + (size_t)(m + 2) * ldo + (size_t)p, h->n - p);   \
            if (mr > 3)                                                                                      \
                store_row(c30, c31, &q, single, clamp, out + (size_t)(m + 3) * ldo + (size_t)p, h->n - p);   \
            if (mr > 4)                                                                                      \
                store_row(c40, c41, &q, single, clamp, out + (size_t)(m + 4) * ldo + (size_t)p, h->n - p);   \
            if (mr > 5)                                                                                      \
                store_row(c50, c51, &q, single, clamp, out + (size_t)(m + 5) * ldo + (size_t)p, h->n - p);   \
        }                                                                                                    \
    }

/* (a[k], a[k+1]) as int16 against 32 channels' sign-extended pairs. */
#define LOAD_W_MADD                                                                                          \
    w0 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)w));                         \
    w1 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(w + 32)))
#define STEP_MADD(r)                                                                                         \
    x = broadcast_i32(block[r] + kk);                                                                        \
    c##r##0 = _mm512_add_epi32(c##r##0, _mm512_madd_epi16(x, w0));                                           \
    c##r##1 = _mm512_add_epi32(c##r##1, _mm512_madd_epi16(x, w1))

/* a[k .. k+3] + 128 against 32 channels' quadruples. */
#define LOAD_W_VNNI w0 = _mm512_loadu_si512(w), w1 = _mm512_loadu_si512(w + 64)
#define STEP_VNNI(r)                                                                                         \
    x = broadcast_i32(block[r] + kk);                                                                        \
    c##r##0 = _mm512_dpbusd_epi32(c##r##0, x, w0);                                                           \
    c##r##1 = _mm512_dpbusd_epi32(c##r##1, x, w1)

__attribute__((target("avx512f,avx512bw,avx512vl"))) void ember_gemm_i8_avx512(const ember_gemm_header *h,
                                                                               const int8_t *a, size_t lda,
                                                                               int8_t *out, size_t ldo,
                                                                               int32_t m0, int32_t m1) {
    GEMM_I8_AVX512(int16_t, load_block_i16, 2, LOAD_W_MADD, STEP_MADD);
}

EMBER_VNNI_TARGET void ember_gemm_i8_avx512_vnni(const ember_gemm_header *h, const int8_t *a, size_t lda,
                                                 int8_t *out, size_t ldo, int32_t m0, int32_t m1) {
    GEMM_I8_AVX512(uint8_t, load_block_u8, 4, LOAD_W_VNNI, STEP_VNNI);
}
#else
typedef int ember_gemm_i8_avx512_unused; /* ISO C forbids an empty translation unit */
#endif
