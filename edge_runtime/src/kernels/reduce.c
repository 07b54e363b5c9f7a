/* SUM, REDUCE_MAX and REDUCE_MIN over any set of axes, and the reduction geometry they share with MEAN
 * (reduce.h). Each output element folds its inputs in row-major order of the reduced axes, the order of
 * TFLite's reference (reference/reduce.h: ReduceGeneric): sum from 0, max from the type's lowest value, min
 * from its highest, `in > current ? in : current` and its mirror, so float sums agree to rounding and an
 * empty reduction gives what LiteRT gives (0, -FLT_MAX, FLT_MAX; int8 -128, 127). float32 all three; int8
 * REDUCE_MAX and REDUCE_MIN, which compare codes and so need the input's scale and zero point on the output
 * (LiteRT refuses others too).
 *
 * int8 SUM follows LiteRT's builtin optimised kernel (optimized/reduce.h: QuantizedMeanOrSum with
 * compute_sum), not its reference: ai-edge-litert 2.3's reference kernel (BUILTIN_REF) hands the int8 codes
 * to its uint8 QuantizedMeanOrSum, so it computes on u = code & 0xff and clamps to [0, 255] (later LiteRT
 * fixes this), which no int8 model means. The optimised kernel sums the raw codes in int32 and requantises
 * in float32: scale = s_in / s_out, bias = -z_in * scale * count, round(sum * scale + bias) half away from
 * zero, + z_out, clamped. The tests compare with LiteRT's default resolver without its XNNPACK delegate
 * (bit-exact) and with it (XNNPACK rounds exact ties to even; elsewhere the same).
 *
 * uint8 SUM is LiteRT's reference, bit-exact with BUILTIN_REF (sum_u8). */
#include <float.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/reduce.h"
#include "quantization.h"
#include "tflite_schema.h"

/* Reverses the first n entries of dims and strides (collected innermost first). */
static void reverse_axes(int32_t n, int32_t *dims, int64_t *strides) {
    int32_t i;
    for (i = 0; i < n / 2; ++i) {
        const int32_t t = dims[i];
        const int64_t u = strides[i];
        dims[i] = dims[n - 1 - i];
        dims[n - 1 - i] = t;
        strides[i] = strides[n - 1 - i];
        strides[n - 1 - i] = u;
    }
}

ember_status ember_reduction_prepare(ember_interpreter *ctx, const ember_node *node, ember_reduction *r) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *axis = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const char *name = node->kernel->name;
    int reduced[EMBER_MAX_DIMS] = {0};
    int64_t strides[EMBER_MAX_DIMS], count = 1;
    int8_t keep_dims;
    int32_t i, d;
    long n = (long)node->index;
    char a[96], b[96];
    int ok;

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input && axis, EMBER_INVALID_MODEL,
                "%s %ld: needs input, axis and 1 output", name, n);
    EMBER_TRY(ember_option_i8(ctx, node, TFL_REDUCER_KEEP_DIMS, 0, &keep_dims));
    EMBER_CHECK(ctx, axis->type == EMBER_INT32 && axis->rank <= 1 && axis->is_constant, EMBER_UNSUPPORTED,
                "%s %ld: axis '%.64s' must be a constant int32 scalar or vector", name, n, axis->name);
    for (i = 0; i < ember_element_count(axis); ++i) {
        int32_t v = ((const int32_t *)axis->data)[i];
        EMBER_CHECK(ctx, v >= -input->rank && v < input->rank, EMBER_INVALID_MODEL,
                    "%s %ld: axis %ld is outside input '%.64s' of rank %ld", name, n, (long)v, input->name,
                    (long)input->rank);
        reduced[v < 0 ? v + input->rank : v] = 1;
    }
    ember_strides(input->dims, input->rank, strides);
    r->kept_rank = r->reduced_rank = 0;
    for (d = input->rank - 1; d >= 0; --d) {
        if (reduced[d]) {
            r->reduced_dims[r->reduced_rank] = input->dims[d];
            r->reduced_strides[r->reduced_rank++] = strides[d];
            count *= input->dims[d];
        } else {
            r->kept_dims[r->kept_rank] = input->dims[d];
            r->kept_strides[r->kept_rank++] = strides[d];
        }
    }
    reverse_axes(r->kept_rank, r->kept_dims, r->kept_strides);
    reverse_axes(r->reduced_rank, r->reduced_dims, r->reduced_strides);
    r->outputs = (int32_t)ember_dims_product(r->kept_dims, 0, r->kept_rank);
    /* Without outputs nothing is reduced, and the reduced dims of an empty input may multiply past int32
     * (their product is below EMBER_MAX_TENSOR_SPAN: int64 holds it); with outputs it fits the input. */
    r->count = r->outputs ? (int32_t)count : 0;
    if (keep_dims) {
        ok = output->rank == input->rank;
        for (d = 0; ok && d < input->rank; ++d)
            ok = output->dims[d] == (reduced[d] ? 1 : input->dims[d]);
    } else {
        ok = output->rank == r->kept_rank || (r->kept_rank == 0 && output->rank == 1 && output->dims[0] == 1);
        for (d = 0; ok && d < r->kept_rank && d < output->rank; ++d)
            ok = output->dims[d] == r->kept_dims[d];
    }
    EMBER_CHECK(ctx, ok && ember_element_count(output) == r->outputs, EMBER_INVALID_MODEL,
                "%s %ld: input %s reduced over its axes (keep_dims %d) does not give output '%.64s' %s", name,
                n, ember_shape_string(input, a, sizeof a), (int)keep_dims, output->name,
                ember_shape_string(output, b, sizeof b));
    EMBER_CHECK(
        ctx,
        input->type == output->type &&
            (input->type == EMBER_FLOAT32 || input->type == EMBER_INT8 ||
             (input->type == EMBER_UINT8 && node->kernel->builtin_code == TFL_OP_SUM) ||
             (input->type == EMBER_INT16 && node->kernel->builtin_code == TFL_OP_MEAN)),
        EMBER_UNSUPPORTED,
        "%s %ld: types input %s, output %s; float32 or int8 (both) are supported (SUM: uint8 too, MEAN: "
        "int16 too)",
        name, n, ember_type_name(input->type), ember_type_name(output->type));
    return EMBER_OK;
}

