/* The dynamic-range (hybrid) pieces FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D and the LSTM share (see
 * hybrid.h). */
#include "kernels/hybrid.h"

#include <math.h>
#include <string.h>

#include "flatbuffer.h"
#include "kernels/conv.h"
#include "kernels/kernels.h"
#include "kernels/uint8.h"
#include "tflite_schema.h"

/* GCC never contracts in ISO C mode (-std=c99); clang needs telling (the tanh below must not fuse). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* tanh as LiteRT's ApplyTanhToVector computes it: Eigen's fast-math ptanh_float without FMA (its x86 build),
 * a [9/8] rational approximation on the input clamped to +-7.90738964 (where it reaches exactly 1): p and q
 * polynomials in x^2 by Horner steps, x^3 * p + x, divided by q. Measured equal to LiteRT's outputs. */
static float eigen_tanh(float a) {
    const float clamp = 7.90738964080810547f;
    const float x = (a < clamp ? a : clamp) > -clamp ? (a < clamp ? a : clamp) : -clamp;
    const float x2 = x * x, x3 = x2 * x;
    float p = 1.394553628e-8f, q = 8.015776984e-7f;
    p = x2 * p + 2.102733560e-5f;
    p = x2 * p + 3.520756727e-3f;
    p = x2 * p + 1.340216100e-1f;
    q = x2 * q + 3.326951409e-4f;
    q = x2 * q + 2.597254514e-2f;
    q = x2 * q + 4.673548340e-1f;
    q = x2 * q + 1.0f;
    p = x3 * p + x;
    return p / q;
}

/* C's float -> int conversion of a NaN, an infinity or a value beyond int32 is undefined; LiteRT's x86-64
 * build (cvttss2si) gives INT32_MIN there, which the clamps below turn into the lowest code. Inputs holding
 * NaN or inf are the only way in: the row's own range bounds every finite value. */
static int32_t float_to_i32(float v) {
    return v >= -2147483648.0f && v < 2147483648.0f ? (int32_t)v : INT32_MIN;
}

void ember_hybrid_quantize_rows(const float *x, int64_t stride, int32_t n, int32_t size, int asymmetric,
                                int8_t *q, float *sf, int32_t *zp) {
    int32_t b, k;
    for (b = 0; b < n; ++b, x += stride, q += size) {
        float lo = size ? x[0] : 0.0f, hi = lo, inv;
        for (k = 1; k < size; ++k) {
            lo = x[k] < lo ? x[k] : lo;
            hi = x[k] > hi ? x[k] : hi;
        }
        zp[b] = 0;
        if (!asymmetric) {
            const float range = fabsf(lo) > fabsf(hi) ? fabsf(lo) : fabsf(hi);
            if (range == 0.0f) {
                memset(q, 0, (size_t)size);
                sf[b] = 1.0f;
                continue;
            }
            sf[b] = range / 127.0f;
            inv = 127.0f / range;
            for (k = 0; k < size; ++k) {
                const int32_t v = float_to_i32(roundf(x[k] * inv));
                q[k] = (int8_t)(v < -127 ? -127 : v > 127 ? 127 : v);
            }
            continue;
        }
        {
            const double rmin = lo < 0.0f ? (double)lo : 0.0, rmax = hi > 0.0f ? (double)hi : 0.0;
            double scale, from_min, from_max, zero;
            if (rmin == rmax) {
                memset(q, 0, (size_t)size);
                sf[b] = 1.0f;
                continue;
            }
            /* the range is a float difference in the LiteRT build the tests run against (measured: a double
             * one differs in the last bit of the scale) */
            scale = (double)((float)rmax - (float)rmin) / 255.0;
            from_min = -128.0 - rmin / scale;
            from_max = 127.0 - rmax / scale;
            zero = 128.0 + fabs(rmin / scale) < 127.0 + fabs(rmax / scale) ? from_min : from_max;
            /* a NaN zero (an infinite range): x86's conversion again, INT32_MIN, whose int8 image is 0 */
            zp[b] = zero <= -128.0  ? -128
                    : zero >= 127.0 ? 127
                    : zero != zero  ? 0
                                    : (int32_t)(int8_t)round(zero);
            sf[b] = (float)scale;
            inv = 1.0f / sf[b];
            for (k = 0; k < size; ++k) {
                const int32_t v = float_to_i32(roundf((float)zp[b] + x[k] * inv));
                q[k] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
            }
        }
    }
}

