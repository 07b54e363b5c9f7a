/* BATCH_MATMUL, float32: out[..., i, j] = sum_k lhs[..., i, k] * rhs[..., k, j], with adj_x / adj_y
 * transposing the last two axes of an operand and numpy broadcasting over up to three leading batch axes
 * (TFLite's reference/batch_matmul.h; k ascending, as it sums). int8 (per-tensor): the int32 sum of
 * (lhs - zp_lhs) * (rhs - zp_rhs), requantised by s_lhs * s_rhs / s_out with the double rounding of
 * INT8_ARITHMETIC.md, + zp_out, clamped to int8 (the op has no fused activation). */
#include "kernels/kernels.h"
#include "quantization.h"
#include "tflite_schema.h"

#define BMM_BATCH_DIMS 3

typedef struct batch_matmul_data {
    int32_t out_batch[BMM_BATCH_DIMS];
    int64_t lhs_step[BMM_BATCH_DIMS], rhs_step[BMM_BATCH_DIMS]; /* matrix strides, 0 where broadcast */
    int32_t rows, cols, depth;
    int32_t lhs_row, lhs_k, rhs_k, rhs_col; /* element strides inside one matrix */
    int32_t lhs_zero_point, rhs_zero_point, output_zero_point, multiplier; /* int8 */
    int shift;
} batch_matmul_data;

static void batch_matmul_f32(const void *op_data, const float *lhs, const float *rhs, float *output) {
    const batch_matmul_data *d = (const batch_matmul_data *)op_data;
    int32_t b0, b1, b2, i, j, k;
    for (b0 = 0; b0 < d->out_batch[0]; ++b0)
        for (b1 = 0; b1 < d->out_batch[1]; ++b1)
            for (b2 = 0; b2 < d->out_batch[2]; ++b2) {
                const float *l = lhs + (size_t)b0 * d->lhs_step[0] + (size_t)b1 * d->lhs_step[1] +
                                 (size_t)b2 * d->lhs_step[2];
                const float *r = rhs + (size_t)b0 * d->rhs_step[0] + (size_t)b1 * d->rhs_step[1] +
                                 (size_t)b2 * d->rhs_step[2];
                for (i = 0; i < d->rows; ++i)
                    for (j = 0; j < d->cols; ++j) {
                        float total = 0.0f;
                        for (k = 0; k < d->depth; ++k)
                            total += l[(size_t)i * d->lhs_row + (size_t)k * d->lhs_k] *
                                     r[(size_t)k * d->rhs_k + (size_t)j * d->rhs_col];
                        *output++ = total;
                    }
            }
}

/* int32 of a uint32 sum, two's complement: TFLite's int32 accumulator wraps on overflow (depths beyond ~33000
 * codes at the extremes); the sum kept in uint32 gives the same bits without C's undefined behaviour. */
static int32_t wrap_i32(uint32_t u) {
    return u <= 0x7fffffffu ? (int32_t)u : (int32_t)(u - 0x80000000u) - 0x7fffffff - 1;
}

static void batch_matmul_i8(const batch_matmul_data *d, const int8_t *lhs, const int8_t *rhs,
                            int8_t *output) {
    int32_t b0, b1, b2, i, j, k;
    for (b0 = 0; b0 < d->out_batch[0]; ++b0)
        for (b1 = 0; b1 < d->out_batch[1]; ++b1)
            for (b2 = 0; b2 < d->out_batch[2]; ++b2) {
                const int8_t *l = lhs + (size_t)b0 * d->lhs_step[0] + (size_t)b1 * d->lhs_step[1] +
                                  (size_t)b2 * d->lhs_step[2];
                const int8_t *r = rhs + (size_t)b0 * d->rhs_step[0] + (size_t)b1 * d->rhs_step[1] +
                                  (size_t)b2 * d->rhs_step[2];
                for (i = 0; i < d->rows; ++i)
                    for (j = 0; j < d->cols; ++j) {
                        uint32_t total = 0;
                        int32_t scaled;
                        for (k = 0; k < d->depth; ++k)
                            total += (uint32_t)((l[(size_t)i * d->lhs_row + (size_t)k * d->lhs_k] -
                                                 d->lhs_zero_point) *
                                                (r[(size_t)k * d->rhs_k + (size_t)j * d->rhs_col] -
                                                 d->rhs_zero_point));
                        scaled =
                            ember_multiply_by_quantized_multiplier(wrap_i32(total), d->multiplier, d->shift);
                        *output++ = (int8_t)ember_offset_clamp(scaled, d->output_zero_point, -128, 127);
                    }
            }
}

