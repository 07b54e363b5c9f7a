/* The table of implemented operators. Adding an op: one file in kernels/, one line here. */
#include "kernels/kernels.h"

static const ember_kernel *const kernels[] = {
    &ember_kernel_fully_connected,
    &ember_kernel_reshape,
    &ember_kernel_softmax,
    &ember_kernel_conv_2d,
    &ember_kernel_depthwise_conv_2d,
    &ember_kernel_average_pool_2d,
    &ember_kernel_max_pool_2d,
    &ember_kernel_mean,
    &ember_kernel_batch_matmul,
    &ember_kernel_add,
    &ember_kernel_sub,
    &ember_kernel_mul,
    &ember_kernel_relu,
    &ember_kernel_relu6,
    &ember_kernel_leaky_relu,
    &ember_kernel_logistic,
    &ember_kernel_tanh,
    &ember_kernel_hard_swish,
    &ember_kernel_gelu,
    &ember_kernel_rsqrt,
    &ember_kernel_quantize,
    &ember_kernel_dequantize,
    &ember_kernel_densify,
    &ember_kernel_squeeze,
    &ember_kernel_concatenation,
    &ember_kernel_pad,
    &ember_kernel_resize_nearest_neighbor,
    &ember_kernel_transpose,
    &ember_kernel_shape,
    &ember_kernel_strided_slice,
    &ember_kernel_pack,
    &ember_kernel_space_to_batch_nd,
    &ember_kernel_batch_to_space_nd,
    &ember_kernel_gather,
    &ember_kernel_sum,
    &ember_kernel_reduce_max,
    &ember_kernel_reduce_min,
    &ember_kernel_div,
    &ember_kernel_maximum,
    &ember_kernel_minimum,
    &ember_kernel_abs,
    &ember_kernel_exp,
    &ember_kernel_log,
    &ember_kernel_sqrt,
    &ember_kernel_log_softmax,
    &ember_kernel_prelu,
    &ember_kernel_resize_bilinear,
    &ember_kernel_depth_to_space,
    &ember_kernel_space_to_depth,
    &ember_kernel_transpose_conv,
    &ember_kernel_mirror_pad,
    &ember_kernel_padv2,
    &ember_kernel_l2_normalization,
    &ember_kernel_local_response_normalization,
    &ember_kernel_less,
    &ember_kernel_while,
    &ember_kernel_if,
    &ember_kernel_call_once,
};

const ember_kernel *ember_find_kernel(int32_t builtin_code) {
    size_t i;
    for (i = 0; i < sizeof kernels / sizeof kernels[0]; ++i) {
        if (kernels[i]->builtin_code == builtin_code)
            return kernels[i];
    }
    return NULL;
}

size_t ember_op_data_bytes(const ember_interpreter *ctx, const ember_node *node) {
    return node->kernel->op_data_bytes ? node->kernel->op_data_bytes(ctx, node) : node->kernel->op_data_size;
}

size_t ember_scratch_bytes(const ember_interpreter *ctx, const ember_node *node) {
    return node->kernel->scratch_bytes ? node->kernel->scratch_bytes(ctx, node) : 0;
}
