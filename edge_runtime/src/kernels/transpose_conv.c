/* TRANSPOSE_CONV (inputs: output_shape, weights OHWI, input, optional bias from version 3; fused activation
 * from version 4): the gradient of a CONV_2D from the output back to the input, so the output's size is the
 * conv's input size (SAME/VALID, strides; the padding is the conv's, computed on the output). LiteRT's
 * reference "scatter" loop: each input pixel adds input * weight to the output pixels its window covers
 * (padding taps fall outside and are dropped), then bias, activation. int8 (per-tensor or per-output-channel
 * weights, axis 0) accumulates (x - zp_in) * w in int32 accumulators kept in the scratch (one batch at a
 * time), adds the bias and requantises each channel with s_in * s_w[c] / s_out (double rounding). uint8
 * (per-tensor weights with a zero point) accumulates (x - zp_in) * (w - zp_w) and requantises with
 * (s_in * s_w in float) / s_out, as LiteRT's reference does. int16 (16x8: int8 weights, zero points 0) sums
 * in int64, adds an int64 (or, marked by quantized_bias_type, int32) bias and requantises with the int64 form
 * (kernels/int16_quant.h).
 * The weights are repacked once (at prepare, or at eval when they are not constant) into [KH][KW][IC][OC]
 * order in the op data, float32 or int16 codes with the weights offset added, so that each input element's
 * update of an output pixel is a contiguous row over the output channels; every output element still sums
 * its terms in the reference's order, so the results are the reference's bits. */
#include <string.h>

#include "kernels/conv.h"
#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "kernels/window.h"
#include "quantization.h"
#include "tflite_schema.h"

enum { OUTPUT_SHAPE = 0, WEIGHTS = 1, INPUT = 2, BIAS = 3 };

typedef struct transpose_conv_data {
    ember_window w;
    int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c;
    ember_conv_quant q;
    int32_t weights_offset; /* uint8: -zero point of the weights (int8: 0) */
    int32_t u8_params[2];   /* uint8: the one multiplier and shift */
    int packed_at_prepare;  /* constant weights: packed once */
    int shape_at_eval; /* output_shape computed in the graph (SHAPE of the input, ...): checked at eval */
} transpose_conv_data;

static const ember_tensor *operand(const ember_interpreter *ctx, const ember_node *node, int32_t i) {
    return i < node->input_count && node->inputs[i] >= 0 ? &ctx->tensors[node->inputs[i]] : NULL;
}

/* Bytes of the packed weights: float32 stays 4 bytes, 8-bit codes become int16 (0 for a malformed node). */
static size_t packed_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *weights = operand(ctx, node, WEIGHTS);
    if (!weights)
        return 0;
    /* At most 2^31 weight bytes, so at most 2^32 packed: refused where size_t has 32 bits. */
    if ((uint64_t)ember_element_count(weights) * 4 > (uint64_t)SIZE_MAX / 2)
        return (size_t)-1;
    return (size_t)ember_element_count(weights) * (weights->type == EMBER_FLOAT32 ? 4 : 2);
}

static size_t op_data_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const size_t packed = packed_bytes(ctx, node);
    return packed == (size_t)-1 ? packed : ember_conv_op_data_bytes(ctx, node, packed);
}

/* weights[oc][k][ic] (k = ky * KW + kx) -> packed[k][ic][oc]; 8-bit codes plus the weights offset. */
static void pack_weights(const transpose_conv_data *p, const ember_tensor *weights, void *packed) {
    const size_t taps = (size_t)p->w.filter_h * p->w.filter_w, ic_n = (size_t)p->in_c,
                 oc_n = (size_t)p->out_c;
    size_t oc, k, ic;
    for (oc = 0; oc < oc_n; ++oc) {
        for (k = 0; k < taps; ++k) {
            for (ic = 0; ic < ic_n; ++ic) {
                const size_t from = (oc * taps + k) * ic_n + ic, to = (k * ic_n + ic) * oc_n + oc;
                if (weights->type == EMBER_FLOAT32)
                    ((float *)packed)[to] = ((const float *)weights->data)[from];
                else if (weights->type == EMBER_INT8)
                    ((int16_t *)packed)[to] = (int16_t)((const int8_t *)weights->data)[from];
                else
                    ((int16_t *)packed)[to] =
                        (int16_t)(((const uint8_t *)weights->data)[from] + p->weights_offset);
            }
        }
    }
}

