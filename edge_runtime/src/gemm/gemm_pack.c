/* Packing: which kernel family a level runs, its tile geometry, and the packed buffer (gemm_internal.h) with
 * the weights in register-tile panels and the input offset folded into the bias. */
#include <string.h>

#include "gemm/gemm_internal.h"

ember_isa ember_gemm_i8_kernel_isa(ember_isa isa) {
    switch (isa) {
#ifdef EMBER_GEMM_X86
    case EMBER_ISA_AVX2:
    case EMBER_ISA_AVX512:
    case EMBER_ISA_AVX512_VNNI:
        return isa;
#endif
#ifdef EMBER_GEMM_NEON
    case EMBER_ISA_NEON_DOTPROD:
#ifdef EMBER_GEMM_NEON_DOTPROD
        return EMBER_ISA_NEON_DOTPROD;
#endif
    case EMBER_ISA_NEON:
        return EMBER_ISA_NEON;
#endif
    default:
        return EMBER_ISA_PORTABLE;
    }
}

ember_isa ember_gemm_f32_kernel_isa(ember_isa isa) {
    switch (isa) {
#ifdef EMBER_GEMM_X86_F32
    case EMBER_ISA_AVX2:
        return EMBER_ISA_AVX2;
    case EMBER_ISA_AVX512:
    case EMBER_ISA_AVX512_VNNI:
        return EMBER_ISA_AVX512;
#endif
#ifdef EMBER_GEMM_NEON
    case EMBER_ISA_NEON:
    case EMBER_ISA_NEON_DOTPROD:
        return EMBER_ISA_NEON;
#endif
    default:
        return EMBER_ISA_PORTABLE;
    }
}

/* Output channels per register tile (nr) and reduction steps per multiply instruction (kg) of each family:
 * vpmaddwd and smull+sadalp take pairs, vpdpbusd and sdot quadruples. */
static void i8_geometry(ember_isa kernel, int32_t *nr, int32_t *kg) {
    switch (kernel) {
    case EMBER_ISA_AVX2:
    case EMBER_ISA_NEON:
        *nr = 16, *kg = 2;
        break;
    case EMBER_ISA_AVX512:
        *nr = 32, *kg = 2;
        break;
    case EMBER_ISA_AVX512_VNNI:
        *nr = 32, *kg = 4;
        break;
    case EMBER_ISA_NEON_DOTPROD:
        *nr = 16, *kg = 4;
        break;
    default:
        *nr = 1, *kg = 1;
    }
}

static int32_t f32_nr(ember_isa kernel) {
    return kernel == EMBER_ISA_AVX512 ? 32 : (kernel == EMBER_ISA_PORTABLE ? 1 : 16);
}

static int32_t round_up(int32_t x, int32_t m) {
    return (x + m - 1) / m * m;
}

size_t ember_gemm_i8_packed_bytes(int32_t n, int32_t k, ember_isa isa) {
    int32_t nr, kg;
    i8_geometry(ember_gemm_i8_kernel_isa(isa), &nr, &kg);
    return EMBER_GEMM_HEADER_BYTES + 5 * sizeof(int32_t) * (size_t)round_up(n, nr) +
           (size_t)round_up(n, nr) * (size_t)round_up(k, kg);
}

