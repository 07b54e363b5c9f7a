/* 16x8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: prepare checks, reference math and eval (see
 * conv_i16.h). Order of operations as LiteRT's reference_integer_ops (conv.h, depthwise_conv.h,
 * fully_connected.h) for int16 activations. */
#include "kernels/conv_i16.h"

#include <math.h>

#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

/* The node's quantized_bias_type option (EMBER_FLOAT32: unset); DEPTHWISE_CONV_2D has none and takes int64.
 */
static ember_status bias_type_option(ember_interpreter *ctx, const ember_node *node, int8_t *type) {
    if (node->kernel->builtin_code == TFL_OP_CONV_2D)
        return ember_option_i8(ctx, node, TFL_CONV_QUANTIZED_BIAS_TYPE, EMBER_FLOAT32, type);
    if (node->kernel->builtin_code == TFL_OP_FULLY_CONNECTED)
        return ember_option_i8(ctx, node, TFL_FC_QUANTIZED_BIAS_TYPE, EMBER_FLOAT32, type);
    *type = EMBER_INT64;
    return EMBER_OK;
}

ember_status ember_conv_i16_prepare(ember_interpreter *ctx, const ember_node *node, int8_t activation,
                                    int32_t filter_axis, int32_t channels, ember_conv_quant *q) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *filter = ember_node_input(ctx, node, 1);
    const ember_tensor *bias = ember_node_input(ctx, node, 2);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const char *op = node->kernel->name;
    const int is_fc = node->kernel->builtin_code == TFL_OP_FULLY_CONNECTED;
    long n = (long)node->index;
    int32_t *params = ember_channel_params(node);
    int32_t zp, c;
    int8_t bias_type;
    float s_in, s_out;

    EMBER_CHECK(
        ctx, filter->type == EMBER_INT8 && !ember_is_u8(filter) && output->type == EMBER_INT16,
        EMBER_UNSUPPORTED,
        "%s %ld: int16 input needs int8 weights and an int16 output (16x8 quantisation), has %s%s and %s", op,
        n, ember_is_u8(filter) ? "u" : "", ember_type_name(filter->type), ember_type_name(output->type));
    EMBER_TRY(bias_type_option(ctx, node, &bias_type));
    EMBER_CHECK(ctx, bias_type == EMBER_FLOAT32 || bias_type == EMBER_INT32 || bias_type == EMBER_INT64,
                EMBER_INVALID_MODEL, "%s %ld: quantized_bias_type %s; int16 %s takes INT32 or INT64", op, n,
                ember_type_name((ember_type)bias_type), op);
    /* Unset, LiteRT reads the bias as int64 whatever its type: an int32 one must be marked. */
    if (bias_type == EMBER_FLOAT32)
        bias_type = EMBER_INT64;
    q->acc32 = bias_type == EMBER_INT32;
    EMBER_CHECK(ctx, !bias || ((int32_t)bias->type == bias_type && ember_element_count(bias) == channels),
                EMBER_INVALID_MODEL,
                "%s %ld: bias '%.64s' is %s with %ld elements; int16 %s needs %s with %ld (one per output "
                "channel; an int32 bias needs quantized_bias_type INT32)",
                op, n, bias ? bias->name : "", bias ? ember_type_name(bias->type) : "",
                bias ? (long)ember_element_count(bias) : 0L, op, ember_type_name((ember_type)bias_type),
                (long)channels);
    EMBER_TRY(ember_tensor_quant_i16(ctx, node, input, 1, &s_in, &zp));
    EMBER_TRY(ember_tensor_quant_i16(ctx, node, output, 1, &s_out, &zp));
    q->input_offset = q->output_offset = q->filter_offset = 0;
    EMBER_CHECK(ctx, ember_activation_range_q(activation, s_out, 0, -32768, 32767, &q->act_min, &q->act_max),
                EMBER_UNSUPPORTED,
                "%s %ld: fused activation %d is not supported (NONE, RELU, RELU_N1_TO_1, RELU6 are)", op, n,
                (int)activation);
    EMBER_TRY(ember_conv_multipliers(ctx, node, filter, s_in, s_out, filter_axis, channels, 0, params,
                                     params + channels));
    if (is_fc) {
        /* LiteRT's int16 FULLY_CONNECTED rescales in double; the scales replace the multipliers. */
        double *scale = (double *)(void *)params;
        for (c = 0; c < channels; ++c) {
            const size_t at = filter->quant_count == 1 ? 0 : (size_t)c;
            const float s_w = fb_f32_at(ctx->model.data + filter->scales_pos + 4 * at);
            scale[c] = (double)s_in * (double)s_w / (double)s_out;
        }
        return EMBER_OK;
    }
    /* The int64 requantisation takes shifts up to 14; the int32 form (acc32) takes what int8 does. */
    for (c = 0; c < channels && !q->acc32; ++c)
        EMBER_CHECK(
            ctx, params[channels + c] <= EMBER_I16_MAX_SHIFT, EMBER_UNSUPPORTED,
            "%s %ld: channel %ld rescales by 2^%ld or more (input %g, output %g); int16 requantisation "
            "takes less than 2^%d",
            op, n, (long)c, (long)params[channels + c] - 1, (double)s_in, (double)s_out, EMBER_I16_MAX_SHIFT);
    return EMBER_OK;
}