/* Accumulators of one batch: int32 for an int8 or uint8 output, int64 for int16 (16x8). */
static size_t scratch_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *output = node->output_count >= 1 ? &ctx->tensors[node->outputs[0]] : NULL;
    size_t width;
    if (!output ||
        (output->type != EMBER_INT8 && output->type != EMBER_UINT8 && output->type != EMBER_INT16) ||
        output->rank != 4)
        return 0;
    width = output->type == EMBER_INT16 ? 8 : 4;
    /* The output's byte size is at most 2^31, so this fits 64 bits; refused where size_t has 32. */
    if (width * (uint64_t)ember_element_count(output) > (uint64_t)SIZE_MAX / 2)
        return (size_t)-1;
    return width * (size_t)output->dims[1] * (size_t)output->dims[2] * (size_t)output->dims[3];
}

static ember_status check_types(ember_interpreter *ctx, const ember_node *node, const ember_tensor *input,
                                const ember_tensor *weights, const ember_tensor *bias,
                                const ember_tensor *output, int32_t channels) {
    long n = (long)node->index;
    if (input->type == EMBER_FLOAT32) {
        EMBER_CHECK(
            ctx,
            weights->type == EMBER_FLOAT32 && output->type == EMBER_FLOAT32 &&
                (!bias || (bias->type == EMBER_FLOAT32 && ember_element_count(bias) == channels)),
            EMBER_UNSUPPORTED,
            "TRANSPOSE_CONV %ld: float32 input needs float32 weights, output and bias of %ld elements", n,
            (long)channels);
        return EMBER_OK;
    }
    if (input->type == EMBER_INT16) {
        int8_t bias_type;
        EMBER_CHECK(
            ctx, weights->type == EMBER_INT8 && !ember_is_u8(weights) && output->type == EMBER_INT16,
            EMBER_UNSUPPORTED,
            "TRANSPOSE_CONV %ld: int16 input needs int8 weights and an int16 output (16x8), has %s and %s", n,
            ember_type_name(weights->type), ember_type_name(output->type));
        EMBER_TRY(ember_option_i8(ctx, node, TFL_TCONV_QUANTIZED_BIAS_TYPE, EMBER_FLOAT32, &bias_type));
        bias_type = bias_type == EMBER_INT32 ? EMBER_INT32 : EMBER_INT64; /* unset: LiteRT reads int64 */
        EMBER_CHECK(
            ctx, !bias || ((int32_t)bias->type == bias_type && ember_element_count(bias) == channels),
            EMBER_INVALID_MODEL,
            "TRANSPOSE_CONV %ld: bias '%.64s' is %s with %ld elements; int16 needs %s with %ld (an int32 "
            "bias needs quantized_bias_type INT32)",
            n, bias ? bias->name : "", bias ? ember_type_name(bias->type) : "",
            bias ? (long)ember_element_count(bias) : 0L, ember_type_name((ember_type)bias_type),
            (long)channels);
        return EMBER_OK;
    }
    EMBER_CHECK(
        ctx,
        (input->type == EMBER_INT8 || input->type == EMBER_UINT8) && weights->type == input->type &&
            output->type == input->type,
        EMBER_UNSUPPORTED,
        "TRANSPOSE_CONV %ld: types input %s, weights %s, output %s; float32, int8 or uint8 (all three), or "
        "int16 with int8 weights are supported",
        n, ember_type_name(input->type), ember_type_name(weights->type), ember_type_name(output->type));
    EMBER_CHECK(
        ctx, !bias || (bias->type == EMBER_INT32 && ember_element_count(bias) == channels),
        EMBER_INVALID_MODEL,
        "TRANSPOSE_CONV %ld: bias '%.64s' is %s with %ld elements; quantised weights need int32 with %ld "
        "(one per output channel)",
        n, bias->name, ember_type_name(bias->type), (long)ember_element_count(bias), (long)channels);
    return EMBER_OK;
}

