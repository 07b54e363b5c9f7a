/* MEAN over any set of axes (a constant int32 axis tensor; negative axes count from the end, repeats are
 * ignored), keep_dims or not; float32 and int8.
 *
 * Each output element sums its inputs in row-major order of the reduced axes, which is the order of TFLite's
 * reference (reference/reduce.h: Mean, QuantizedMeanOrSum), so float results agree to rounding. int8 follows
 * QuantizedMeanOrSum bit for bit: sum of raw values in int32, minus zero point times count, requantised by
 * s_in / s_out with 1/count folded into the multiplier. */
#include <math.h>

#include "kernels/kernels.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct mean_data {
    int32_t kept_rank, reduced_rank;
    int32_t kept_dims[EMBER_MAX_DIMS], kept_strides[EMBER_MAX_DIMS]; /* input strides, in elements */
    int32_t reduced_dims[EMBER_MAX_DIMS], reduced_strides[EMBER_MAX_DIMS];
    int32_t outputs, count; /* output elements; inputs summed into each */
    int32_t input_zero_point, output_zero_point, multiplier, shift;
} mean_data;

/* Input offset of element `index` of an odometer over dims/strides (row-major, last dim fastest). */
static size_t offset_of(int32_t index, int32_t rank, const int32_t *dims, const int32_t *strides) {
    size_t offset = 0;
    int32_t d;
    for (d = rank - 1; d >= 0; --d) {
        offset += (size_t)(index % dims[d]) * (size_t)strides[d];
        index /= dims[d];
    }
    return offset;
}

static void mean_f32(const void *op_data, const float *input, float *output) {
    const mean_data *m = (const mean_data *)op_data;
    int32_t o, r;
    for (o = 0; o < m->outputs; ++o) {
        const float *base = input + offset_of(o, m->kept_rank, m->kept_dims, m->kept_strides);
        float sum = 0.0f;
        for (r = 0; r < m->count; ++r)
            sum += base[offset_of(r, m->reduced_rank, m->reduced_dims, m->reduced_strides)];
        output[o] = m->count ? sum / (float)m->count : NAN;
    }
}