/* Requantises channel c's sum of products (wrapping 64-bit arithmetic) with its bias. bias_i64: LiteRT's
 * int64 form; else its int32 one (quantized_bias_type INT32), whose sum wraps at 32 bits and whose
 * requantisation is the int8 kernels' double rounding. */
static int32_t requantize(uint64_t acc, const void *bias, int bias_i64, int32_t c, const int32_t *multiplier,
                          const int32_t *shift) {
    if (!bias_i64) {
        uint32_t acc32 = (uint32_t)(acc & 0xffffffffu);
        if (bias)
            acc32 += (uint32_t)((const int32_t *)bias)[c];
        return ember_multiply_by_quantized_multiplier(ember_wrap_i32(acc32), multiplier[c], shift[c]);
    }
    if (bias)
        acc += (uint64_t)((const int64_t *)bias)[c];
    return ember_multiply_by_quantized_multiplier_i64(ember_wrap_i64(acc), multiplier[c], shift[c]);
}

void ember_conv_2d_ref_i16(const ember_window *w, const ember_image_shape *s, int32_t depth,
                           const int16_t *input, const int8_t *filter, const void *bias, int bias_i64,
                           int16_t *output, const int32_t *multiplier, const int32_t *shift, int32_t act_min,
                           int32_t act_max) {
    const int32_t per_group = s->out_c / (s->in_c / depth);
    int32_t b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < s->batches; ++b)
        for (oy = 0; oy < s->out_h; ++oy)
            for (ox = 0; ox < s->out_w; ++ox)
                for (oc = 0; oc < s->out_c; ++oc) {
                    const int32_t group_c = (oc / per_group) * depth;
                    uint64_t acc = 0;
                    for (ky = 0; ky < w->filter_h; ++ky) {
                        const int32_t iy = oy * w->stride_h - w->pad_h + ky * w->dilation_h;
                        for (kx = 0; kx < w->filter_w; ++kx) {
                            const int32_t ix = ox * w->stride_w - w->pad_w + kx * w->dilation_w;
                            const int16_t *x;
                            const int8_t *k;
                            if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                                continue; /* padding: a real zero */
                            x = input + (((size_t)b * s->in_h + iy) * s->in_w + ix) * s->in_c + group_c;
                            k = filter + (((size_t)oc * w->filter_h + ky) * w->filter_w + kx) * depth;
                            for (ic = 0; ic < depth; ++ic)
                                acc += (uint64_t)(int64_t)((int32_t)k[ic] * (int32_t)x[ic]);
                        }
                    }
                    output[(((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + oc] = ember_clamp_i16(
                        requantize(acc, bias, bias_i64, oc, multiplier, shift), act_min, act_max);
                }
}

void ember_depthwise_conv_2d_ref_i16(const ember_window *w, const ember_image_shape *s, int32_t depth,
                                     const int16_t *input, const int8_t *filter, const void *bias,
                                     int bias_i64, int16_t *output, const int32_t *multiplier,
                                     const int32_t *shift, int32_t act_min, int32_t act_max) {
    int32_t b, oy, ox, ic, m, ky, kx;
    for (b = 0; b < s->batches; ++b)
        for (oy = 0; oy < s->out_h; ++oy)
            for (ox = 0; ox < s->out_w; ++ox)
                for (ic = 0; ic < s->in_c; ++ic)
                    for (m = 0; m < depth; ++m) {
                        const int32_t oc = ic * depth + m;
                        uint64_t acc = 0;
                        for (ky = 0; ky < w->filter_h; ++ky) {
                            const int32_t iy = oy * w->stride_h - w->pad_h + ky * w->dilation_h;
                            for (kx = 0; kx < w->filter_w; ++kx) {
                                const int32_t ix = ox * w->stride_w - w->pad_w + kx * w->dilation_w;
                                size_t x, k;
                                if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                                    continue; /* padding: a real zero */
                                x = (((size_t)b * s->in_h + iy) * s->in_w + ix) * s->in_c + ic;
                                k = ((size_t)ky * w->filter_w + kx) * s->out_c + oc;
                                acc += (uint64_t)(int64_t)((int32_t)filter[k] * (int32_t)input[x]);
                            }
                        }
                        output[(((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + oc] =
                            ember_clamp_i16(requantize(acc, bias, bias_i64, oc, multiplier, shift), act_min,
                                            act_max);
                    }
}

/* round(acc * scale), half away from zero, as int32. LiteRT casts the double unclamped, which only hostile
 * scales or biases push out of range (undefined in C++): we give what its x86-64 build, the oracle, gives
 * there, INT32_MIN (cvttsd2si's "integer indefinite"), on every platform. */
static int32_t scale_round(double acc, double scale) {
    const double v = round(acc * scale);
    return v > -2147483649.0 && v < 2147483648.0 ? (int32_t)v : INT32_MIN;
}

void ember_fully_connected_ref_i16(const int16_t *input, const int8_t *weights, const void *bias,
                                   int bias_i64, int16_t *output, int32_t batches, int32_t in_dim,
                                   int32_t out_dim, const double *scale, int32_t act_min, int32_t act_max) {
    int32_t b, o, i;
    for (b = 0; b < batches; ++b) {
        const int16_t *x = input + (size_t)b * (size_t)in_dim;
        for (o = 0; o < out_dim; ++o) {
            const int8_t *w = weights + (size_t)o * (size_t)in_dim;
            double acc;
            if (bias_i64) {
                int64_t sum = 0;
                for (i = 0; i < in_dim; ++i)
                    sum += (int32_t)w[i] * (int32_t)x[i];
                if (bias)
                    sum = ember_wrap_i64((uint64_t)sum + (uint64_t)((const int64_t *)bias)[o]);
                acc = (double)sum;
            } else {
                /* LiteRT accumulates in the bias's type: int32 arithmetic, wrapping. */
                uint32_t sum = 0;
                for (i = 0; i < in_dim; ++i)
                    sum += (uint32_t)((int32_t)w[i] * (int32_t)x[i]);
                if (bias)
                    sum += (uint32_t)((const int32_t *)bias)[o];
                acc = (double)ember_wrap_i32(sum);
            }
            output[(size_t)b * (size_t)out_dim + o] =
                ember_clamp_i16(scale_round(acc, scale[o]), act_min, act_max);
        }
    }
}

ember_status ember_conv_i16_eval(ember_interpreter *ctx, const ember_node *node, ember_conv_i16_fn *fn) {
    const ember_conv_data *d = (const ember_conv_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *filter = ember_node_input(ctx, node, 1);
    const ember_tensor *bias = ember_node_input(ctx, node, 2);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    const int32_t *params = ember_channel_params(node);
    fn(&d->w, &d->s, d->depth, (const int16_t *)input->data, (const int8_t *)filter->data,
       bias ? bias->data : NULL, !d->q.acc32, (int16_t *)output->data, params, params + d->s.out_c,
       d->q.act_min, d->q.act_max);
    return EMBER_OK;
}