/* 16x8: zero points 0, per-channel multipliers as int8's, requantised from int64 (shifts up to 14) unless the
 * bias is int32. */
static ember_status prepare_i16(ember_interpreter *ctx, const ember_node *node, transpose_conv_data *data,
                                const ember_tensor *weights, const ember_tensor *input,
                                const ember_tensor *bias, const ember_tensor *output, int8_t activation) {
    int32_t *params = ember_channel_params(node);
    float s_in, s_out;
    int32_t zp, c;
    EMBER_TRY(ember_tensor_quant_i16(ctx, node, input, 1, &s_in, &zp));
    EMBER_TRY(ember_tensor_quant_i16(ctx, node, output, 1, &s_out, &zp));
    data->q.input_offset = data->q.output_offset = 0;
    data->weights_offset = 0;
    EMBER_CHECK(
        ctx,
        ember_activation_range_q(activation, s_out, 0, -32768, 32767, &data->q.act_min, &data->q.act_max),
        EMBER_UNSUPPORTED, "TRANSPOSE_CONV %ld: fused activation %d is not supported", (long)node->index,
        (int)activation);
    EMBER_TRY(ember_conv_multipliers(ctx, node, weights, s_in, s_out, 0, data->out_c, 0, params,
                                     params + data->out_c));
    for (c = 0; c < data->out_c && !(bias && bias->type == EMBER_INT32); ++c)
        EMBER_CHECK(ctx, params[data->out_c + c] <= EMBER_I16_MAX_SHIFT, EMBER_UNSUPPORTED,
                    "TRANSPOSE_CONV %ld: channel %ld rescales by 2^%ld or more (input %g, output %g); int16 "
                    "requantisation takes less than 2^%d",
                    (long)node->index, (long)c, (long)params[data->out_c + c] - 1, (double)s_in,
                    (double)s_out, EMBER_I16_MAX_SHIFT);
    return EMBER_OK;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    transpose_conv_data *data = (transpose_conv_data *)node->op_data;
    const ember_tensor *shape = operand(ctx, node, OUTPUT_SHAPE), *weights = operand(ctx, node, WEIGHTS);
    const ember_tensor *input = operand(ctx, node, INPUT), *bias = operand(ctx, node, BIAS);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    long n = (long)node->index;
    int8_t padding, activation;
    ember_image_shape s;
    int32_t d;
    char a[96], b[96];

    EMBER_CHECK(
        ctx,
        (node->input_count == 3 || node->input_count == 4) && node->output_count == 1 && shape && weights &&
            input,
        EMBER_INVALID_MODEL,
        "TRANSPOSE_CONV %ld: needs inputs (output_shape, weights, input[, bias]) and 1 output, has %ld "
        "and %ld",
        n, (long)node->input_count, (long)node->output_count);
    /* A computed output_shape (a dynamic batch: SHAPE(input)[0:1] joined with [H, W, C]) has its values known
     * to shape propagation, which sized the output from them; eval checks that they are what was planned. */
    data->shape_at_eval = !shape->is_constant;
    if (data->shape_at_eval)
        EMBER_CHECK(ctx, shape->type == EMBER_INT32 && ember_element_count(shape) == 4, EMBER_INVALID_MODEL,
                    "TRANSPOSE_CONV %ld: output_shape '%.64s' has type %s and %ld elements, expected 4 int32",
                    n, shape->name, ember_type_name(shape->type), (long)ember_element_count(shape));
    else
        EMBER_TRY(ember_check_const_int(ctx, node, shape, "output_shape", 4, 0));
    EMBER_CHECK(
        ctx, output->rank == 4 && weights->rank == 4 && input->rank == 4, EMBER_INVALID_MODEL,
        "TRANSPOSE_CONV %ld: input '%.64s' %s, weights '%.64s' %s and output must be 4-D (NHWC, OHWI)", n,
        input->name, ember_shape_string(input, a, sizeof a), weights->name,
        ember_shape_string(weights, b, sizeof b));
    for (d = 0; d < 4 && !data->shape_at_eval; ++d)
        EMBER_CHECK(ctx, ember_const_int(shape, d) == output->dims[d], EMBER_INVALID_MODEL,
                    "TRANSPOSE_CONV %ld: output_shape '%.64s' dim %ld is %ld but output '%.64s' is %s", n,
                    shape->name, (long)d, (long)ember_const_int(shape, d), output->name,
                    ember_shape_string(output, a, sizeof a));
    EMBER_CHECK(ctx, weights->dims[0] == output->dims[3] && weights->dims[3] == input->dims[3],
                EMBER_INVALID_MODEL,
                "TRANSPOSE_CONV %ld: weights '%.64s' %s must be [output channels %ld, H, W, input channels "
                "%ld]",
                n, weights->name, ember_shape_string(weights, a, sizeof a), (long)output->dims[3],
                (long)input->dims[3]);
    EMBER_TRY(check_types(ctx, node, input, weights, bias, output, output->dims[3]));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_TCONV_PADDING, TFL_PADDING_SAME, &padding));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_TCONV_STRIDE_W, 1, &data->w.stride_w));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_TCONV_STRIDE_H, 1, &data->w.stride_h));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_TCONV_FUSED_ACTIVATION, TFL_ACT_NONE, &activation));
    data->w.filter_h = weights->dims[1];
    data->w.filter_w = weights->dims[2];
    data->w.dilation_h = data->w.dilation_w = 1;
    /* The conv whose gradient this is maps the output to the input: its window checks give the padding. */
    EMBER_TRY(ember_window_prepare(ctx, node, padding, output, input, &data->w, &s));
    data->batches = s.batches;
    data->out_h = s.in_h, data->out_w = s.in_w, data->out_c = s.in_c;
    data->in_h = s.out_h, data->in_w = s.out_w, data->in_c = s.out_c;
    if (input->type == EMBER_FLOAT32) {
        EMBER_CHECK(
            ctx, ember_activation_range_f32(activation, &data->q.act_min_f, &data->q.act_max_f),
            EMBER_UNSUPPORTED,
            "TRANSPOSE_CONV %ld: fused activation %d is not supported (NONE, RELU, RELU_N1_TO_1, RELU6 "
            "are)",
            n, (int)activation);
    } else if (input->type == EMBER_INT16) {
        EMBER_TRY(prepare_i16(ctx, node, data, weights, input, bias, output, activation));
    } else {
        float s_in, s_out;
        int32_t zp_in, zp_out;
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &zp_in));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &zp_out));
        data->q.input_offset = -zp_in;
        data->q.output_offset = zp_out;
        EMBER_CHECK(ctx,
                    ember_activation_range_q(activation, s_out, zp_out, input->type == EMBER_INT8 ? -128 : 0,
                                             input->type == EMBER_INT8 ? 127 : 255, &data->q.act_min,
                                             &data->q.act_max),
                    EMBER_UNSUPPORTED, "TRANSPOSE_CONV %ld: fused activation %d is not supported", n,
                    (int)activation);
        data->weights_offset = 0;
        if (input->type == EMBER_INT8) {
            int32_t *params = ember_channel_params(node);
            EMBER_TRY(ember_conv_multipliers(ctx, node, weights, s_in, s_out, 0, data->out_c, 0, params,
                                             params + data->out_c));
        } else {
            float s_w;
            int32_t zp_w;
            double real;
            int e;
            EMBER_TRY(ember_tensor_quant_i8(ctx, node, weights, &s_w, &zp_w));
            data->weights_offset = -zp_w;
            real = (double)(s_in * s_w) / (double)s_out;
            EMBER_CHECK(ctx, real < 1073741824.0, EMBER_UNSUPPORTED,
                        "TRANSPOSE_CONV %ld: rescales by %g (input %g * weights %g / output %g), beyond 2^30",
                        n, real, (double)s_in, (double)s_w, (double)s_out);
            ember_quantize_multiplier(real, &data->u8_params[0], &e);
            data->u8_params[1] = e;
        }
    }
    data->packed_at_prepare = weights->is_constant;
    if (weights->is_constant)
        pack_weights(data, weights, ember_conv_packed(ctx, node));
    return EMBER_OK;
}

