/* POW with numpy broadcasting, as TFLite's reference (pow.cc): powf on float32; on int32 exponentiation by
 * squaring in the type's wrapping arithmetic. A negative int32 exponent fails the invoke with
 * EMBER_RUNTIME_ERROR, as LiteRT does ("POW does not support negative value for int32"). */
#include <math.h>

#include "kernels/broadcast.h"
#include "kernels/kernels.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct pow_data {
    ember_broadcast broadcast;
    int32_t exponent_count;
} pow_data;

static void pow_f32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                    int32_t n) {
    const float *a = (const float *)x1, *b = (const float *)x2;
    float *y = (float *)out;
    int32_t i;
    (void)params;
    for (i = 0; i < n; ++i)
        y[i] = powf(a[i * s1], b[i * s2]);
}

/* base^exponent, exponent >= 0, wrapping like LiteRT's IntegerPow on two's complement hardware. */
static int32_t integer_pow(int32_t base, int32_t exponent) {
    uint32_t result = 1u, b = (uint32_t)base;
    while (exponent) {
        if (exponent & 1)
            result *= b;
        b *= b;
        exponent >>= 1;
    }
    return ember_wrap_i32(result);
}

static void pow_i32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                    int32_t n) {
    const int32_t *a = (const int32_t *)x1, *b = (const int32_t *)x2;
    int32_t *y = (int32_t *)out;
    int32_t i;
    (void)params;
    for (i = 0; i < n; ++i)
        y[i] = integer_pow(a[i * s1], b[i * s2]);
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    pow_data *data = (pow_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    EMBER_TRY(ember_binary_prepare(ctx, node, &data->broadcast));
    EMBER_CHECK(
        ctx, input->type == output->type && (output->type == EMBER_FLOAT32 || output->type == EMBER_INT32),
        EMBER_UNSUPPORTED, "POW %ld: types input %s, output %s; float32 or int32 (both) are supported",
        (long)node->index, ember_type_name(input->type), ember_type_name(output->type));
    data->exponent_count = ember_element_count(ember_node_input(ctx, node, 1));
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const pow_data *data = (const pow_data *)node->op_data;
    const ember_tensor *base = ember_node_input(ctx, node, 0), *exponent = ember_node_input(ctx, node, 1);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t i;
    if (output->type == EMBER_INT32) {
        for (i = 0; i < data->exponent_count; ++i) {
            const int32_t e = ((const int32_t *)exponent->data)[i];
            EMBER_CHECK(
                ctx, e >= 0, EMBER_RUNTIME_ERROR,
                "POW %ld: element %ld of int32 exponent '%.64s' is %ld; int32 POW needs exponents >= 0 "
                "(LiteRT fails the same way; use float32 for negative powers)",
                (long)node->index, (long)i, exponent->name, (long)e);
        }
    }
    ember_broadcast_run(&data->broadcast, output->type == EMBER_INT32 ? pow_i32 : pow_f32, NULL, base->data,
                        exponent->data, output->data, 4);
    return EMBER_OK;
}

const ember_kernel ember_kernel_pow = {
    TFL_OP_POW, "POW", 1,    TFL_OPTIONS_POW,           sizeof(pow_data), prepare,
    eval,       NULL,  NULL, EMBER_T_F32 | EMBER_T_I32,
};
