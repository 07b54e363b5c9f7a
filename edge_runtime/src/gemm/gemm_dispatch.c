/* Run-time dispatch: a packed buffer names its kernel family, the run functions call it. */
#include "gemm/gemm_internal.h"

void ember_gemm_i8_run(const void *packed, const int8_t *a, size_t lda, int8_t *out, size_t ldo, int32_t m0,
                       int32_t m1) {
    const ember_gemm_header *h = (const ember_gemm_header *)packed;
    ember_gemm_i8_kernel *kernel = ember_gemm_i8_portable;
    if (m1 <= m0)
        return;
    switch ((ember_isa)h->isa) {
#ifdef EMBER_GEMM_X86
    case EMBER_ISA_AVX2:
        kernel = ember_gemm_i8_avx2;
        break;
    case EMBER_ISA_AVX512:
        kernel = ember_gemm_i8_avx512;
        break;
    case EMBER_ISA_AVX512_VNNI:
        kernel = ember_gemm_i8_avx512_vnni;
        break;
#endif
#ifdef EMBER_GEMM_NEON
    case EMBER_ISA_NEON:
        kernel = ember_gemm_i8_neon;
        break;
#endif
#ifdef EMBER_GEMM_NEON_DOTPROD
    case EMBER_ISA_NEON_DOTPROD:
        kernel = ember_gemm_i8_neon_dotprod;
        break;
#endif
    default:
        break;
    }
    kernel(h, a, lda, out, ldo, m0, m1);
}

void ember_gemm_f32_run(const void *packed, const float *a, size_t lda, float *out, size_t ldo, int32_t m0,
                        int32_t m1) {
    const ember_gemm_header *h = (const ember_gemm_header *)packed;
    ember_gemm_f32_kernel *kernel = ember_gemm_f32_portable;
    if (m1 <= m0)
        return;
    switch ((ember_isa)h->isa) {
#ifdef EMBER_GEMM_X86_F32
    case EMBER_ISA_AVX2:
        kernel = ember_gemm_f32_avx2;
        break;
    case EMBER_ISA_AVX512:
        kernel = ember_gemm_f32_avx512;
        break;
#endif
#ifdef EMBER_GEMM_NEON
    case EMBER_ISA_NEON:
        kernel = ember_gemm_f32_neon;
        break;
#endif
    default:
        break;
    }
    kernel(h, a, lda, out, ldo, m0, m1);
}

void ember_requant_i32(ember_isa isa, ember_requant_rounding rounding, const int32_t *acc,
                       const int32_t *multiplier, const int32_t *shift, int32_t count, int32_t *out) {
    ember_requant_kernel *kernel = ember_requant_portable;
    switch (ember_gemm_i8_kernel_isa(isa)) {
#ifdef EMBER_GEMM_X86
    case EMBER_ISA_AVX2:
        kernel = ember_requant_avx2;
        break;
    case EMBER_ISA_AVX512:
    case EMBER_ISA_AVX512_VNNI:
        kernel = ember_requant_avx512;
        break;
#endif
#ifdef EMBER_GEMM_NEON
    case EMBER_ISA_NEON:
    case EMBER_ISA_NEON_DOTPROD:
        kernel = ember_requant_neon;
        break;
#endif
    default:
        break;
    }
    kernel(rounding, acc, multiplier, shift, count, out);
}
