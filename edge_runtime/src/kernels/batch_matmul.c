/* BATCH_MATMUL, float32: out[..., i, j] = sum_k lhs[..., i, k] * rhs[..., k, j], with adj_x / adj_y
 * transposing the last two axes of an operand and numpy broadcasting over up to three leading batch axes
 * (TFLite's reference/batch_matmul.h; k ascending, as it sums). int8 (per-tensor): the int32 sum of
 * (lhs - zp_lhs) * (rhs - zp_rhs), requantised by s_lhs * s_rhs / s_out with the double rounding of
 * INT8_ARITHMETIC.md, + zp_out, clamped to int8 (the op has no fused activation).
 *
 * Fast path (gemm/gemm.h): each right-hand matrix is packed as GEMM weights [cols][depth] (int8 only when its
 * zero point is 0, as the GEMM's weights need), at prepare into the op data when it is constant, else at
 * each eval into the scratch; a transposed left-hand matrix (adj_x) is first copied out row-major. The GEMM
 * sums k ascending with separate multiplies and adds and requantises with the double rounding: the reference
 * loops' bits. Rows of one product are split over the interpreter's threads. int8 with a nonzero rhs zero
 * point (attention's Q K^T and P V) widens both operands minus their zero points to int16 in the scratch,
 * rhs transposed, so that the int32 dot products run over contiguous rows (wrapping sums: same bits).
 *
 * Dynamic range (float32 lhs and output, constant int8 rhs with zero point 0, per tensor or per output
 * column: LiteRT's EvalHybrid and reference_ops::BatchMatMul's hybrid loops): every lhs row is quantised
 * (kernels/ hybrid.h; asymmetric with asymmetric_quantize_inputs), total = int32 dot product with the rhs
 * column, then total -= rowsum(column) * (float)zp in float, truncated back to int32 (LiteRT's mixed-type
 * statement, applied with zero points 0 too), out = 0 + scale * (float)total with scale sf * s_w (per tensor)
 * or sf * s_w[col]. LiteRT indexes the scale factors and row sums of a batch (b0, b1, b2) at (b0 + b1 + b2) *
 * rows (each term where that batch axis is not 1), which is the matrix's own only with at most one batch axis
 * past 1; ember indexes them the same way. */
#include <math.h>
#include <string.h>

#include "flatbuffer.h"
#include "gemm/gemm.h"
#include "kernels/hybrid.h"
#include "kernels/int16_quant.h"
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
    int fast;                /* the GEMM path (see fast_shape) */
    int widened;             /* int8 with a nonzero rhs zero point: int16 rows in the scratch */
    const int32_t *channels; /* fast int8: multiplier[cols] then shift[cols] */
    uint8_t *packed; /* fast, constant rhs: rhs_count packed matrices of packed_stride bytes; else NULL */
    size_t packed_stride;
    int32_t hybrid, asymmetric, per_channel; /* dynamic range: float32 lhs, int8 rhs */
    float w_scale;
} batch_matmul_data;

/* Whether the node is dynamic range (float32 lhs, int8 rhs), read defensively for the hooks. */
static int is_hybrid(const ember_interpreter *ctx, const ember_node *node) {
    return node->input_count == 2 && node->inputs[0] >= 0 && node->inputs[1] >= 0 &&
           ctx->tensors[node->inputs[0]].type == EMBER_FLOAT32 &&
           ctx->tensors[node->inputs[1]].type == EMBER_INT8;
}

/* Dynamic range: the quantised lhs (its element count), a scale factor and zero point per lhs row (at most
 * its element count), the rhs column sums (its element count), one lhs row of floats (the longer of its last
 * dims). */
static size_t hybrid_scratch_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *lhs = &ctx->tensors[node->inputs[0]], *rhs = &ctx->tensors[node->inputs[1]];
    const size_t l = lhs->bytes / sizeof(float), r = rhs->bytes;
    const size_t row = lhs->rank >= 2 ? (size_t)(lhs->dims[lhs->rank - 1] > lhs->dims[lhs->rank - 2]
                                                     ? lhs->dims[lhs->rank - 1]
                                                     : lhs->dims[lhs->rank - 2])
                                      : 1;
    return ember_align_size(l) + 2 * ember_align_size(4 * l) + ember_align_size(4 * r) +
           ember_align_size(4 * row) + EMBER_ALIGNMENT;
}