/* The output rows [*y0, *y1) and columns [*x0, *x1) of the window of input pixel (iy, ix), clipped. */
static void scatter_range(const transpose_conv_data *p, int32_t iy, int32_t ix, int32_t *ky0, int32_t *ky1,
                          int32_t *kx0, int32_t *kx1) {
    const int32_t oy = iy * p->w.stride_h - p->w.pad_h, ox = ix * p->w.stride_w - p->w.pad_w;
    *ky0 = oy < 0 ? -oy : 0;
    *ky1 = p->out_h - oy < p->w.filter_h ? p->out_h - oy : p->w.filter_h;
    *kx0 = ox < 0 ? -ox : 0;
    *kx1 = p->out_w - ox < p->w.filter_w ? p->out_w - ox : p->w.filter_w;
}

static void eval_f32(const transpose_conv_data *p, const float *input, const float *weights,
                     const float *bias, float *output) {
    const size_t out_image = (size_t)p->out_h * p->out_w * p->out_c, oc_n = (size_t)p->out_c;
    int32_t b, iy, ix, ic, ky, kx, oc;
    size_t i;
    memset(output, 0, (size_t)p->batches * out_image * sizeof(float));
    for (b = 0; b < p->batches; ++b) {
        float *out = output + (size_t)b * out_image;
        for (iy = 0; iy < p->in_h; ++iy) {
            for (ix = 0; ix < p->in_w; ++ix) {
                const float *x = input + (((size_t)b * p->in_h + iy) * p->in_w + ix) * p->in_c;
                int32_t ky0, ky1, kx0, kx1;
                scatter_range(p, iy, ix, &ky0, &ky1, &kx0, &kx1);
                for (ky = ky0; ky < ky1; ++ky) {
                    for (kx = kx0; kx < kx1; ++kx) {
                        const int32_t oy = iy * p->w.stride_h - p->w.pad_h + ky;
                        const int32_t ox = ix * p->w.stride_w - p->w.pad_w + kx;
                        float *o = out + ((size_t)oy * p->out_w + ox) * oc_n;
                        const float *wk = weights + ((size_t)ky * p->w.filter_w + kx) * p->in_c * oc_n;
                        for (ic = 0; ic < p->in_c; ++ic, wk += oc_n) {
                            const float v = x[ic];
                            for (oc = 0; oc < p->out_c; ++oc)
                                o[oc] += v * wk[oc];
                        }
                    }
                }
            }
        }
    }
    for (i = 0; i < (size_t)p->batches * out_image; ++i) {
        const float acc = output[i] + (bias ? bias[i % (size_t)p->out_c] : 0.0f);
        output[i] = ember_clamp_f32(acc, p->q.act_min_f, p->q.act_max_f);
    }
}