void ember_hybrid_matmul_acc(const int8_t *w, int32_t m_rows, int32_t m_cols, float w_scale,
                             const uint8_t *channel_scales, const int8_t *q, const float *sf,
                             const int32_t *zp, int32_t n, float *rows) {
    int32_t b, r;
    for (b = 0; b < n; ++b) {
        const int8_t *qb = q + (int64_t)b * m_cols;
        const float batch_scale = channel_scales ? sf[b] : sf[b] * w_scale;
        for (r = 0; r < m_rows; ++r) {
            const float scale =
                channel_scales ? fb_f32_at(channel_scales + 4 * (size_t)r) * batch_scale : batch_scale;
            rows[(int64_t)b * m_rows + r] +=
                (float)ember_hybrid_dot(w + (int64_t)r * m_cols, qb, m_cols, zp[b]) * scale;
        }
    }
}

ember_status ember_hybrid_weights_check(ember_interpreter *ctx, const ember_node *node,
                                        const ember_tensor *weights, int32_t axis, int32_t channels,
                                        int *per_channel, float *scale) {
    const char *op = node->kernel->name;
    const long n = (long)node->index;
    int32_t c;
    EMBER_CHECK(ctx, weights->type == EMBER_INT8 && !ember_is_u8(weights) && weights->is_constant,
                EMBER_UNSUPPORTED,
                "%s %ld: float32 input with %s %s weights '%.64s'; dynamic-range ops take constant int8 "
                "weights",
                op, n, weights->is_constant ? "constant" : "non-constant",
                ember_is_u8(weights) ? "uint8" : ember_type_name(weights->type), weights->name);
    EMBER_CHECK(ctx,
                weights->quant_count == 1 ||
                    (weights->quant_count == channels && weights->quantized_dimension == axis),
                EMBER_INVALID_MODEL,
                "%s %ld: int8 weights '%.64s' have %ld scales along axis %ld; a dynamic-range %s needs one, "
                "or one per output channel (%ld) along axis %ld",
                op, n, weights->name, (long)weights->quant_count, (long)weights->quantized_dimension, op,
                (long)channels, (long)axis);
    for (c = 0; c < weights->quant_count; ++c) {
        const float s = fb_f32_at(ctx->model.data + weights->scales_pos + 4 * (size_t)c);
        const int64_t zp = fb_i64_at(ctx->model.data + weights->zero_points_pos + 8 * (size_t)c);
        EMBER_CHECK(ctx, s > 0.0f && s <= 3.4e38f && zp == 0, EMBER_INVALID_MODEL,
                    "%s %ld: int8 weights '%.64s' channel %ld have scale %g and zero point %lld; dynamic "
                    "range needs positive finite scales and zero point 0",
                    op, n, weights->name, (long)c, (double)s, (long long)zp);
    }
    *per_channel = weights->quant_count > 1;
    *scale = fb_f32_at(ctx->model.data + weights->scales_pos);
    return EMBER_OK;
}