/* The GEMM path's view of a node, read defensively (the hooks run before prepare checks anything): whether it
 * applies, and the sizes it reserves. The two innermost dims of each operand are d3 x d4; adj_x / adj_y are
 * options the hooks do not read, so reservations cover both orientations. */
typedef struct fast_shape {
    int ok, widened, is_i8, rhs_constant;              /* ok: the GEMM path; widened: the int16 path */
    int32_t lhs_d3, lhs_d4, rhs_d3, rhs_d4, rhs_count; /* rhs_count: matrices in the rhs */
    size_t elt;
} fast_shape;

static size_t packed_bytes(const fast_shape *f, int32_t n, int32_t k, ember_isa isa) {
    return f->is_i8 ? ember_gemm_i8_packed_bytes(n, k, isa) : ember_gemm_f32_packed_bytes(n, k, isa);
}

/* Bytes of one packed rhs matrix, whichever of its dims is the reduction. */
static size_t packed_matrix_bytes(const fast_shape *f, ember_isa isa) {
    const size_t a = packed_bytes(f, f->rhs_d4, f->rhs_d3, isa),
                 b = packed_bytes(f, f->rhs_d3, f->rhs_d4, isa);
    return ember_align_size(a > b ? a : b);
}

static fast_shape fast_shape_of(const ember_interpreter *ctx, const ember_node *node) {
    fast_shape f;
    const ember_tensor *lhs, *rhs, *out;
    memset(&f, 0, sizeof f);
    if (ctx->reference_kernels || node->input_count != 2 || node->output_count != 1 || node->inputs[0] < 0 ||
        node->inputs[1] < 0 || node->outputs[0] < 0)
        return f;
    lhs = &ctx->tensors[node->inputs[0]], rhs = &ctx->tensors[node->inputs[1]];
    out = &ctx->tensors[node->outputs[0]];
    if (lhs->type != rhs->type || lhs->type != out->type ||
        (lhs->type != EMBER_FLOAT32 && lhs->type != EMBER_INT8))
        return f;
    if (lhs->rank < 2 || lhs->rank > 5 || rhs->rank < 2 || rhs->rank > 5)
        return f;
    f.is_i8 = lhs->type == EMBER_INT8;
    if (f.is_i8 && rhs->quant_count != 1)
        return f;
    f.lhs_d3 = lhs->dims[lhs->rank - 2], f.lhs_d4 = lhs->dims[lhs->rank - 1];
    f.rhs_d3 = rhs->dims[rhs->rank - 2], f.rhs_d4 = rhs->dims[rhs->rank - 1];
    if (f.lhs_d3 < 1 || f.lhs_d4 < 1 || f.rhs_d3 < 1 || f.rhs_d4 < 1 ||
        (uint64_t)f.rhs_d3 * (uint64_t)f.rhs_d4 > EMBER_MAX_TENSOR_BYTES / 8)
        return f;
    f.elt = f.is_i8 ? 1 : sizeof(float);
    f.rhs_count = ember_element_count(rhs) / (f.rhs_d3 * f.rhs_d4);
    f.rhs_constant = rhs->is_constant;
    /* int8 rhs: zero point 0, as GEMM weights are; else the int16 path */
    f.widened = f.is_i8 && fb_i64_at(ctx->model.data + rhs->zero_points_pos) != 0;
    f.ok = !f.widened;
    return f;
}

static size_t op_data_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const fast_shape f = fast_shape_of(ctx, node);
    size_t total = ember_align_size(sizeof(batch_matmul_data)), cols;
    if (!f.ok)
        return total;
    cols = (size_t)(f.rhs_d3 > f.rhs_d4 ? f.rhs_d3 : f.rhs_d4);
    if (f.is_i8)
        total += ember_align_size(2 * sizeof(int32_t) * cols);
    if (f.rhs_constant) {
        const size_t one = packed_matrix_bytes(&f, ctx->isa);
        if (one > EMBER_MAX_TENSOR_BYTES || (size_t)f.rhs_count > EMBER_MAX_TENSOR_BYTES / one)
            return (size_t)-1;
        total += one * (size_t)f.rhs_count;
    }
    return total;
}

