/* MEAN over any set of axes (a constant int32 axis tensor; negative axes count from the end, repeats are
 * ignored), keep_dims or not; float32, int8 and int16 (16x8: zero point 0).
 *
 * Each output element sums its inputs in row-major order of the reduced axes, which is the order of TFLite's
 * reference (reference/reduce.h: Mean, QuantizedMeanOrSum), so float results agree to rounding. int8 follows
 * QuantizedMeanOrSum bit for bit: sum of raw values in int32, minus zero point times count, requantised by
 * s_in / s_out with 1/count folded into the multiplier; int16 is the same arithmetic (LiteRT's
 * EvalMeanReferenceOps is one template for both), clamped to int16. */
#include <math.h>

#include "gemm/elementwise.h"
#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/reduce.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct mean_data {
    ember_reduction r; /* kernels/reduce.h */
    int32_t input_zero_point, output_zero_point, multiplier, shift;
    /* Channel-vectorised path (gemm/elementwise.h column sums) when the input's last axis is kept and the
     * reduced axes step as one axis of `rows` rows `row_stride` apart (global average pooling over H, W):
     * each output channel still sums its inputs in the reference's order. channels = 0: the loops below. */
    int32_t channels, rows;
    int64_t row_stride;
    ember_isa isa;
} mean_data;

/* Channels an output block sums at once (on the stack). */
#define MEAN_BLOCK 256

static void mean_channels_f32(const mean_data *m, const float *input, float *output) {
    const ember_reduction *r = &m->r;
    float sum[MEAN_BLOCK];
    int32_t o, c0, c, n;
    for (o = 0; o < r->outputs; o += m->channels) {
        const float *base =
            input + ember_reduction_offset(o / m->channels, r->kept_rank - 1, r->kept_dims, r->kept_strides);
        for (c0 = 0; c0 < m->channels; c0 += MEAN_BLOCK) {
            n = m->channels - c0 < MEAN_BLOCK ? m->channels - c0 : MEAN_BLOCK;
            ember_column_sums_f32(m->isa, base + c0, (size_t)m->row_stride, m->rows, n, sum);
            for (c = 0; c < n; ++c)
                output[o + c0 + c] = sum[c] / (float)r->count;
        }
    }
}

static void mean_channels_i8(const mean_data *m, const int8_t *input, int8_t *output) {
    const ember_reduction *r = &m->r;
    int32_t sum[MEAN_BLOCK], y;
    int32_t o, c0, c, n;
    for (o = 0; o < r->outputs; o += m->channels) {
        const int8_t *base =
            input + ember_reduction_offset(o / m->channels, r->kept_rank - 1, r->kept_dims, r->kept_strides);
        for (c0 = 0; c0 < m->channels; c0 += MEAN_BLOCK) {
            n = m->channels - c0 < MEAN_BLOCK ? m->channels - c0 : MEAN_BLOCK;
            ember_column_sums_i8(m->isa, base + c0, (size_t)m->row_stride, m->rows, n, sum);
            for (c = 0; c < n; ++c) {
                y = ember_multiply_by_quantized_multiplier(sum[c] - m->input_zero_point * r->count,
                                                           m->multiplier, m->shift);
                output[o + c0 + c] = (int8_t)ember_offset_clamp(y, m->output_zero_point, -128, 127);
            }
        }
    }
}

/* Fills the channel-vectorised path's geometry when it applies (see mean_data). */
static void plan_channels(const ember_interpreter *ctx, mean_data *m) {
    const ember_reduction *r = &m->r;
    int64_t inner = 0, span = 0;
    int32_t d;
    m->channels = 0;
    if (ctx->reference_kernels || r->outputs == 0 || r->count == 0 || r->kept_rank == 0 ||
        r->kept_strides[r->kept_rank - 1] != 1)
        return;
    /* The reduced axes, size-1 ones aside, must nest as one: outer stride = inner stride * inner size. */
    for (d = r->reduced_rank - 1; d >= 0; --d) {
        if (r->reduced_dims[d] == 1)
            continue;
        if (inner && r->reduced_strides[d] != span)
            return;
        if (!inner)
            inner = span = r->reduced_strides[d];
        span *= r->reduced_dims[d];
    }
    m->channels = r->kept_dims[r->kept_rank - 1];
    m->rows = r->count;
    m->row_stride = inner; /* 0 when every reduced axis has size 1 (one row) */
    m->isa = ctx->isa;
}

static void mean_f32(const mean_data *m, const float *input, float *output) {
    const ember_reduction *r = &m->r;
    int32_t o, i;
    for (o = 0; o < r->outputs; ++o) {
        const float *base = input + ember_reduction_offset(o, r->kept_rank, r->kept_dims, r->kept_strides);
        float sum = 0.0f;
        for (i = 0; i < r->count; ++i)
            sum += base[ember_reduction_offset(i, r->reduced_rank, r->reduced_dims, r->reduced_strides)];
        output[o] = r->count ? sum / (float)r->count : NAN;
    }
}