/* int8 and uint8 (u8: the input and output codes are uint8) with packed int16 weights (offset included).
 * params: per-channel multipliers then shifts, or (per_channel 0) one multiplier and shift. */
static void eval_quantized(const transpose_conv_data *p, const int32_t *params, int per_channel,
                           const void *input_data, const int16_t *weights, const int32_t *bias,
                           void *output_data, int u8, uint32_t *acc) {
    const size_t out_image = (size_t)p->out_h * p->out_w * p->out_c, oc_n = (size_t)p->out_c;
    const int8_t *in_s8 = (const int8_t *)input_data;
    const uint8_t *in_u8 = (const uint8_t *)input_data;
    const int32_t *multiplier = params, *shift = params + (per_channel ? p->out_c : 1);
    int32_t b, iy, ix, ic, ky, kx, oc;
    size_t i;
    for (b = 0; b < p->batches; ++b) {
        memset(acc, 0, out_image * sizeof *acc);
        for (iy = 0; iy < p->in_h; ++iy) {
            for (ix = 0; ix < p->in_w; ++ix) {
                const size_t x = (((size_t)b * p->in_h + iy) * p->in_w + ix) * p->in_c;
                int32_t ky0, ky1, kx0, kx1;
                scatter_range(p, iy, ix, &ky0, &ky1, &kx0, &kx1);
                for (ky = ky0; ky < ky1; ++ky) {
                    for (kx = kx0; kx < kx1; ++kx) {
                        const int32_t oy = iy * p->w.stride_h - p->w.pad_h + ky;
                        const int32_t ox = ix * p->w.stride_w - p->w.pad_w + kx;
                        uint32_t *a = acc + ((size_t)oy * p->out_w + ox) * oc_n;
                        const int16_t *wk = weights + ((size_t)ky * p->w.filter_w + kx) * p->in_c * oc_n;
                        for (ic = 0; ic < p->in_c; ++ic, wk += oc_n) {
                            const int32_t v = (u8 ? in_u8[x + ic] : in_s8[x + ic]) + p->q.input_offset;
                            /* Wrapping sums in uint32: TFLite's int32 on two's complement hardware. */
                            for (oc = 0; oc < p->out_c; ++oc)
                                a[oc] += (uint32_t)(v * wk[oc]);
                        }
                    }
                }
            }
        }
        for (i = 0; i < out_image; ++i) {
            const int32_t c = (int32_t)(i % (size_t)p->out_c), pc = per_channel ? c : 0;
            const int32_t sum = ember_wrap_i32(acc[i] + (bias ? (uint32_t)bias[c] : 0u));
            const int32_t y =
                ember_offset_clamp(ember_multiply_by_quantized_multiplier(sum, multiplier[pc], shift[pc]),
                                   p->q.output_offset, p->q.act_min, p->q.act_max);
            if (u8)
                ((uint8_t *)output_data)[(size_t)b * out_image + i] = (uint8_t)y;
            else
                ((int8_t *)output_data)[(size_t)b * out_image + i] = (int8_t)y;
        }
    }
}