static void mean_i8(const void *op_data, const int8_t *input, int8_t *output) {
    const mean_data *m = (const mean_data *)op_data;
    int32_t o, r;
    for (o = 0; o < m->outputs; ++o) {
        const int8_t *base = input + offset_of(o, m->kept_rank, m->kept_dims, m->kept_strides);
        int32_t sum = 0, y;
        for (r = 0; r < m->count; ++r)
            sum += base[offset_of(r, m->reduced_rank, m->reduced_dims, m->reduced_strides)];
        y = ember_multiply_by_quantized_multiplier(sum - m->input_zero_point * m->count, m->multiplier,
                                                   m->shift);
        output[o] = m->count ? ember_clamp_i8(y + m->output_zero_point, -128, 127) : 0;
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

static ember_status prepare_i8(ember_interpreter *ctx, const ember_node *node, const ember_tensor *input,
                               const ember_tensor *output, mean_data *m) {
    float s_in, s_out;
    int32_t multiplier;
    int shift, fold;
    double real;
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &m->input_zero_point));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &m->output_zero_point));
    real = (double)s_in / (double)s_out;
    EMBER_CHECK(
        ctx, real < 1073741824.0 && m->count <= (1 << 23), EMBER_UNSUPPORTED,
        "MEAN %ld: rescale %g or %ld inputs an output are beyond the int8 kernel's range (2^30, 2^23)",
        (long)node->index, real, (long)m->count);
    ember_quantize_multiplier(real, &multiplier, &shift);
    if (m->count > 0) {
        /* Fold 1/count into the multiplier, keeping the shift within what the requantisation accepts. */
        fold = floor_log2(m->count);
        fold = fold < 32 ? fold : 32;
        fold = fold < 31 + shift ? fold : 31 + shift;
        multiplier = (int32_t)(((int64_t)multiplier << fold) / m->count);
        shift -= fold;
    }
    m->multiplier = multiplier;
    m->shift = shift;
    return EMBER_OK;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    mean_data *m = (mean_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *axis = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int reduced[EMBER_MAX_DIMS] = {0};
    int8_t keep_dims;
    int32_t i, d, stride, kept_elements = 1, count = 1;
    long n = (long)node->index;
    char a[96], b[96];
    int ok;

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input && axis, EMBER_INVALID_MODEL,
                "MEAN %ld: needs input, axis and 1 output", n);
    EMBER_TRY(ember_option_i8(ctx, node, TFL_REDUCER_KEEP_DIMS, 0, &keep_dims));
    EMBER_CHECK(ctx, axis->type == EMBER_INT32 && axis->rank <= 1 && axis->is_constant, EMBER_UNSUPPORTED,
                "MEAN %ld: axis '%.64s' must be a constant int32 scalar or vector", n, axis->name);
    for (i = 0; i < ember_element_count(axis); ++i) {
        int32_t v = ((const int32_t *)axis->data)[i];
        EMBER_CHECK(ctx, v >= -input->rank && v < input->rank, EMBER_INVALID_MODEL,
                    "MEAN %ld: axis %ld is outside input '%.64s' of rank %ld", n, (long)v, input->name,
                    (long)input->rank);
        reduced[v < 0 ? v + input->rank : v] = 1;
    }
    m->kept_rank = m->reduced_rank = 0;
    for (d = input->rank - 1, stride = 1; d >= 0; stride *= input->dims[d], --d) {
        if (reduced[d]) {
            m->reduced_dims[m->reduced_rank] = input->dims[d];
            m->reduced_strides[m->reduced_rank++] = stride;
            count *= input->dims[d];
        } else {
            m->kept_dims[m->kept_rank] = input->dims[d];
            m->kept_strides[m->kept_rank++] = stride;
            kept_elements *= input->dims[d];
        }
    }
    /* Collected innermost first; the odometers want outermost first. */
    for (i = 0; i < m->kept_rank / 2; ++i) {
        int32_t t = m->kept_dims[i], u = m->kept_strides[i];
        m->kept_dims[i] = m->kept_dims[m->kept_rank - 1 - i], m->kept_dims[m->kept_rank - 1 - i] = t;
        m->kept_strides[i] = m->kept_strides[m->kept_rank - 1 - i], m->kept_strides[m->kept_rank - 1 - i] = u;
    }
    for (i = 0; i < m->reduced_rank / 2; ++i) {
        int32_t t = m->reduced_dims[i], u = m->reduced_strides[i];
        m->reduced_dims[i] = m->reduced_dims[m->reduced_rank - 1 - i],
        m->reduced_dims[m->reduced_rank - 1 - i] = t;
        m->reduced_strides[i] = m->reduced_strides[m->reduced_rank - 1 - i];
        m->reduced_strides[m->reduced_rank - 1 - i] = u;
    }
    m->count = count;
    m->outputs = kept_elements;
    if (keep_dims) {
        ok = output->rank == input->rank;
        for (d = 0; ok && d < input->rank; ++d)
            ok = output->dims[d] == (reduced[d] ? 1 : input->dims[d]);
    } else {
        ok = output->rank == m->kept_rank || (m->kept_rank == 0 && output->rank == 1 && output->dims[0] == 1);
        for (d = 0; ok && d < m->kept_rank && d < output->rank; ++d)
            ok = output->dims[d] == m->kept_dims[d];
    }
    EMBER_CHECK(ctx, ok && ember_element_count(output) == kept_elements, EMBER_INVALID_MODEL,
                "MEAN %ld: input %s reduced over its axes (keep_dims %d) does not give output '%.64s' %s", n,
                ember_shape_string(input, a, sizeof a), (int)keep_dims, output->name,
                ember_shape_string(output, b, sizeof b));
    if (input->type == EMBER_FLOAT32 && output->type == EMBER_FLOAT32)
        return EMBER_OK;
    EMBER_CHECK(ctx, input->type == EMBER_INT8 && output->type == EMBER_INT8, EMBER_UNSUPPORTED,
                "MEAN %ld: types input %s, output %s; float32 or int8 (both) are supported", n,
                ember_type_name(input->type), ember_type_name(output->type));
    return prepare_i8(ctx, node, input, output, m);
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    if (input->type == EMBER_FLOAT32)
        mean_f32(node->op_data, (const float *)input->data, (float *)output->data);
    else
        mean_i8(node->op_data, (const int8_t *)input->data, (int8_t *)output->data);
    return EMBER_OK;
}

/* Versions 1 to 3 as LiteRT registers them (3: int16, refused by type). */
const ember_kernel ember_kernel_mean = {
    TFL_OP_MEAN, "MEAN", 3, TFL_OPTIONS_REDUCER, sizeof(mean_data), prepare, eval,
};