static void mean_i8(const mean_data *m, const int8_t *input, int8_t *output) {
    const ember_reduction *r = &m->r;
    int32_t o, i;
    for (o = 0; o < r->outputs; ++o) {
        const int8_t *base = input + ember_reduction_offset(o, r->kept_rank, r->kept_dims, r->kept_strides);
        int32_t sum = 0, y;
        for (i = 0; i < r->count; ++i)
            sum += base[ember_reduction_offset(i, r->reduced_rank, r->reduced_dims, r->reduced_strides)];
        y = ember_multiply_by_quantized_multiplier(sum - m->input_zero_point * r->count, m->multiplier,
                                                   m->shift);
        output[o] = r->count ? (int8_t)ember_offset_clamp(y, m->output_zero_point, -128, 127) : 0;
    }
}

static void mean_i16(const mean_data *m, const int16_t *input, int16_t *output) {
    const ember_reduction *r = &m->r;
    int32_t o, i;
    for (o = 0; o < r->outputs; ++o) {
        const int16_t *base = input + ember_reduction_offset(o, r->kept_rank, r->kept_dims, r->kept_strides);
        uint32_t sum = 0; /* int32 arithmetic that wraps as LiteRT's does */
        int32_t y;
        for (i = 0; i < r->count; ++i)
            sum += (uint32_t)(int32_t)
                base[ember_reduction_offset(i, r->reduced_rank, r->reduced_dims, r->reduced_strides)];
        sum -= (uint32_t)m->input_zero_point * (uint32_t)r->count;
        y = ember_multiply_by_quantized_multiplier(ember_wrap_i32(sum), m->multiplier, m->shift);
        output[o] = r->count ? (int16_t)ember_offset_clamp(y, m->output_zero_point, -32768, 32767) : 0;
    }
}

/* Floor of log2 of a positive count (TFLite's 63 - CountLeadingZeros). */
static int floor_log2(int64_t n) {
    int k = 0;
    while (n > 1) {
        n >>= 1;
        ++k;
    }
    return k;
}

static ember_status prepare_quantized(ember_interpreter *ctx, const ember_node *node,
                                      const ember_tensor *input, const ember_tensor *output, mean_data *m) {
    float s_in, s_out;
    int32_t multiplier;
    int shift, fold;
    double real;
    if (input->type == EMBER_INT16) {
        EMBER_CHECK(ctx, output->type == EMBER_INT16, EMBER_INVALID_MODEL,
                    "MEAN %ld: int16 input '%.64s' needs an int16 output, '%.64s' is %s", (long)node->index,
                    input->name, output->name, ember_type_name(output->type));
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, input, 1, &s_in, &m->input_zero_point));
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, output, 1, &s_out, &m->output_zero_point));
        m->channels = 0; /* the reference loop: the SIMD column sums are int8's */
    } else {
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &m->input_zero_point));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &m->output_zero_point));
    }
    real = (double)s_in / (double)s_out;
    EMBER_CHECK(
        ctx, real < 1073741824.0 && m->r.count <= (1 << 23), EMBER_UNSUPPORTED,
        "MEAN %ld: rescale %g or %ld inputs an output are beyond the int8 kernel's range (2^30, 2^23)",
        (long)node->index, real, (long)m->r.count);
    ember_quantize_multiplier(real, &multiplier, &shift);
    if (m->r.count > 0) {
        /* Fold 1/count into the multiplier, keeping the shift within what the requantisation accepts. */
        fold = floor_log2(m->r.count);
        fold = fold < 32 ? fold : 32;
        fold = fold < 31 + shift ? fold : 31 + shift;
        multiplier = (int32_t)(((int64_t)multiplier << fold) / m->r.count);
        shift -= fold;
    }
    m->multiplier = multiplier;
    m->shift = shift;
    return EMBER_OK;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    mean_data *m = (mean_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    EMBER_TRY(ember_reduction_prepare(ctx, node, &m->r));
    plan_channels(ctx, m);
    if (input->type == EMBER_FLOAT32)
        return EMBER_OK;
    return prepare_quantized(ctx, node, input, ember_node_output(ctx, node, 0), m);
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    const mean_data *m = (const mean_data *)node->op_data;
    if (input->type == EMBER_FLOAT32 && m->channels)
        mean_channels_f32(m, (const float *)input->data, (float *)output->data);
    else if (input->type == EMBER_FLOAT32)
        mean_f32(m, (const float *)input->data, (float *)output->data);
    else if (input->type == EMBER_INT16)
        mean_i16(m, (const int16_t *)input->data, (int16_t *)output->data);
    else if (m->channels)
        mean_channels_i8(m, (const int8_t *)input->data, (int8_t *)output->data);
    else
        mean_i8(m, (const int8_t *)input->data, (int8_t *)output->data);
    return EMBER_OK;
}

/* Versions 1 to 3 as LiteRT registers them (3: int16). */
EMBER_U8_VIA_I8(mean, prepare, eval, NULL)

const ember_kernel ember_kernel_mean = {
    TFL_OP_MEAN,
    "MEAN",
    3,
    TFL_OPTIONS_REDUCER,
    sizeof(mean_data),
    mean_prepare_u8,
    mean_eval_u8,
    NULL,
    mean_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