/* [lhs transposed: lhs matrix][rhs transposed: rhs matrix][packed rhs, when not constant]. */
static size_t scratch_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const fast_shape f = fast_shape_of(ctx, node);
    if (is_hybrid(ctx, node))
        return hybrid_scratch_bytes(ctx, node);
    if (f.widened)
        return ember_align_size(sizeof(int16_t) * (size_t)f.rhs_d3 * (size_t)f.rhs_d4) +
               ember_align_size(sizeof(int16_t) * (size_t)(f.lhs_d3 > f.lhs_d4 ? f.lhs_d3 : f.lhs_d4));
    if (!f.ok)
        return 0;
    return ember_align_size((size_t)f.lhs_d3 * (size_t)f.lhs_d4 * f.elt) +
           ember_align_size((size_t)f.rhs_d3 * (size_t)f.rhs_d4 * f.elt) +
           (f.rhs_constant ? 0 : packed_matrix_bytes(&f, ctx->isa));
}

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

/* TFLite's int32 accumulator wraps on overflow (depths beyond ~33000 codes at the extremes): the sum is kept
 * in uint32 and read back with ember_wrap_i32, the same bits without C's undefined behaviour. */
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
                        scaled = ember_multiply_by_quantized_multiplier(ember_wrap_i32(total), d->multiplier,
                                                                        d->shift);
                        *output++ = (int8_t)ember_offset_clamp(scaled, d->output_zero_point, -128, 127);
                    }
            }
}

/* 16x8's int16 x int16 (LiteRT's reference BatchMatMul<int16, int64>: zero points 0, an int64 sum, the int64
 * requantisation, clamped to int16; no fused activation). */
static void batch_matmul_i16(const batch_matmul_data *d, const int16_t *lhs, const int16_t *rhs,
                             int16_t *output) {
    int32_t b0, b1, b2, i, j, k;
    for (b0 = 0; b0 < d->out_batch[0]; ++b0)
        for (b1 = 0; b1 < d->out_batch[1]; ++b1)
            for (b2 = 0; b2 < d->out_batch[2]; ++b2) {
                const int16_t *l = lhs + (size_t)b0 * d->lhs_step[0] + (size_t)b1 * d->lhs_step[1] +
                                   (size_t)b2 * d->lhs_step[2];
                const int16_t *r = rhs + (size_t)b0 * d->rhs_step[0] + (size_t)b1 * d->rhs_step[1] +
                                   (size_t)b2 * d->rhs_step[2];
                for (i = 0; i < d->rows; ++i)
                    for (j = 0; j < d->cols; ++j) {
                        uint64_t total =
                            0; /* int64 arithmetic that wraps as LiteRT's, without C's overflow */
                        for (k = 0; k < d->depth; ++k)
                            total +=
                                (uint64_t)(int64_t)((int32_t)
                                                        l[(size_t)i * d->lhs_row + (size_t)k * d->lhs_k] *
                                                    r[(size_t)k * d->rhs_k + (size_t)j * d->rhs_col]);
                        *output++ = ember_clamp_i16(ember_multiply_by_quantized_multiplier_i64(
                                                        ember_wrap_i64(total), d->multiplier, d->shift),
                                                    -32768, 32767);
                    }
            }
}

/* Matrix [rows][cols] of `from` (element size elt, strides row / col in elements) copied row-major. */
static void copy_row_major(const uint8_t *from, int32_t rows, int32_t cols, int32_t row, int32_t col,
                           size_t elt, uint8_t *to) {
    int32_t i, j;
    for (i = 0; i < rows; ++i)
        for (j = 0; j < cols; ++j)
            memcpy(to + ((size_t)i * (size_t)cols + (size_t)j) * elt,
                   from + ((size_t)i * (size_t)row + (size_t)j * (size_t)col) * elt, elt);
}

/* Packs one rhs matrix as GEMM weights [cols][depth] into `packed`, transposing through `temp` unless adj_y
 * already stores it that way (rhs_k == 1). */
static void pack_rhs(const ember_interpreter *ctx, const batch_matmul_data *d, const void *rhs, uint8_t *temp,
                     void *packed) {
    const size_t elt = d->channels ? 1 : sizeof(float);
    const void *weights = rhs;
    if (d->rhs_k != 1) {
        copy_row_major((const uint8_t *)rhs, d->cols, d->depth, d->rhs_col, d->rhs_k, elt, temp);
        weights = temp;
    }
    if (d->channels) {
        ember_gemm_i8_params p;
        p.n = d->cols, p.k = d->depth, p.weights = (const int8_t *)weights, p.bias = NULL;
        p.multiplier = d->channels, p.shift = d->channels + d->cols;
        p.input_offset = -d->lhs_zero_point, p.output_offset = d->output_zero_point;
        p.act_min = -128, p.act_max = 127, p.rounding = EMBER_REQUANT_DOUBLE;
        ember_gemm_i8_pack(&p, ctx->isa, packed);
    } else {
        ember_gemm_f32_params p;
        p.n = d->cols, p.k = d->depth, p.weights = (const float *)weights, p.bias = NULL;
        p.act_min = -INFINITY, p.act_max = INFINITY; /* no activation: infinities and NaN pass */
        ember_gemm_f32_pack(&p, ctx->isa, packed);
    }
}

