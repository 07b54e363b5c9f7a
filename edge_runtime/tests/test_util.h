/* Minimal test harness: CHECK records a failure and carries on, so one run reports every broken expectation.
 */
#ifndef EMBER_TEST_UTIL_H
#define EMBER_TEST_UTIL_H

#include <stdio.h>
#include <string.h>

extern int test_failures;

#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                         \
            ++test_failures;                                                                                 \
        }                                                                                                    \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                                \
    do {                                                                                                     \
        double check_a_ = (a), check_b_ = (b);                                                               \
        if (!(check_a_ - check_b_ <= (tol) && check_b_ - check_a_ <= (tol))) {                               \
            fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.9g, %s = %.9g\n", __FILE__, __LINE__, #a,      \
                    check_a_, #b, check_b_);                                                                 \
            ++test_failures;                                                                                 \
        }                                                                                                    \
    } while (0)

/* Status check that also shows the runtime's message when the status is unexpected. */
#define CHECK_STATUS(status, expected, message)                                                              \
    do {                                                                                                     \
        int check_s_ = (int)(status);                                                                        \
        if (check_s_ != (int)(expected)) {                                                                   \
            fprintf(stderr, "%s:%d: status %d, expected %d (%s): %s\n", __FILE__, __LINE__, check_s_,        \
                    (int)(expected), #expected, (message));                                                  \
            ++test_failures;                                                                                 \
        }                                                                                                    \
    } while (0)

#define CHECK_CONTAINS(text, part)                                                                           \
    do {                                                                                                     \
        if (!strstr((text), (part))) {                                                                       \
            fprintf(stderr, "%s:%d: message \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, (text), (part));     \
            ++test_failures;                                                                                 \
        }                                                                                                    \
    } while (0)

void test_kernels(void);
void test_planner(void);
void test_loader(void);
void test_interpreter(void);
void test_quantization(void);
void test_gemm(void);
void test_thread_pool(void);
void test_threads(void);
void test_custom_ops(void);

/* Deterministic generator for randomised tests (no libc rand state shared between tests). */
static inline unsigned test_rand(unsigned *state) {
    *state = *state * 1103515245u + 12345u;
    return (*state >> 16) & 0x7fffu;
}

#endif /* EMBER_TEST_UTIL_H */