void ember_hybrid_activate(float *x, size_t count, int32_t activation) {
    size_t i;
    for (i = 0; i < count; ++i) {
        const float v = x[i];
        switch (activation) {
        case TFL_ACT_RELU: /* std::max(0.0f, v) */
            x[i] = 0.0f < v ? v : 0.0f;
            break;
        case TFL_ACT_RELU_N1_TO_1: { /* std::max(-1.0f, std::min(v, 1.0f)) */
            const float m = 1.0f < v ? 1.0f : v;
            x[i] = -1.0f < m ? m : -1.0f;
            break;
        }
        case TFL_ACT_RELU6: { /* std::max(0.0f, std::min(v, 6.0f)) */
            const float m = 6.0f < v ? 6.0f : v;
            x[i] = 0.0f < m ? m : 0.0f;
            break;
        }
        case TFL_ACT_TANH:
            x[i] = eigen_tanh(v);
            break;
        default:
            break;
        }
    }
}

float ember_cell_activate_f32(float x, int32_t activation) {
    switch (activation) {
    case TFL_ACT_RELU:
        return x > 0.0f ? x : 0.0f;
    case TFL_ACT_RELU_N1_TO_1:
        return x < -1.0f ? -1.0f : x > 1.0f ? 1.0f : x;
    case TFL_ACT_RELU6:
        return x < 0.0f ? 0.0f : x > 6.0f ? 6.0f : x;
    case TFL_ACT_TANH:
        return tanhf(x);
    case TFL_ACT_SIGMOID:
        return 1.0f / (1.0f + expf(-x));
    default:
        return x;
    }
}

ember_status ember_hybrid_activation_check(ember_interpreter *ctx, const ember_node *node,
                                           int8_t activation) {
    EMBER_CHECK(ctx, activation >= TFL_ACT_NONE && activation <= TFL_ACT_TANH, EMBER_UNSUPPORTED,
                "%s %ld: fused activation %d is not supported in dynamic range (NONE, RELU, RELU_N1_TO_1, "
                "RELU6, TANH are)",
                node->kernel->name, (long)node->index, (int)activation);
    return EMBER_OK;
}

ember_status ember_hybrid_conv_prepare(ember_interpreter *ctx, const ember_node *node, int8_t activation,
                                       int32_t filter_axis, int32_t channels, ember_conv_data *d) {
    const ember_tensor *filter = ember_node_input(ctx, node, 1);
    const ember_tensor *bias = ember_node_input(ctx, node, 2);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const char *op = node->kernel->name;
    int per_channel;
    EMBER_CHECK(
        ctx,
        output->type == EMBER_FLOAT32 &&
            (!bias || (bias->type == EMBER_FLOAT32 && ember_element_count(bias) == channels)),
        EMBER_INVALID_MODEL,
        "%s %ld: dynamic range (float32 input, int8 filter) needs a float32 output and a float32 bias "
        "of %ld elements",
        op, (long)node->index, (long)channels);
    EMBER_CHECK(ctx, ember_activation_range_f32(activation, &d->q.act_min_f, &d->q.act_max_f),
                EMBER_UNSUPPORTED,
                "%s %ld: fused activation %d is not supported (NONE, RELU, RELU_N1_TO_1, RELU6 are)", op,
                (long)node->index, (int)activation);
    EMBER_TRY(
        ember_hybrid_weights_check(ctx, node, filter, filter_axis, channels, &per_channel, &d->hybrid_scale));
    d->hybrid = 1;
    d->hybrid_per_channel = per_channel;
    d->packed = NULL;
    d->path = EMBER_CONV_REFERENCE;
    return EMBER_OK;
}

size_t ember_hybrid_conv_scratch_bytes(const ember_interpreter *ctx, const ember_node *node, size_t extra) {
    const ember_tensor *input;
    size_t count, batches;
    if (node->input_count < 2 || node->inputs[0] < 0 || node->inputs[1] < 0 ||
        ctx->tensors[node->inputs[0]].type != EMBER_FLOAT32 ||
        ctx->tensors[node->inputs[1]].type != EMBER_INT8)
        return 0;
    input = &ctx->tensors[node->inputs[0]];
    count = input->bytes / sizeof(float);
    batches = input->rank ? (size_t)input->dims[0] : 1;
    return ember_align_size(count) + ember_align_size(8 * batches) + extra + EMBER_ALIGNMENT;
}