/* Sets up the fast path after the shape checks: per-channel copies of the one multiplier, packed constants.
 */
static void prepare_fast(ember_interpreter *ctx, ember_node *node, batch_matmul_data *d) {
    const fast_shape f = fast_shape_of(ctx, node);
    const ember_tensor *rhs = ember_node_input(ctx, node, 1);
    uint8_t *at = (uint8_t *)node->op_data + ember_align_size(sizeof(batch_matmul_data));
    int32_t c, m;
    d->fast = f.ok, d->widened = f.widened, d->channels = NULL, d->packed = NULL, d->packed_stride = 0;
    if (!f.ok)
        return;
    if (f.is_i8) {
        int32_t *channels = (int32_t *)(void *)at;
        for (c = 0; c < d->cols; ++c)
            channels[c] = d->multiplier, channels[d->cols + c] = d->shift;
        d->channels = channels;
        at += ember_align_size(2 * sizeof(int32_t) * (size_t)(f.rhs_d3 > f.rhs_d4 ? f.rhs_d3 : f.rhs_d4));
    }
    if (f.rhs_constant) {
        uint8_t *temp =
            ember_thread_scratch(ctx, 0) + ember_align_size((size_t)f.lhs_d3 * (size_t)f.lhs_d4 * f.elt);
        d->packed = at, d->packed_stride = packed_matrix_bytes(&f, ctx->isa);
        for (m = 0; m < f.rhs_count; ++m)
            pack_rhs(ctx, d,
                     (const uint8_t *)rhs->data + (size_t)m * (size_t)d->depth * (size_t)d->cols * f.elt,
                     temp, d->packed + (size_t)m * d->packed_stride);
    }
}

typedef struct bmm_job {
    const void *packed, *lhs;
    void *output;
    int32_t depth, cols, rows, tasks, is_i8;
} bmm_job;

static void bmm_task(void *arg, int32_t task, int32_t thread) {
    const bmm_job *j = (const bmm_job *)arg;
    int32_t r0, r1;
    (void)thread;
    ember_task_range(j->rows, j->tasks, task, &r0, &r1);
    if (j->is_i8)
        ember_gemm_i8_run(j->packed, (const int8_t *)j->lhs, (size_t)j->depth, (int8_t *)j->output,
                          (size_t)j->cols, r0, r1);
    else
        ember_gemm_f32_run(j->packed, (const float *)j->lhs, (size_t)j->depth, (float *)j->output,
                           (size_t)j->cols, r0, r1);
}

static void eval_fast(ember_interpreter *ctx, const ember_node *node) {
    const batch_matmul_data *d = (const batch_matmul_data *)node->op_data;
    const ember_tensor *lhs_t = ember_node_input(ctx, node, 0), *rhs_t = ember_node_input(ctx, node, 1);
    const size_t elt = d->channels ? 1 : sizeof(float);
    const size_t lhs_matrix = (size_t)d->rows * (size_t)d->depth,
                 rhs_matrix = (size_t)d->depth * (size_t)d->cols;
    uint8_t *lhs_temp = ember_thread_scratch(ctx, 0);
    uint8_t *rhs_temp = lhs_temp + ember_align_size(lhs_matrix * elt);
    uint8_t *packed_temp = rhs_temp + ember_align_size(rhs_matrix * elt);
    uint8_t *output = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    int32_t b0, b1, b2;
    bmm_job j;
    j.depth = d->depth, j.cols = d->cols, j.rows = d->rows, j.is_i8 = d->channels != NULL;
    j.tasks = ember_parallel_tasks(ctx, d->rows, (int64_t)d->depth * d->cols);
    for (b0 = 0; b0 < d->out_batch[0]; ++b0)
        for (b1 = 0; b1 < d->out_batch[1]; ++b1)
            for (b2 = 0; b2 < d->out_batch[2]; ++b2) {
                const size_t l = (size_t)(b0 * d->lhs_step[0] + b1 * d->lhs_step[1] + b2 * d->lhs_step[2]);
                const size_t r = (size_t)(b0 * d->rhs_step[0] + b1 * d->rhs_step[1] + b2 * d->rhs_step[2]);
                const uint8_t *lhs = (const uint8_t *)lhs_t->data + l * elt;
                if (d->lhs_k != 1) {
                    copy_row_major(lhs, d->rows, d->depth, d->lhs_row, d->lhs_k, elt, lhs_temp);
                    lhs = lhs_temp;
                }
                if (d->packed) {
                    j.packed = d->packed + r / rhs_matrix * d->packed_stride;
                } else {
                    pack_rhs(ctx, d, (const uint8_t *)rhs_t->data + r * elt, rhs_temp, packed_temp);
                    j.packed = packed_temp;
                }
                j.lhs = lhs, j.output = output;
                ember_parallel_run(ctx, j.tasks, bmm_task, &j);
                output += (size_t)d->rows * (size_t)d->cols * elt;
            }
}

