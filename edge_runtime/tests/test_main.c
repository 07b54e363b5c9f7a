/* ember_tests [suite]: runs one suite (as ctest does) or all of them. Exit status 0 only if every CHECK held.
 */
#include "test_util.h"

int test_failures = 0;

int main(int argc, char **argv) {
    static const struct {
        const char *name;
        void (*run)(void);
    } suites[] = {
        {"kernels", test_kernels},
        {"planner", test_planner},
        {"loader", test_loader},
        {"interpreter", test_interpreter},
        {"quantization", test_quantization},
        {"gemm", test_gemm},
        {"thread_pool", test_thread_pool},
        {"threads", test_threads},
        {"custom_ops", test_custom_ops},
    };
    size_t i;
    int ran = 0;
    for (i = 0; i < sizeof suites / sizeof suites[0]; ++i) {
        if (argc > 1 && strcmp(argv[1], suites[i].name) != 0)
            continue;
        int before = test_failures;
        suites[i].run();
        ++ran;
        printf("%s: %s\n", suites[i].name, test_failures > before ? "FAILED" : "ok");
    }
    if (!ran) {
        fprintf(stderr, "unknown suite '%s'\n", argv[1]);
        return 2;
    }
    return test_failures ? 1 : 0;
}