/* Dimension `d` of t extended on the left to rank 5 with ones. */
static int32_t dim5(const ember_tensor *t, int32_t d) {
    int32_t at = d - (5 - t->rank);
    return at < 0 ? 1 : t->dims[at];
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    batch_matmul_data *d = (batch_matmul_data *)node->op_data;
    const ember_tensor *lhs = ember_node_input(ctx, node, 0);
    const ember_tensor *rhs = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int8_t adj_x, adj_y;
    int32_t i, rhs_rows;
    /* int64 as ember_strides: an empty operand's strides may pass int32 (EMBER_MAX_TENSOR_SPAN). */
    int64_t lhs_stride, rhs_stride, lhs_matrix, rhs_matrix;
    long n = (long)node->index;
    char a[96], b[96], c[96];
    int ok;

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && lhs && rhs, EMBER_INVALID_MODEL,
                "BATCH_MATMUL %ld: needs 2 inputs and 1 output", n);
    EMBER_TRY(ember_option_i8(ctx, node, TFL_BMM_ADJ_X, 0, &adj_x));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_BMM_ADJ_Y, 0, &adj_y));
    EMBER_CHECK(ctx,
                (lhs->type == EMBER_FLOAT32 || lhs->type == EMBER_INT8) && rhs->type == lhs->type &&
                    output->type == lhs->type,
                EMBER_UNSUPPORTED,
                "BATCH_MATMUL %ld: types %s x %s -> %s; float32 and int8 (all three alike) are supported", n,
                ember_type_name(lhs->type), ember_type_name(rhs->type), ember_type_name(output->type));
    if (lhs->type == EMBER_INT8) {
        float s_lhs, s_rhs, s_out;
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, lhs, &s_lhs, &d->lhs_zero_point));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, rhs, &s_rhs, &d->rhs_zero_point));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &d->output_zero_point));
        /* TFLite's GetQuantizedConvolutionMultipler: the product and the quotient in double. */
        ember_quantize_multiplier((double)s_lhs * (double)s_rhs / (double)s_out, &d->multiplier, &d->shift);
    }
    EMBER_CHECK(ctx, lhs->rank >= 2 && lhs->rank <= 5 && rhs->rank >= 2 && rhs->rank <= 5, EMBER_UNSUPPORTED,
                "BATCH_MATMUL %ld: operands %s and %s must have rank 2 to 5", n,
                ember_shape_string(lhs, a, sizeof a), ember_shape_string(rhs, b, sizeof b));
    d->rows = adj_x ? dim5(lhs, 4) : dim5(lhs, 3);
    d->depth = adj_x ? dim5(lhs, 3) : dim5(lhs, 4);
    rhs_rows = adj_y ? dim5(rhs, 4) : dim5(rhs, 3);
    d->cols = adj_y ? dim5(rhs, 3) : dim5(rhs, 4);
    /* Row-major [rows, depth] (or its transpose) and [depth, cols] (or its transpose). */
    d->lhs_row = adj_x ? 1 : d->depth;
    d->lhs_k = adj_x ? d->rows : 1;
    d->rhs_k = adj_y ? 1 : d->cols;
    d->rhs_col = adj_y ? rhs_rows : 1;
    ok = rhs_rows == d->depth;
    lhs_matrix = (int64_t)dim5(lhs, 3) * dim5(lhs, 4);
    rhs_matrix = (int64_t)dim5(rhs, 3) * dim5(rhs, 4);
    lhs_stride = lhs_matrix;
    rhs_stride = rhs_matrix;
    for (i = BMM_BATCH_DIMS - 1; ok && i >= 0; --i) {
        const int32_t l = dim5(lhs, i), r = dim5(rhs, i);
        ok = l == r || l == 1 || r == 1;
        d->out_batch[i] = l == 1 ? r : l;
        d->lhs_step[i] = l == 1 ? 0 : lhs_stride;
        d->rhs_step[i] = r == 1 ? 0 : rhs_stride;
        lhs_stride *= l ? l : 1;
        rhs_stride *= r ? r : 1;
    }
    /* Output: the broadcast batch axes (rank max(lhs, rhs) - 2), then [rows, cols]. */
    i = lhs->rank > rhs->rank ? lhs->rank : rhs->rank;
    ok = ok && output->rank == i && output->dims[i - 2] == d->rows && output->dims[i - 1] == d->cols;
    for (i = 0; ok && i < output->rank - 2; ++i)
        ok = output->dims[i] == d->out_batch[BMM_BATCH_DIMS - (output->rank - 2) + i];
    EMBER_CHECK(ctx, ok, EMBER_INVALID_MODEL,
                "BATCH_MATMUL %ld: %s x %s (adj_x %d, adj_y %d) does not give output '%.64s' %s", n,
                ember_shape_string(lhs, a, sizeof a), ember_shape_string(rhs, b, sizeof b), (int)adj_x,
                (int)adj_y, output->name, ember_shape_string(output, c, sizeof c));
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    if (ember_node_output(ctx, node, 0)->type == EMBER_INT8) {
        batch_matmul_i8((const batch_matmul_data *)node->op_data,
                        (const int8_t *)ember_node_input(ctx, node, 0)->data,
                        (const int8_t *)ember_node_input(ctx, node, 1)->data,
                        (int8_t *)ember_node_output(ctx, node, 0)->data);
        return EMBER_OK;
    }
    batch_matmul_f32(node->op_data, (const float *)ember_node_input(ctx, node, 0)->data,
                     (const float *)ember_node_input(ctx, node, 1)->data,
                     (float *)ember_node_output(ctx, node, 0)->data);
    return EMBER_OK;
}

/* Versions up to 4 as LiteRT registers them; what they add beyond float32 is refused by type. */
const ember_kernel ember_kernel_batch_matmul = {
    TFL_OP_BATCH_MATMUL,
    "BATCH_MATMUL",
    4,
    TFL_OPTIONS_BATCH_MATMUL,
    sizeof(batch_matmul_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8,
};