/* 16x8 (reference_integer_ops::TransposeConv for int16): int64 sums of x * w scattered per output pixel, the
 * int64 bias added and the int64 requantisation, or with an int32 bias (quantized_bias_type INT32) the int32
 * sum and requantisation of the int8 kernels, as LiteRT's template instantiates them; then the clamp. */
static void eval_i16(const transpose_conv_data *p, const int32_t *params, const int16_t *input,
                     const int16_t *weights, const void *bias, int bias_i64, int16_t *output, uint64_t *acc) {
    const size_t out_image = (size_t)p->out_h * p->out_w * p->out_c, oc_n = (size_t)p->out_c;
    const int32_t *multiplier = params, *shift = params + p->out_c;
    int32_t b, iy, ix, ic, ky, kx, oc;
    size_t i;
    for (b = 0; b < p->batches; ++b) {
        memset(acc, 0, out_image * sizeof *acc);
        for (iy = 0; iy < p->in_h; ++iy) {
            for (ix = 0; ix < p->in_w; ++ix) {
                const int16_t *x = input + (((size_t)b * p->in_h + iy) * p->in_w + ix) * p->in_c;
                int32_t ky0, ky1, kx0, kx1;
                scatter_range(p, iy, ix, &ky0, &ky1, &kx0, &kx1);
                for (ky = ky0; ky < ky1; ++ky) {
                    for (kx = kx0; kx < kx1; ++kx) {
                        const int32_t oy = iy * p->w.stride_h - p->w.pad_h + ky;
                        const int32_t ox = ix * p->w.stride_w - p->w.pad_w + kx;
                        uint64_t *a = acc + ((size_t)oy * p->out_w + ox) * oc_n;
                        const int16_t *wk = weights + ((size_t)ky * p->w.filter_w + kx) * p->in_c * oc_n;
                        for (ic = 0; ic < p->in_c; ++ic, wk += oc_n)
                            for (oc = 0; oc < p->out_c; ++oc)
                                a[oc] += (uint64_t)(int64_t)((int32_t)x[ic] * wk[oc]);
                    }
                }
            }
        }
        for (i = 0; i < out_image; ++i) {
            const int32_t c = (int32_t)(i % oc_n);
            uint64_t sum = acc[i];
            int32_t y;
            if (bias_i64 || !bias) {
                if (bias)
                    sum += (uint64_t)((const int64_t *)bias)[c];
                y = ember_multiply_by_quantized_multiplier_i64(ember_wrap_i64(sum), multiplier[c], shift[c]);
            } else { /* an int32 bias: LiteRT's int32 accumulator (wrapping) and int8 requantisation */
                const uint32_t sum32 = (uint32_t)(sum & 0xffffffffu) + (uint32_t)((const int32_t *)bias)[c];
                y = ember_multiply_by_quantized_multiplier(ember_wrap_i32(sum32), multiplier[c], shift[c]);
            }
            output[(size_t)b * out_image + i] = ember_clamp_i16(y, p->q.act_min, p->q.act_max);
        }
    }
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const transpose_conv_data *p = (const transpose_conv_data *)node->op_data;
    const ember_tensor *weights = operand(ctx, node, WEIGHTS), *input = operand(ctx, node, INPUT);
    const ember_tensor *bias = operand(ctx, node, BIAS);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    void *packed = ember_conv_packed(ctx, node);
    int32_t d;
    char a[96];
    for (d = 0; d < 4 && p->shape_at_eval; ++d)
        EMBER_CHECK(
            ctx, ((const int32_t *)operand(ctx, node, OUTPUT_SHAPE)->data)[d] == output->dims[d],
            EMBER_INVALID_MODEL,
            "TRANSPOSE_CONV %ld: output_shape computed at run time gives dim %ld = %ld, but the output "
            "was planned as %s; the graph computes it from something other than the input's shape",
            (long)node->index, (long)d, (long)((const int32_t *)operand(ctx, node, OUTPUT_SHAPE)->data)[d],
            ember_shape_string(output, a, sizeof a));
    if (output->bytes == 0)
        return EMBER_OK;
    if (!p->packed_at_prepare)
        pack_weights(p, weights, packed);
    if (output->type == EMBER_FLOAT32)
        eval_f32(p, (const float *)input->data, (const float *)packed,
                 bias ? (const float *)bias->data : NULL, (float *)output->data);
    else if (output->type == EMBER_INT16)
        eval_i16(p, ember_channel_params(node), (const int16_t *)input->data, (const int16_t *)packed,
                 bias ? bias->data : NULL, bias && bias->type == EMBER_INT64, (int16_t *)output->data,
                 (uint64_t *)(void *)ember_thread_scratch(ctx, 0));
    else if (output->type == EMBER_INT8)
        eval_quantized(p, ember_channel_params(node), 1, input->data, (const int16_t *)packed,
                       bias ? (const int32_t *)bias->data : NULL, output->data, 0,
                       (uint32_t *)(void *)ember_thread_scratch(ctx, 0));
    else
        eval_quantized(p, p->u8_params, 0, input->data, (const int16_t *)packed,
                       bias ? (const int32_t *)bias->data : NULL, output->data, 1,
                       (uint32_t *)(void *)ember_thread_scratch(ctx, 0));
    return EMBER_OK;
}

const ember_kernel ember_kernel_transpose_conv = {
    TFL_OP_TRANSPOSE_CONV,
    "TRANSPOSE_CONV",
    5, /* 5: quantized_bias_type (16x8) */
    TFL_OPTIONS_TRANSPOSE_CONV,
    sizeof(transpose_conv_data),
    prepare,
    eval,
    op_data_bytes,
    scratch_bytes,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
