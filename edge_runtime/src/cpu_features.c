/* Run-time CPU feature detection: cpuid and xgetbv on x86 (an instruction set is usable only when the OS also
 * saves its registers), getauxval's hwcaps on aarch64 Linux and Android. */
#include "cpu_features.h"

#include <stdlib.h>
#include <string.h>

#if !defined(EMBER_PORTABLE_ONLY) && defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <cpuid.h>
#define EMBER_DETECT_X86 1
#endif
#if !defined(EMBER_PORTABLE_ONLY) && defined(__GNUC__) && defined(__aarch64__)
#define EMBER_DETECT_ARM64 1
#if defined(__linux__) && (!defined(__ANDROID__) || __ANDROID_API__ >= 18)
#include <sys/auxv.h>
#define EMBER_DETECT_HWCAP 1
#endif
#endif

static const char *const isa_names[EMBER_ISA_COUNT] = {
    "portable", "sse41", "avx2", "avx512", "avx512vnni", "neon", "neon_dotprod",
};

#ifdef EMBER_DETECT_X86
/* XCR0, the register state the OS saves on context switches (xgetbv needs OSXSAVE, checked by the caller). */
static unsigned long long read_xcr0(void) {
    unsigned lo, hi;
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

static ember_isa detect_x86(void) {
    unsigned a, b, c, d, leaf7_b = 0, leaf7_c = 0;
    unsigned long long xcr0;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return EMBER_ISA_PORTABLE;
    if (!(c & (1u << 19))) /* SSE4.1 */
        return EMBER_ISA_PORTABLE;
    /* AVX needs the CPU's AVX and OSXSAVE bits and the OS saving XMM and YMM state. */
    if (!(c & (1u << 27)) || !(c & (1u << 28)))
        return EMBER_ISA_SSE41;
    xcr0 = read_xcr0();
    if ((xcr0 & 0x6) != 0x6)
        return EMBER_ISA_SSE41;
    if (__get_cpuid_max(0, NULL) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        leaf7_b = b;
        leaf7_c = c;
    }
    if (!(leaf7_b & (1u << 5))) /* AVX2 */
        return EMBER_ISA_SSE41;
    /* AVX-512 F (bit 16), BW (30), VL (31) and the OS saving opmask, ZMM_Hi256 and Hi16_ZMM state. */
    if ((leaf7_b & 0xc0010000u) != 0xc0010000u || (xcr0 & 0xe6) != 0xe6)
        return EMBER_ISA_AVX2;
    return (leaf7_c & (1u << 11)) ? EMBER_ISA_AVX512_VNNI : EMBER_ISA_AVX512;
}
#endif

#ifdef EMBER_DETECT_ARM64
/* Advanced SIMD is part of the aarch64 baseline; the dot product instructions are optional (ARMv8.2). */
static ember_isa detect_arm64(void) {
#ifdef EMBER_DETECT_HWCAP
    const unsigned long hwcap_asimddp = 1ul << 20; /* HWCAP_ASIMDDP of <asm/hwcap.h> */
    if (getauxval(AT_HWCAP) & hwcap_asimddp)
        return EMBER_ISA_NEON_DOTPROD;
#endif
    return EMBER_ISA_NEON;
}
#endif

ember_isa ember_cpu_detect(void) {
#if defined(EMBER_DETECT_X86)
    return detect_x86();
#elif defined(EMBER_DETECT_ARM64)
    return detect_arm64();
#else
    return EMBER_ISA_PORTABLE;
#endif
}

static int is_arm(ember_isa isa) {
    return isa == EMBER_ISA_NEON || isa == EMBER_ISA_NEON_DOTPROD;
}

ember_isa ember_isa_cap(ember_isa level, ember_isa limit) {
    if (level == EMBER_ISA_PORTABLE || limit == EMBER_ISA_PORTABLE || is_arm(level) != is_arm(limit))
        return EMBER_ISA_PORTABLE;
    return level < limit ? level : limit;
}

int ember_isa_env_is_reference(void) {
    const char *value = getenv("EMBER_ISA");
    return value && strcmp(value, "reference") == 0;
}

ember_isa ember_isa_from_env(ember_isa detected) {
    const char *value = getenv("EMBER_ISA");
    int i;
    if (!value)
        return detected;
    if (strcmp(value, "reference") == 0)
        return EMBER_ISA_PORTABLE;
    for (i = 0; i < EMBER_ISA_COUNT; ++i)
        if (strcmp(value, isa_names[i]) == 0)
            return ember_isa_cap((ember_isa)i, detected);
    return detected;
}

const char *ember_isa_name(ember_isa isa) {
    return (int)isa >= 0 && (int)isa < EMBER_ISA_COUNT ? isa_names[isa] : "unknown";
}
