/* Which SIMD instruction sets the CPU and the operating system support, found at run time (never from build
 * flags: one binary runs on every CPU of its architecture), and the EMBER_ISA environment cap that tests and
 * benchmarks use to force a lower level. */
#ifndef EMBER_CPU_FEATURES_H
#define EMBER_CPU_FEATURES_H

/* Levels in increasing order within each architecture; x86 and ARM levels are not comparable. A level implies
 * the ones below it of its architecture (AVX512 here means AVX-512 F, BW and VL together). */
typedef enum ember_isa {
    EMBER_ISA_PORTABLE = 0,
    EMBER_ISA_SSE41,
    EMBER_ISA_AVX2,
    EMBER_ISA_AVX512,
    EMBER_ISA_AVX512_VNNI,
    EMBER_ISA_NEON,
    EMBER_ISA_NEON_DOTPROD
} ember_isa;

#define EMBER_ISA_COUNT 7

/* The best level both the CPU and the OS (saved register state: xgetbv on x86, the kernel's hwcaps on ARM)
 * support; EMBER_ISA_PORTABLE with EMBER_PORTABLE_ONLY, on other architectures and with non-GNU compilers.
 * Pure function of the machine, no cached state. */
ember_isa ember_cpu_detect(void);

/* `detected` capped by the environment variable EMBER_ISA (portable, sse41, avx2, avx512, avx512vnni, neon,
 * neon_dotprod): a level above `detected` gives `detected`, a level of the other architecture gives
 * portable, "reference" gives portable (see ember_isa_env_is_reference), an unset or unknown value leaves
 * `detected`. */
ember_isa ember_isa_from_env(ember_isa detected);

/* 1 when the environment variable EMBER_ISA is "reference": the interpreter then runs every kernel's
 * reference loops instead of the optimised paths (a debugging aid; the GEMM level is portable). */
int ember_isa_env_is_reference(void);

/* `level` capped by `limit`: the lower of the two within one architecture, portable across architectures. */
ember_isa ember_isa_cap(ember_isa level, ember_isa limit);

/* The EMBER_ISA spelling of a level ("portable", "avx2", ...); "unknown" for values outside the enum. */
const char *ember_isa_name(ember_isa isa);

#endif /* EMBER_CPU_FEATURES_H */