enum { REDUCE_SUM, REDUCE_MAX, REDUCE_MIN };

typedef struct reduce_data {
    ember_reduction r;
    float sum_scale, sum_bias; /* int8 SUM: s_in / s_out, and -z_in * scale * count */
    int32_t sum_zero_point;    /* int8 and uint8 SUM: z_out */
    int32_t sum_input_zero_point, sum_multiplier, sum_shift; /* uint8 SUM: z_in, s_in / s_out */
} reduce_data;

static void reduce_f32(const ember_reduction *r, int kind, const float *input, float *output) {
    int32_t o, i;
    for (o = 0; o < r->outputs; ++o) {
        const float *base = input + ember_reduction_offset(o, r->kept_rank, r->kept_dims, r->kept_strides);
        float acc = kind == REDUCE_SUM ? 0.0f : (kind == REDUCE_MAX ? -FLT_MAX : FLT_MAX);
        for (i = 0; i < r->count; ++i) {
            const float x =
                base[ember_reduction_offset(i, r->reduced_rank, r->reduced_dims, r->reduced_strides)];
            if (kind == REDUCE_SUM)
                acc = x + acc;
            else if (kind == REDUCE_MAX)
                acc = x > acc ? x : acc;
            else
                acc = x < acc ? x : acc;
        }
        output[o] = acc;
    }
}

static void reduce_i8(const ember_reduction *r, int kind, const int8_t *input, int8_t *output) {
    int32_t o, i;
    for (o = 0; o < r->outputs; ++o) {
        const int8_t *base = input + ember_reduction_offset(o, r->kept_rank, r->kept_dims, r->kept_strides);
        int8_t acc = kind == REDUCE_MAX ? -128 : 127;
        for (i = 0; i < r->count; ++i) {
            const int8_t x =
                base[ember_reduction_offset(i, r->reduced_rank, r->reduced_dims, r->reduced_strides)];
            acc = kind == REDUCE_MAX ? (x > acc ? x : acc) : (x < acc ? x : acc);
        }
        output[o] = acc;
    }
}

/* round(x) to int32 as x86-64 converts it (cvttss2si: INT32_MIN for NaN and out of range, where C's cast is
 * undefined); only absurd scale ratios get there. */
static int32_t round_to_i32(float x) {
    const float r = ember_round_f32(x);
    return r >= -2147483648.0f && r < 2147483648.0f ? (int32_t)r : INT32_MIN;
}

static void sum_i8(const reduce_data *p, const int8_t *input, int8_t *output) {
    const ember_reduction *r = &p->r;
    int32_t o, i;
    for (o = 0; o < r->outputs; ++o) {
        const int8_t *base = input + ember_reduction_offset(o, r->kept_rank, r->kept_dims, r->kept_strides);
        uint32_t acc = 0; /* int32 sum of the codes (wraps as LiteRT's would past 2^24 inputs) */
        float scaled, shifted;
        for (i = 0; i < r->count; ++i)
            acc += (uint32_t)(int32_t)
                base[ember_reduction_offset(i, r->reduced_rank, r->reduced_dims, r->reduced_strides)];
        /* two statements: a fused multiply-add would round once instead of twice */
        scaled = (float)ember_wrap_i32(acc) * p->sum_scale;
        shifted = scaled + p->sum_bias;
        output[o] = ember_clamp_i8(
            ember_wrap_i32((uint32_t)round_to_i32(shifted) + (uint32_t)p->sum_zero_point), -128, 127);
    }
}