void ember_gemm_i8_pack(const ember_gemm_i8_params *p, ember_isa isa, void *packed) {
    ember_gemm_header *h = (ember_gemm_header *)packed;
    int32_t *arrays = (int32_t *)(void *)((uint8_t *)packed + EMBER_GEMM_HEADER_BYTES);
    int32_t *bias, *multiplier, *shift, *left, *right, c, k, nr, kg;
    int8_t *w;
    /* vpdpbusd multiplies unsigned activations: it sees a + 128, so the bias takes back 128 * sum w. */
    const ember_isa kernel = ember_gemm_i8_kernel_isa(isa);
    const uint32_t offset = (uint32_t)p->input_offset - (kernel == EMBER_ISA_AVX512_VNNI ? 128u : 0u);

    i8_geometry(kernel, &nr, &kg);
    memset(h, 0, EMBER_GEMM_HEADER_BYTES);
    h->isa = (int32_t)kernel;
    h->n = p->n, h->k = p->k, h->nr = nr, h->kg = kg;
    h->n_pad = round_up(p->n, nr), h->k_pad = round_up(p->k, kg);
    h->rounding = (int32_t)p->rounding;
    h->output_offset = p->output_offset, h->act_min = p->act_min, h->act_max = p->act_max;
    bias = arrays, multiplier = arrays + h->n_pad, shift = multiplier + h->n_pad;
    left = shift + h->n_pad, right = left + h->n_pad;
    w = (int8_t *)(void *)(right + h->n_pad);
    memset(arrays, 0, ember_gemm_i8_packed_bytes(p->n, p->k, isa) - EMBER_GEMM_HEADER_BYTES);

    for (c = 0; c < p->n; ++c) {
        const int8_t *row = p->weights + (size_t)c * (size_t)p->k;
        const int32_t s = p->shift[c];
        /* Modular int32 arithmetic: bias + offset * sum w equals the reference's sum of w * (a + offset). */
        uint32_t acc = p->bias ? (uint32_t)p->bias[c] : 0u;
        for (k = 0; k < p->k; ++k) {
            const size_t panel = (size_t)(c / nr) * (size_t)h->k_pad * (size_t)nr;
            acc += offset * (uint32_t)(int32_t)row[k];
            w[panel + ((size_t)(k / kg) * (size_t)nr + (size_t)(c % nr)) * (size_t)kg + (size_t)(k % kg)] =
                row[k];
        }
        bias[c] = ember_wrap_i32(acc);
        multiplier[c] = p->multiplier[c];
        shift[c] = s;
        left[c] = s > 0 ? s : 0;
        right[c] = p->rounding == EMBER_REQUANT_SINGLE ? 31 - s : (s > 0 ? 0 : -s);
    }
    /* Padding channels: multiplier 0, and a right shift the single rounding kernels can take. */
    for (; c < h->n_pad; ++c)
        right[c] = p->rounding == EMBER_REQUANT_SINGLE ? 31 : 0;
}

size_t ember_gemm_f32_packed_bytes(int32_t n, int32_t k, ember_isa isa) {
    const int32_t n_pad = round_up(n, f32_nr(ember_gemm_f32_kernel_isa(isa)));
    return EMBER_GEMM_HEADER_BYTES + sizeof(float) * (size_t)n_pad * (size_t)(k + 1);
}

void ember_gemm_f32_pack(const ember_gemm_f32_params *p, ember_isa isa, void *packed) {
    ember_gemm_header *h = (ember_gemm_header *)packed;
    float *bias = (float *)(void *)((uint8_t *)packed + EMBER_GEMM_HEADER_BYTES), *w;
    const ember_isa kernel = ember_gemm_f32_kernel_isa(isa);
    int32_t c, k, nr = f32_nr(kernel), n_pad = round_up(p->n, nr);

    memset(h, 0, EMBER_GEMM_HEADER_BYTES);
    h->isa = (int32_t)kernel;
    h->n = p->n, h->k = p->k, h->nr = nr, h->kg = 1, h->n_pad = n_pad, h->k_pad = p->k;
    h->act_min_f = p->act_min, h->act_max_f = p->act_max;
    w = bias + n_pad;
    for (c = 0; c < n_pad; ++c)
        bias[c] = c < p->n && p->bias ? p->bias[c] : 0.0f;
    for (c = 0; c < n_pad; ++c)
        for (k = 0; k < p->k; ++k)
            w[((size_t)(c / nr) * (size_t)p->k + (size_t)k) * (size_t)nr + (size_t)(c % nr)] =
                c < p->n ? p->weights[(size_t)c * (size_t)p->k + (size_t)k] : 0.0f;
}
