/* PRELU: x >= 0 ? x : x * alpha, alpha broadcast against the input (numpy rules; the output has the broadcast
 * shape). Quantised (int8, uint8; LiteRT's reference BroadcastPrelu4DSlow): v = x - zp_in; v >= 0 is scaled
 * by s_in / s_out, otherwise v * (alpha - zp_alpha) by s_in * s_alpha / s_out (both ratios in float, as
 * LiteRT computes them), then + zp_out, clamped to the type's range. float32 rows run the elementwise SIMD
 * families (gemm/elementwise.h, EMBER_BINARY_PRELU: branch-free, the reference's bits). */
#include <math.h>

#include "gemm/elementwise.h"
#include "kernels/broadcast.h"
#include "kernels/kernels.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct prelu_data {
    ember_broadcast b;
    int32_t input_offset, alpha_offset, output_offset;
    int32_t identity_multiplier, alpha_multiplier;
    int identity_shift, alpha_shift;
    int32_t qmin, qmax;
    ember_isa isa;
    int reference; /* EMBER_ISA=reference: the plain loop below */
} prelu_data;

static void row_f32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                    int32_t n) {
    const float *x = (const float *)x1, *alpha = (const float *)x2;
    float *y = (float *)out;
    int32_t i;
    const prelu_data *p = (const prelu_data *)params;
    if (!p->reference) {
        ember_binary_f32_row(p->isa, EMBER_BINARY_PRELU, -INFINITY, INFINITY, x, s1, alpha, s2, y, n);
        return;
    }
    for (i = 0; i < n; ++i) {
        const float v = x[i * s1];
        y[i] = v >= 0.0f ? v : v * alpha[i * s2];
    }
}

static int32_t prelu_q(const prelu_data *p, int32_t x, int32_t alpha) {
    const int32_t v = x + p->input_offset;
    const int32_t scaled =
        v >= 0 ? ember_multiply_by_quantized_multiplier(v, p->identity_multiplier, p->identity_shift)
               : ember_multiply_by_quantized_multiplier(v * (alpha + p->alpha_offset), p->alpha_multiplier,
                                                        p->alpha_shift);
    return ember_offset_clamp(scaled, p->output_offset, p->qmin, p->qmax);
}

static void row_i8(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                   int32_t n) {
    const int8_t *x = (const int8_t *)x1, *alpha = (const int8_t *)x2;
    int8_t *y = (int8_t *)out;
    int32_t i;
    for (i = 0; i < n; ++i)
        y[i] = (int8_t)prelu_q((const prelu_data *)params, x[i * s1], alpha[i * s2]);
}

static void row_u8(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                   int32_t n) {
    const uint8_t *x = (const uint8_t *)x1, *alpha = (const uint8_t *)x2;
    uint8_t *y = (uint8_t *)out;
    int32_t i;
    for (i = 0; i < n; ++i)
        y[i] = (uint8_t)prelu_q((const prelu_data *)params, x[i * s1], alpha[i * s2]);
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    prelu_data *data = (prelu_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *alpha = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    long n = (long)node->index;
    float s_in, s_alpha, s_out;
    int32_t z_in, z_alpha, z_out;

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input && alpha, EMBER_INVALID_MODEL,
                "PRELU %ld: needs 2 inputs (input, alpha) and 1 output, has %ld and %ld", n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(
        ctx,
        input->type == output->type && alpha->type == output->type &&
            (input->type == EMBER_FLOAT32 || input->type == EMBER_INT8 || input->type == EMBER_UINT8),
        EMBER_UNSUPPORTED,
        "PRELU %ld: types input %s, alpha %s, output %s; one of float32, int8, uint8 for all three is "
        "supported",
        n, ember_type_name(input->type), ember_type_name(alpha->type), ember_type_name(output->type));
    EMBER_TRY(ember_broadcast_prepare(ctx, node, input, alpha, output, &data->b));
    data->isa = ctx->isa, data->reference = ctx->reference_kernels;
    if (input->type == EMBER_FLOAT32)
        return EMBER_OK;
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &z_in));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, alpha, &s_alpha, &z_alpha));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &z_out));
    data->input_offset = -z_in;
    data->alpha_offset = -z_alpha;
    data->output_offset = z_out;
    data->qmin = input->type == EMBER_INT8 ? -128 : 0;
    data->qmax = input->type == EMBER_INT8 ? 127 : 255;
    ember_quantize_multiplier((double)(s_in / s_out), &data->identity_multiplier, &data->identity_shift);
    ember_quantize_multiplier((double)(s_in * s_alpha / s_out), &data->alpha_multiplier, &data->alpha_shift);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const prelu_data *data = (const prelu_data *)node->op_data;
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    ember_binary_row row = output->type == EMBER_FLOAT32 ? row_f32
                           : output->type == EMBER_INT8  ? row_i8
                                                         : row_u8;
    ember_broadcast_run(&data->b, row, data, ember_node_input(ctx, node, 0)->data,
                        ember_node_input(ctx, node, 1)->data, output->data, ember_type_size(output->type));
    return EMBER_OK;
}

const ember_kernel ember_kernel_prelu = {
    TFL_OP_PRELU, "PRELU", 2,    0,    sizeof(prelu_data),
    prepare,      eval,    NULL, NULL, EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};