/* uint8 SUM as LiteRT's reference (reference_ops::QuantizedMeanOrSum with compute_sum): int32 sum of the
 * codes minus z_in * count, requantised by s_in / s_out with the double rounding, + z_out (int32, wrapping),
 * clamped to [0, 255]; an empty reduction leaves LiteRT's initial 0. */
static void sum_u8(const reduce_data *p, const uint8_t *input, uint8_t *output) {
    const ember_reduction *r = &p->r;
    int32_t o, i;
    for (o = 0; o < r->outputs; ++o) {
        const uint8_t *base = input + ember_reduction_offset(o, r->kept_rank, r->kept_dims, r->kept_strides);
        uint32_t acc = 0;
        int32_t y;
        if (r->count == 0) {
            output[o] = 0;
            continue;
        }
        for (i = 0; i < r->count; ++i)
            acc += base[ember_reduction_offset(i, r->reduced_rank, r->reduced_dims, r->reduced_strides)];
        acc -= (uint32_t)p->sum_input_zero_point * (uint32_t)r->count;
        y = ember_multiply_by_quantized_multiplier(ember_wrap_i32(acc), p->sum_multiplier, p->sum_shift);
        y = ember_wrap_i32((uint32_t)y + (uint32_t)p->sum_zero_point);
        output[o] = (uint8_t)(y < 0 ? 0 : (y > 255 ? 255 : y));
    }
}

static ember_status prepare_sum_u8(ember_interpreter *ctx, const ember_node *node, reduce_data *data) {
    float s_in, s_out;
    int shift;
    EMBER_TRY(
        ember_tensor_quant_i8(ctx, node, ember_node_input(ctx, node, 0), &s_in, &data->sum_input_zero_point));
    EMBER_TRY(
        ember_tensor_quant_i8(ctx, node, ember_node_output(ctx, node, 0), &s_out, &data->sum_zero_point));
    /* TFLite shifts the sum left in int32 first: by 32 or more (a ratio of 2^31) is undefined there */
    EMBER_CHECK(ctx, (double)s_in / (double)s_out < 2147483648.0, EMBER_UNSUPPORTED,
                "SUM %ld: scale ratio s_in / s_out = %g is 2^31 or more; give the output a larger scale",
                (long)node->index, (double)s_in / (double)s_out);
    ember_quantize_multiplier((double)s_in / (double)s_out, &data->sum_multiplier, &shift);
    data->sum_shift = shift;
    return EMBER_OK;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    reduce_data *data = (reduce_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    float s_in, s_out;
    int32_t z_in;
    EMBER_TRY(ember_reduction_prepare(ctx, node, &data->r));
    if (input->type == EMBER_UINT8)
        return prepare_sum_u8(ctx, node, data);
    if (input->type != EMBER_INT8)
        return EMBER_OK;
    if (node->kernel->builtin_code != TFL_OP_SUM)
        return ember_check_same_quant_i8(ctx, node, input, output, NULL, NULL);
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &z_in));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &data->sum_zero_point));
    /* In LiteRT's order and precision: float32 throughout, the count converted to float last. */
    data->sum_scale = s_in / s_out;
    data->sum_bias = (float)-z_in * data->sum_scale * (float)data->r.count;
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const reduce_data *data = (const reduce_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    const int32_t code = node->kernel->builtin_code;
    const int kind = code == TFL_OP_SUM ? REDUCE_SUM : (code == TFL_OP_REDUCE_MAX ? REDUCE_MAX : REDUCE_MIN);
    if (input->type == EMBER_FLOAT32)
        reduce_f32(&data->r, kind, (const float *)input->data, (float *)output->data);
    else if (input->type == EMBER_UINT8)
        sum_u8(data, (const uint8_t *)input->data, (uint8_t *)output->data);
    else if (kind == REDUCE_SUM)
        sum_i8(data, (const int8_t *)input->data, (int8_t *)output->data);
    else
        reduce_i8(&data->r, kind, (const int8_t *)input->data, (int8_t *)output->data);
    return EMBER_OK;
}

/* Versions as LiteRT registers them (SUM 2: int8; REDUCE_MAX and REDUCE_MIN 3: int16, refused by type). */
const ember_kernel ember_kernel_sum = {
    TFL_OP_SUM,
    "SUM",
    2,
    TFL_OPTIONS_REDUCER,
    sizeof(reduce_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8,
};
const ember_kernel ember_kernel_reduce_max = {
    TFL_OP_REDUCE_MAX,
    "REDUCE_MAX",
    3,
    TFL_OPTIONS_REDUCER,
    sizeof(reduce_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8,
};
const ember_kernel ember_kernel_reduce_min = {
    TFL_OP_REDUCE_MIN,
    "REDUCE_MIN",
    3,
    TFL_OPTIONS_REDUCER,
    sizeof(reduce_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8,
};
