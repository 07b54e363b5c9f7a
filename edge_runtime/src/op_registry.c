/* The table of implemented operators. Adding an op: one file in kernels/, one line here. */
#include <string.h>

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
    &ember_kernel_split,
    &ember_kernel_split_v,
    &ember_kernel_slice,
    &ember_kernel_expand_dims,
    &ember_kernel_tile,
    &ember_kernel_broadcast_to,
    &ember_kernel_gather_nd,
    &ember_kernel_arg_max,
    &ember_kernel_arg_min,
    &ember_kernel_reduce_prod,
    &ember_kernel_unpack,
    &ember_kernel_reverse_v2,
    &ember_kernel_range,
    &ember_kernel_floor,
    &ember_kernel_sin,
    &ember_kernel_cos,
    &ember_kernel_neg,
    &ember_kernel_floor_div,
    &ember_kernel_floor_mod,
    &ember_kernel_squared_difference,
    &ember_kernel_pow,
    &ember_kernel_elu,
    &ember_kernel_less,
    &ember_kernel_less_equal,
    &ember_kernel_greater,
    &ember_kernel_greater_equal,
    &ember_kernel_equal,
    &ember_kernel_not_equal,
    &ember_kernel_logical_and,
    &ember_kernel_logical_or,
    &ember_kernel_logical_not,
    &ember_kernel_select,
    &ember_kernel_select_v2,
    &ember_kernel_cast,
    &ember_kernel_zeros_like,
    &ember_kernel_fill,
    &ember_kernel_while,
    &ember_kernel_if,
    &ember_kernel_call_once,
    &ember_kernel_var_handle,
    &ember_kernel_read_variable,
    &ember_kernel_assign_variable,
    &ember_kernel_unidirectional_sequence_lstm,
    &ember_kernel_bidirectional_sequence_lstm,
    &ember_kernel_unidirectional_sequence_rnn,
};

/* CUSTOM operators the runtime implements, found by custom_code (their kernel's name); LiteRT registers
 * these by default too. NULL-terminated. */
static const ember_kernel *const custom_kernels[] = {
    &ember_kernel_detection_postprocess,
    NULL,
};
#define CUSTOM_COUNT (sizeof custom_kernels / sizeof custom_kernels[0] - 1)

const ember_kernel *ember_find_kernel(int32_t builtin_code) {
    size_t i;
    for (i = 0; i < sizeof kernels / sizeof kernels[0]; ++i) {
        if (kernels[i]->builtin_code == builtin_code)
            return kernels[i];
    }
    return NULL;
}

const ember_kernel *ember_find_custom_kernel(const char *custom_code) {
    size_t i;
    for (i = 0; custom_code && custom_kernels[i]; ++i) {
        if (strcmp(custom_kernels[i]->name, custom_code) == 0)
            return custom_kernels[i];
    }
    return NULL;
}

#define BUILTIN_COUNT (sizeof kernels / sizeof kernels[0])

int32_t ember_kernel_count(void) {
    return (int32_t)(BUILTIN_COUNT + CUSTOM_COUNT);
}

const ember_kernel *ember_kernel_at(int32_t i) {
    if (i < 0 || i >= ember_kernel_count())
        return NULL;
    return (size_t)i < BUILTIN_COUNT ? kernels[i] : custom_kernels[i - (int32_t)BUILTIN_COUNT];
}

size_t ember_op_data_bytes(const ember_interpreter *ctx, const ember_node *node) {
    return node->kernel->op_data_bytes ? node->kernel->op_data_bytes(ctx, node) : node->kernel->op_data_size;
}

size_t ember_scratch_bytes(const ember_interpreter *ctx, const ember_node *node) {
    return node->kernel->scratch_bytes ? node->kernel->scratch_bytes(ctx, node) : 0;
}

int32_t ember_op_registry_count(void) {
    return ember_kernel_count();
}

ember_status ember_op_registry_entry(int32_t i, const char **name, int32_t *builtin_code,
                                     int32_t *max_version, uint32_t *types) {
    const ember_kernel *k = ember_kernel_at(i);
    if (!k)
        return EMBER_INVALID_ARGUMENT;
    if (name)
        *name = k->name;
    if (builtin_code)
        *builtin_code = k->builtin_code;
    if (max_version)
        *max_version = k->max_version;
    if (types)
        *types = k->types;
    return EMBER_OK;
}