static void eval_widened(ember_interpreter *ctx, const ember_node *node) {
    const batch_matmul_data *d = (const batch_matmul_data *)node->op_data;
    const int8_t *lhs = (const int8_t *)ember_node_input(ctx, node, 0)->data;
    const int8_t *rhs = (const int8_t *)ember_node_input(ctx, node, 1)->data;
    int8_t *output = (int8_t *)ember_node_output(ctx, node, 0)->data;
    int16_t *rhs16 = (int16_t *)(void *)ember_thread_scratch(ctx, 0);
    int16_t *row16 =
        rhs16 + ember_align_size(sizeof(int16_t) * (size_t)d->depth * (size_t)d->cols) / sizeof(int16_t);
    int32_t b0, b1, b2, i, j, k;
    for (b0 = 0; b0 < d->out_batch[0]; ++b0)
        for (b1 = 0; b1 < d->out_batch[1]; ++b1)
            for (b2 = 0; b2 < d->out_batch[2]; ++b2) {
                const int8_t *l = lhs + (b0 * d->lhs_step[0] + b1 * d->lhs_step[1] + b2 * d->lhs_step[2]);
                const int8_t *r = rhs + (b0 * d->rhs_step[0] + b1 * d->rhs_step[1] + b2 * d->rhs_step[2]);
                for (j = 0; j < d->cols; ++j)
                    for (k = 0; k < d->depth; ++k)
                        rhs16[(size_t)j * (size_t)d->depth + (size_t)k] =
                            (int16_t)(r[(size_t)k * (size_t)d->rhs_k + (size_t)j * (size_t)d->rhs_col] -
                                      d->rhs_zero_point);
                for (i = 0; i < d->rows; ++i) {
                    for (k = 0; k < d->depth; ++k)
                        row16[k] =
                            (int16_t)(l[(size_t)i * (size_t)d->lhs_row + (size_t)k * (size_t)d->lhs_k] -
                                      d->lhs_zero_point);
                    for (j = 0; j < d->cols; ++j) {
                        const int16_t *w = rhs16 + (size_t)j * (size_t)d->depth;
                        uint32_t total = 0;
                        for (k = 0; k < d->depth; ++k)
                            total += (uint32_t)(row16[k] * w[k]);
                        *output++ =
                            (int8_t)ember_offset_clamp(ember_multiply_by_quantized_multiplier(
                                                           ember_wrap_i32(total), d->multiplier, d->shift),
                                                       d->output_zero_point, -128, 127);
                    }
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
    d->hybrid = lhs->type == EMBER_FLOAT32 && rhs->type == EMBER_INT8 && output->type == EMBER_FLOAT32;
    EMBER_CHECK(
        ctx,
        d->hybrid || ((lhs->type == EMBER_FLOAT32 || lhs->type == EMBER_INT8 || lhs->type == EMBER_INT16) &&
                      rhs->type == lhs->type && output->type == lhs->type),
        EMBER_UNSUPPORTED,
        "BATCH_MATMUL %ld: types %s x %s -> %s; float32, int8 and int16 (all three alike) and float32 x int8 "
        "-> float32 (dynamic range) are supported",
        n, ember_type_name(lhs->type), ember_type_name(rhs->type), ember_type_name(output->type));
    if (lhs->type == EMBER_INT8) {
        float s_lhs, s_rhs, s_out;
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, lhs, &s_lhs, &d->lhs_zero_point));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, rhs, &s_rhs, &d->rhs_zero_point));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &d->output_zero_point));
        /* TFLite's GetQuantizedConvolutionMultipler: the product and the quotient in double. */
        ember_quantize_multiplier((double)s_lhs * (double)s_rhs / (double)s_out, &d->multiplier, &d->shift);
    }
    if (lhs->type == EMBER_INT16) {
        float s_lhs, s_rhs, s_out;
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, lhs, 1, &s_lhs, &d->lhs_zero_point));
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, rhs, 1, &s_rhs, &d->rhs_zero_point));
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, output, 1, &s_out, &d->output_zero_point));
        ember_quantize_multiplier((double)s_lhs * (double)s_rhs / (double)s_out, &d->multiplier, &d->shift);
        EMBER_CHECK(
            ctx, d->shift <= EMBER_I16_MAX_SHIFT, EMBER_UNSUPPORTED,
            "BATCH_MATMUL %ld: int16 scales %g x %g / %g rescale by 2^%ld or more; int16 requantisation "
            "takes less than 2^%d",
            n, (double)s_lhs, (double)s_rhs, (double)s_out, (long)d->shift - 1, EMBER_I16_MAX_SHIFT);
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
    if (d->hybrid) {
        int8_t asymmetric;
        int per_channel;
        EMBER_TRY(ember_option_i8(ctx, node, TFL_BMM_ASYMMETRIC_QUANTIZE_INPUTS, 0, &asymmetric));
        EMBER_TRY(ember_hybrid_weights_check(ctx, node, rhs, rhs->rank - (adj_y ? 2 : 1), d->cols,
                                             &per_channel, &d->w_scale));
        /* LiteRT sums the rows of the rhs matrices past the first batch axis of its rank-5 form only */
        EMBER_CHECK(ctx, dim5(rhs, 0) == 1, EMBER_UNSUPPORTED,
                    "BATCH_MATMUL %ld: a dynamic-range rhs %s of rank 5 needs its first axis 1", n,
                    ember_shape_string(rhs, a, sizeof a));
        d->asymmetric = asymmetric != 0;
        d->per_channel = per_channel;
        d->fast = d->widened = 0, d->channels = NULL, d->packed = NULL;
        return EMBER_OK;
    }
    prepare_fast(ctx, node, d);
    return EMBER_OK;
}

