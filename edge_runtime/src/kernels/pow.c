/* POW with numpy broadcasting, as TFLite's reference (pow.cc), which takes two paths:
 * - inputs of different shapes whose exponent holds one element that is a whole number >= 0 (optimized_ops'
 *   BroadcastPow4D, which the reference resolver registers too): exponentiation by squaring from the top bit
 *   down (x, then r = r * r and r = r * x for each lower bit), in float32 arithmetic or in int32 wrapping
 *   arithmetic;
 * - otherwise powf on float32 and, on int32, pow in double converted back (INT32_MIN when out of range, as
 * x86 converts for LiteRT). A negative int32 exponent fails the invoke with EMBER_RUNTIME_ERROR, as LiteRT
 * does ("POW does not support negative value for int32"). LiteRT's broadcasting here is 4-D; ember takes rank
 * 5 as well. */
#include <math.h>

#include "kernels/broadcast.h"
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct pow_data {
    ember_broadcast broadcast;
    int32_t exponent_count;
    int32_t scalar_exponent; /* the shapes differ and the exponent has one element */
    int32_t count;           /* output elements */
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

/* base^exponent, exponent >= 0, as LiteRT's reference: std::pow in double, converted to int32, which on x86
 * gives INT32_MIN for every result out of range (an exact integer otherwise: double's pow is exact on them).
 */
static int32_t double_pow_i32(int32_t base, int32_t exponent) {
    const double r = pow((double)base, (double)exponent);
    return r >= -2147483648.0 && r < 2147483648.0 ? (int32_t)r : INT32_MIN;
}

static void pow_i32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                    int32_t n) {
    const int32_t *a = (const int32_t *)x1, *b = (const int32_t *)x2;
    int32_t *y = (int32_t *)out;
    int32_t i;
    (void)params;
    for (i = 0; i < n; ++i)
        y[i] = double_pow_i32(a[i * s1], b[i * s2]);
}

/* Index of the top set bit of e > 0. */
static int top_bit(uint32_t e) {
    int bit = 31;
    while (!(e >> bit))
        --bit;
    return bit;
}

/* x^e for every element by squaring from the top bit down; e >= 0 (e == 0: all ones). */
static void squaring_pow_f32(const float *x, float *y, int32_t count, uint32_t e) {
    int32_t i;
    int bit;
    for (i = 0; i < count; ++i) {
        float r = x[i];
        if (e == 0) {
            y[i] = 1.0f;
            continue;
        }
        for (bit = top_bit(e) - 1; bit >= 0; --bit) {
            r = r * r;
            if ((e >> bit) & 1u)
                r = r * x[i];
        }
        y[i] = r;
    }
}

static void squaring_pow_i32(const int32_t *x, int32_t *y, int32_t count, uint32_t e) {
    int32_t i;
    int bit;
    for (i = 0; i < count; ++i) {
        uint32_t r = (uint32_t)x[i];
        if (e == 0) {
            y[i] = 1;
            continue;
        }
        for (bit = top_bit(e) - 1; bit >= 0; --bit) {
            r = r * r;
            if ((e >> bit) & 1u)
                r = r * (uint32_t)x[i];
        }
        y[i] = ember_wrap_i32(r);
    }
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    pow_data *data = (pow_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const ember_tensor *exponent;
    EMBER_TRY(ember_binary_prepare(ctx, node, &data->broadcast));
    exponent = ember_node_input(ctx, node, 1);
    EMBER_CHECK(
        ctx, input->type == output->type && (output->type == EMBER_FLOAT32 || output->type == EMBER_INT32),
        EMBER_UNSUPPORTED, "POW %ld: types input %s, output %s; float32 or int32 (both) are supported",
        (long)node->index, ember_type_name(input->type), ember_type_name(output->type));
    data->exponent_count = ember_element_count(exponent);
    data->scalar_exponent = !ember_same_shape(input, exponent) && data->exponent_count == 1;
    data->count = ember_element_count(output);
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
        if (data->scalar_exponent) {
            /* one element broadcast over the base: the base has the output's elements */
            squaring_pow_i32((const int32_t *)base->data, (int32_t *)output->data, data->count,
                             (uint32_t) * (const int32_t *)exponent->data);
            return EMBER_OK;
        }
    } else if (data->scalar_exponent) {
        const float e = *(const float *)exponent->data;
        if (e >= 0.0f && e <= 2147483520.0f && e == (float)(int32_t)e) {
            squaring_pow_f32((const float *)base->data, (float *)output->data, data->count, (uint32_t)e);
            return EMBER_OK;
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
