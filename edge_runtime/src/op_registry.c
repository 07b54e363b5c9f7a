/* The table of implemented operators. Adding an op: one file in kernels/, one line here. */
#include "kernels/kernels.h"

static const ember_kernel *const kernels[] = {
    &ember_kernel_fully_connected,
    &ember_kernel_reshape,
    &ember_kernel_softmax,
};

const ember_kernel *ember_find_kernel(int32_t builtin_code) {
    size_t i;
    for (i = 0; i < sizeof kernels / sizeof kernels[0]; ++i) {
        if (kernels[i]->builtin_code == builtin_code)
            return kernels[i];
    }
    return NULL;
}