static void eval_hybrid(ember_interpreter *ctx, const ember_node *node) {
    const batch_matmul_data *d = (const batch_matmul_data *)node->op_data;
    const ember_tensor *lhs_t = ember_node_input(ctx, node, 0), *rhs_t = ember_node_input(ctx, node, 1);
    const float *lhs = (const float *)lhs_t->data;
    const int8_t *rhs = (const int8_t *)rhs_t->data;
    const uint8_t *scales = ctx->model.data + rhs_t->scales_pos;
    float *output = (float *)ember_node_output(ctx, node, 0)->data;
    const size_t l_count = lhs_t->bytes / sizeof(float), r_count = rhs_t->bytes;
    const size_t lhs_matrix = (size_t)d->rows * (size_t)d->depth,
                 rhs_matrix = (size_t)d->depth * (size_t)d->cols;
    const int32_t lhs_rows = (int32_t)(lhs_matrix ? l_count / (size_t)d->depth : 0);
    const int32_t rhs_matrices = (int32_t)(rhs_matrix ? r_count / rhs_matrix : 0);
    int8_t *q = (int8_t *)ember_thread_scratch(ctx, 0);
    float *sf = (float *)(void *)(q + ember_align_size(l_count));
    int32_t *zp = (int32_t *)(void *)((uint8_t *)sf + ember_align_size(4 * l_count));
    int32_t *rowsum = (int32_t *)(void *)((uint8_t *)zp + ember_align_size(4 * l_count));
    float *row = (float *)(void *)((uint8_t *)rowsum + ember_align_size(4 * r_count));
    int32_t b0, b1, b2, i, j, k, m;
    /* every lhs row of `depth` values (read through adj_x), quantised as LiteRT's transposed copy */
    for (m = 0; m < lhs_rows; ++m) {
        const float *at =
            lhs + (size_t)(m / d->rows) * lhs_matrix + (size_t)(m % d->rows) * (size_t)d->lhs_row;
        for (k = 0; k < d->depth; ++k)
            row[k] = at[(size_t)k * (size_t)d->lhs_k];
        ember_hybrid_quantize_rows(row, 0, 1, d->depth, d->asymmetric, q + (size_t)m * (size_t)d->depth,
                                   sf + m, zp + m);
        if (!d->per_channel)
            sf[m] *= d->w_scale;
    }
    for (m = 0; m < rhs_matrices; ++m)
        for (j = 0; j < d->cols; ++j) {
            const int8_t *r = rhs + (size_t)m * rhs_matrix + (size_t)j * (size_t)d->rhs_col;
            int32_t sum = 0;
            for (k = 0; k < d->depth; ++k)
                sum += r[(size_t)k * (size_t)d->rhs_k];
            rowsum[(size_t)m * (size_t)d->cols + (size_t)j] = sum;
        }
    for (b0 = 0; b0 < d->out_batch[0]; ++b0)
        for (b1 = 0; b1 < d->out_batch[1]; ++b1)
            for (b2 = 0; b2 < d->out_batch[2]; ++b2) {
                const size_t l = (size_t)(b0 * d->lhs_step[0] + b1 * d->lhs_step[1] + b2 * d->lhs_step[2]);
                const int8_t *r = rhs + (b0 * d->rhs_step[0] + b1 * d->rhs_step[1] + b2 * d->rhs_step[2]);
                /* LiteRT's indexing of the per-row scale factors and per-column sums (see the top) */
                const size_t si = (size_t)((d->lhs_step[0] ? b0 : 0) + (d->lhs_step[1] ? b1 : 0) +
                                           (d->lhs_step[2] ? b2 : 0)) *
                                  (size_t)d->rows;
                const size_t ri = (size_t)((d->rhs_step[0] ? b0 : 0) + (d->rhs_step[1] ? b1 : 0) +
                                           (d->rhs_step[2] ? b2 : 0)) *
                                  (size_t)d->cols;
                for (i = 0; i < d->rows; ++i) {
                    const int8_t *qi = q + l + (size_t)i * (size_t)d->depth;
                    const float batch_scale = sf[si + (size_t)i];
                    const float offset = (float)zp[si + (size_t)i];
                    for (j = 0; j < d->cols; ++j) {
                        uint32_t acc = 0;
                        int32_t total;
                        float scale = batch_scale;
                        for (k = 0; k < d->depth; ++k)
                            acc +=
                                (uint32_t)(qi[k] *
                                           r[(size_t)k * (size_t)d->rhs_k + (size_t)j * (size_t)d->rhs_col]);
                        total =
                            (int32_t)((float)ember_wrap_i32(acc) - (float)rowsum[ri + (size_t)j] * offset);
                        if (d->per_channel)
                            scale *= fb_f32_at(scales + 4 * (size_t)j);
                        *output++ = 0.0f + scale * (float)total;
                    }
                }
            }
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    if (((const batch_matmul_data *)node->op_data)->hybrid) {
        eval_hybrid(ctx, node);
        return EMBER_OK;
    }
    if (((const batch_matmul_data *)node->op_data)->fast &&
        ember_element_count(ember_node_output(ctx, node, 0))) {
        eval_fast(ctx, node);
        return EMBER_OK;
    }
    if (((const batch_matmul_data *)node->op_data)->widened &&
        ember_element_count(ember_node_output(ctx, node, 0))) {
        eval_widened(ctx, node);
        return EMBER_OK;
    }
    if (ember_node_output(ctx, node, 0)->type == EMBER_INT16) {
        batch_matmul_i16((const batch_matmul_data *)node->op_data,
                         (const int16_t *)ember_node_input(ctx, node, 0)->data,
                         (const int16_t *)ember_node_input(ctx, node, 1)->data,
                         (int16_t *)ember_node_output(ctx, node, 0)->data);
        return EMBER_OK;
    }
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

/* Versions up to 4 as LiteRT registers them; what they add beyond float32, int8, int16 and dynamic range is
 * refused by type. */
const ember_kernel ember_kernel_batch_matmul = {
    TFL_OP_BATCH_MATMUL,
    "BATCH_MATMUL",
    4,
    TFL_OPTIONS_BATCH_MATMUL,
    sizeof(batch_matmul_data),
    prepare,
    eval,
    op_data_bytes,
    scratch_bytes,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_I16,
};
