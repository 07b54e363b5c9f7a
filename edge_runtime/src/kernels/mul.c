/* MUL: out = act(x1 * x2) with numpy broadcasting. int8 (TFLite reference): one multiplier s1 * s2 / s_out,
 * computed in double, applied to (x1 - zp1) * (x2 - zp2). */
#include "gemm/elementwise.h"
#include "kernels/broadcast.h"
#include "kernels/kernels.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct mul_params {
    ember_arith_params a;
    int32_t multiplier;
    int shift;
    /* The optimised rows (gemm/elementwise.h) at level isa; fast = 0 (EMBER_ISA=reference): the loops. */
    int fast;
    ember_isa isa;
    ember_mul_i8_params i8;
} mul_params;

typedef struct mul_data {
    ember_broadcast broadcast;
    mul_params params;
} mul_data;

static void mul_row_f32(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                        int32_t n) {
    const mul_params *p = (const mul_params *)params;
    const float *a = (const float *)x1, *b = (const float *)x2;
    float *y = (float *)out;
    int32_t i;
    for (i = 0; i < n; ++i)
        y[i] = ember_clamp_f32(a[i * s1] * b[i * s2], p->a.act_min_f, p->a.act_max_f);
}

static void mul_row_i8(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2, void *out,
                       int32_t n) {
    const mul_params *p = (const mul_params *)params;
    const int8_t *a = (const int8_t *)x1, *b = (const int8_t *)x2;
    int8_t *y = (int8_t *)out;
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t product = (p->a.input1_offset + a[i * s1]) * (p->a.input2_offset + b[i * s2]);
        y[i] = (int8_t)ember_offset_clamp(ember_multiply_by_quantized_multiplier(product, p->multiplier, p->shift),
                                          p->a.output_offset, p->a.act_min, p->a.act_max);
    }
}

static void mul_row_f32_fast(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                             void *out, int32_t n) {
    const mul_params *p = (const mul_params *)params;
    ember_binary_f32_row(p->isa, EMBER_BINARY_MUL, p->a.act_min_f, p->a.act_max_f, (const float *)x1, s1,
                         (const float *)x2, s2, (float *)out, n);
}

static void mul_row_i8_fast(const void *params, const void *x1, int32_t s1, const void *x2, int32_t s2,
                            void *out, int32_t n) {
    const mul_params *p = (const mul_params *)params;
    ember_mul_i8_row(p->isa, &p->i8, (const int8_t *)x1, s1, (const int8_t *)x2, s2, (int8_t *)out, n);
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    mul_data *data = (mul_data *)node->op_data;
    mul_params *p = &data->params;
    double real;

    EMBER_TRY(ember_arith_prepare(ctx, node, &data->broadcast, &p->a));
    p->fast = !ctx->reference_kernels;
    p->isa = ctx->isa;
    if (ember_node_output(ctx, node, 0)->type == EMBER_INT8) {
        real = (double)p->a.input1_scale * (double)p->a.input2_scale / (double)p->a.output_scale;
        ember_quantize_multiplier(real, &p->multiplier, &p->shift);
        EMBER_CHECK(ctx, p->shift <= 31, EMBER_UNSUPPORTED,
                    "MUL %ld: rescale factor %g (input scales %g, %g, output scale %g) is too large",
                    (long)node->index, real, (double)p->a.input1_scale, (double)p->a.input2_scale,
                    (double)p->a.output_scale);
        p->i8.input1_offset = p->a.input1_offset;
        p->i8.input2_offset = p->a.input2_offset;
        p->i8.output_offset = p->a.output_offset;
        p->i8.multiplier = p->multiplier;
        p->i8.shift = p->shift;
        p->i8.act_min = p->a.act_min;
        p->i8.act_max = p->a.act_max;
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const mul_data *data = (const mul_data *)node->op_data;
    if (data->params.fast)
        ember_arith_eval(ctx, node, &data->broadcast, mul_row_f32_fast, mul_row_i8_fast, &data->params);
    else
        ember_arith_eval(ctx, node, &data->broadcast, mul_row_f32, mul_row_i8, &data->params);
    return EMBER_OK;
}

EMBER_U8_VIA_I8(mul, prepare, eval, NULL)

const ember_kernel ember_kernel_mul = {
    TFL_OP_MUL,     "MUL",       7,    TFL_OPTIONS_MUL, sizeof(mul_data),
    mul_prepare_u8, mul_eval_u8, NULL, mul_scratch_u8,  EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};
