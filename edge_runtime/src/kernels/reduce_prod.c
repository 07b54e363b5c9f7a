/* REDUCE_PROD over any set of constant axes (the geometry of reduce.h): each output is 1 times its inputs in
 * row-major order of the reduced axes, the order of TFLite's reference ReduceGeneric, so float32 products
 * match it bit for bit (an empty reduction gives 1).
 *
 * int8 as LiteRT's QuantizedReduceProd: with n inputs per output and scaling = s_in / s_out^(1/n) (a
 * quantised multiplier), acc = q0 - z_in, then acc = mbqm64(acc * (q - z_in), scaling) for each further input
 * in the same order, and the output is clamp(mbqm64(acc, scaling) + z_out): n scalings in all, s_in^n /
 * s_out. mbqm64 is TFLite's MultiplyByQuantizedMultiplier on an int64 (its multiplier rounded to 16 bits, one
 * rounding shift). An empty int8 reduction is refused: LiteRT leaves its outputs unwritten. */
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/reduce.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct reduce_prod_data {
    ember_reduction r;
    int32_t multiplier, input_zero_point, output_zero_point;
    int shift;
} reduce_prod_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    reduce_prod_data *data = (reduce_prod_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    float s_in, s_out;
    const long n = (long)node->index;
    EMBER_TRY(ember_reduction_prepare(ctx, node, &data->r));
    if (input->type != EMBER_INT8)
        return EMBER_OK;
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &data->input_zero_point));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &data->output_zero_point));
    if (data->r.outputs == 0)
        return EMBER_OK;
    /* LiteRT returns before writing such an output (its bytes are whatever the arena held). */
    EMBER_CHECK(ctx, data->r.count > 0, EMBER_UNSUPPORTED,
                "REDUCE_PROD %ld: int8 input '%.64s' reduces an empty axis into %ld outputs; LiteRT leaves "
                "them unwritten, so no answer is defined (float32 gives 1)",
                n, input->name, (long)data->r.outputs);
    ember_quantize_multiplier((double)s_in / pow((double)s_out, 1.0 / (double)data->r.count),
                              &data->multiplier, &data->shift);
    /* The int64 MultiplyByQuantizedMultiplier shifts right by 15 - shift: LiteRT asserts shift < 8. */
    EMBER_CHECK(
        ctx, data->shift < 8, EMBER_UNSUPPORTED,
        "REDUCE_PROD %ld: input scale %g over output scale %g (root %ld) is a step scaling of at least "
        "2^%d; LiteRT's int64 rescale (and this one) takes less than 2^7",
        n, (double)s_in, (double)s_out, (long)data->r.count, data->shift - 1);
    return EMBER_OK;
}

/* TFLite's MultiplyByQuantizedMultiplier(int64_t x, int32_t multiplier, int shift), double-rounding build. */
static int32_t mbqm64(int64_t x, int32_t multiplier, int shift) {
    const int64_t reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
    const int total_shift = 15 - shift;
    const int64_t round = (int64_t)1 << (total_shift - 1);
    /* |x| < 2^39 (an int32 times a difference of int8 codes) and reduced < 2^16: no overflow. */
    return (int32_t)((x * reduced + round) >> total_shift);
}

static void eval_i8(const reduce_prod_data *data, const int8_t *input, int8_t *output) {
    const ember_reduction *r = &data->r;
    const int32_t z = data->input_zero_point;
    int32_t o, i;
    for (o = 0; o < r->outputs; ++o) {
        const int8_t *base = input + ember_reduction_offset(o, r->kept_rank, r->kept_dims, r->kept_strides);
        int32_t acc = base[0] - z;
        int32_t y;
        for (i = 1; i < r->count; ++i) {
            const int32_t q =
                base[ember_reduction_offset(i, r->reduced_rank, r->reduced_dims, r->reduced_strides)];
            acc = mbqm64((int64_t)acc * (q - z), data->multiplier, data->shift);
        }
        y = mbqm64(acc, data->multiplier, data->shift) + data->output_zero_point;
        output[o] = ember_clamp_i8(y, -128, 127);
    }
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const reduce_prod_data *data = (const reduce_prod_data *)node->op_data;
    const ember_reduction *r = &data->r;
    const ember_tensor *in = ember_node_input(ctx, node, 0);
    ember_tensor *out = ember_node_output(ctx, node, 0);
    const float *input = (const float *)in->data;
    float *output = (float *)out->data;
    int32_t o, i;
    if (in->type == EMBER_INT8) {
        eval_i8(data, (const int8_t *)in->data, (int8_t *)out->data);
        return EMBER_OK;
    }
    for (o = 0; o < r->outputs; ++o) {
        const float *base = input + ember_reduction_offset(o, r->kept_rank, r->kept_dims, r->kept_strides);
        float acc = 1.0f;
        for (i = 0; i < r->count; ++i)
            acc *= base[ember_reduction_offset(i, r->reduced_rank, r->reduced_dims, r->reduced_strides)];
        output[o] = acc;
    }
    return EMBER_OK;
}

/* Version 2 is int8 (as LiteRT registers it). */
const ember_kernel ember_kernel_reduce_prod = {
    TFL_OP_REDUCE_PROD,
    "REDUCE_PROD",
    2,
    TFL_OPTIONS_REDUCER,
    sizeof(reduce_prod_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8,
};
