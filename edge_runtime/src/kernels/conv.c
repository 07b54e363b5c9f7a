/* The convolution family's shared prepare (types, fused activation, per-channel requantisation) and eval (see
 * conv.h). */
#include "kernels/conv.h"

#include "flatbuffer.h"
#include "kernels/conv_i16.h"
#include "kernels/kernels.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

ember_status ember_conv_multipliers(ember_interpreter *ctx, const ember_node *node,
                                    const ember_tensor *filter, float s_in, float s_out, int32_t filter_axis,
                                    int32_t channels, int float_product, int32_t *multiplier,
                                    int32_t *shift) {
    const char *op = node->kernel->name;
    long n = (long)node->index;
    int32_t c;

    EMBER_CHECK(ctx, filter->quant_count == 1 || filter->quant_count == channels, EMBER_INVALID_MODEL,
                "%s %ld: filter '%.64s' has %ld scales; expected 1 or one per output channel (%ld)", op, n,
                filter->name, (long)filter->quant_count, (long)channels);
    EMBER_CHECK(ctx, filter->quant_count == 1 || filter->quantized_dimension == filter_axis,
                EMBER_INVALID_MODEL,
                "%s %ld: filter '%.64s' is quantised per channel along axis %ld; %s expects axis %ld", op, n,
                filter->name, (long)filter->quantized_dimension, op, (long)filter_axis);
    for (c = 0; c < channels; ++c) {
        const size_t at = filter->quant_count == 1 ? 0 : (size_t)c;
        const float s_w = fb_f32_at(ctx->model.data + filter->scales_pos + 4 * at);
        const int64_t w_zp = fb_i64_at(ctx->model.data + filter->zero_points_pos + 8 * at);
        /* uint8 weights (per tensor) carry their own zero point; int8 ones are symmetric. */
        const int zp_ok =
            ember_is_u8(filter) ? filter->quant_count == 1 && w_zp >= 0 && w_zp <= 255 : w_zp == 0;
        double real;
        int e;
        EMBER_CHECK(
            ctx, s_w > 0.0f && s_w <= 3.4e38f && zp_ok, EMBER_INVALID_MODEL,
            "%s %ld: filter '%.64s' channel %ld has scale %g and zero point %lld; int8 weights need a "
            "positive finite scale and zero point 0, uint8 ones one scale and a zero point in [0, 255]",
            op, n, filter->name, (long)c, (double)s_w, (long long)w_zp);
        real =
            float_product ? (double)(s_in * s_w) / (double)s_out : (double)s_in * (double)s_w / (double)s_out;
        /* The left shift happens in 32 bits: from 2^30 on every non-zero accumulator would overflow (and a
         * float product may have overflowed to infinity). */
        EMBER_CHECK(ctx, real < 1073741824.0, EMBER_UNSUPPORTED,
                    "%s %ld: channel %ld rescales by %g (input %g * filter %g / output %g), beyond 2^30", op,
                    n, (long)c, real, (double)s_in, (double)s_w, (double)s_out);
        ember_quantize_multiplier(real, &multiplier[c], &e);
        shift[c] = e;
    }
    return EMBER_OK;
}

ember_status ember_conv_quant_prepare(ember_interpreter *ctx, const ember_node *node, int8_t activation,
                                      int32_t filter_axis, int float_product, int32_t channels,
                                      ember_conv_quant *q) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *filter = ember_node_input(ctx, node, 1);
    const ember_tensor *bias = ember_node_input(ctx, node, 2);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const char *op = node->kernel->name;
    long n = (long)node->index;
    int32_t *params = ember_channel_params(node);
    float s_in, s_out;
    int32_t zp_in, zp_out;

    if (input->type == EMBER_FLOAT32) {
        EMBER_CHECK(ctx,
                    filter->type == EMBER_FLOAT32 && output->type == EMBER_FLOAT32 &&
                        (!bias || (bias->type == EMBER_FLOAT32 && ember_element_count(bias) == channels)),
                    EMBER_UNSUPPORTED,
                    "%s %ld: float32 input needs float32 filter, output and bias of %ld elements", op, n,
                    (long)channels);
        EMBER_CHECK(ctx, ember_activation_range_f32(activation, &q->act_min_f, &q->act_max_f),
                    EMBER_UNSUPPORTED,
                    "%s %ld: fused activation %d is not supported (NONE, RELU, RELU_N1_TO_1, RELU6 are)", op,
                    n, (int)activation);
        return EMBER_OK;
    }
    if (input->type == EMBER_INT16)
        return ember_conv_i16_prepare(ctx, node, activation, filter_axis, channels, q);
    EMBER_CHECK(ctx, input->type == EMBER_INT8 && filter->type == EMBER_INT8 && output->type == EMBER_INT8,
                EMBER_UNSUPPORTED,
                "%s %ld: types input %s, filter %s, output %s; float32, int8 (all three) or int16 with int8 "
                "weights are supported",
                op, n, ember_type_name(input->type), ember_type_name(filter->type),
                ember_type_name(output->type));
    EMBER_CHECK(ctx, ember_is_u8(input) == ember_is_u8(filter) && ember_is_u8(input) == ember_is_u8(output),
                EMBER_UNSUPPORTED, "%s %ld: input, filter and output must all be int8 or all uint8", op, n);
    /* The bias scale is s_in * s_w by construction, so its own quantisation parameters are not read. */
    EMBER_CHECK(ctx, !bias || (bias->type == EMBER_INT32 && ember_element_count(bias) == channels),
                EMBER_INVALID_MODEL,
                "%s %ld: bias '%.64s' is %s with %ld elements; int8 %s needs int32 with %ld (one per output "
                "channel)",
                op, n, bias->name, ember_type_name(bias->type), (long)ember_element_count(bias), op,
                (long)channels);
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, input, &s_in, &zp_in));
    EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &zp_out));
    q->input_offset = -zp_in;
    /* The weights' int8 image: zero point w_zp - 128 (kernels/uint8.h). */
    q->filter_offset = 0;
    if (ember_is_u8(filter)) {
        const int64_t wzp = filter->quant_count ? fb_i64_at(ctx->model.data + filter->zero_points_pos) : -1;
        EMBER_CHECK(ctx, wzp >= 0 && wzp <= 255, EMBER_INVALID_MODEL,
                    "%s %ld: uint8 filter '%.64s' needs a zero point in [0, 255]", op, n, filter->name);
        q->filter_offset = 128 - (int32_t)wzp;
    }
    q->output_offset = zp_out;
    EMBER_CHECK(ctx, ember_activation_range_i8(activation, s_out, zp_out, &q->act_min, &q->act_max),
                EMBER_UNSUPPORTED, "%s %ld: fused activation %d is not supported", op, n, (int)activation);
    return ember_conv_multipliers(ctx, node, filter, s_in, s_out, filter_axis, channels, float_product,
                                  params, params + channels);
}

size_t ember_conv_op_data_bytes(const ember_interpreter *ctx, const ember_node *node, size_t packed) {
    size_t total = ember_align_size(node->kernel->op_data_size), channels;
    const ember_tensor *output;
    if (node->output_count < 1)
        return total;
    output = &ctx->tensors[node->outputs[0]];
    if (output->type == EMBER_INT8 || output->type == EMBER_UINT8 || output->type == EMBER_INT16) {
        /* The output's byte size is at most 2^31, so this cannot overflow a 64-bit size_t. */
        channels = output->rank ? (size_t)output->dims[output->rank - 1] : 1;
        if (channels > EMBER_MAX_TENSOR_BYTES / 8)
            return (size_t)-1;
        total += ember_align_size(8 * channels);
    }
    if (packed)
        total += 64 + packed; /* both bounded by EMBER_MAX_TENSOR_BYTES: no overflow below 2^32 + 64 */
    return total;
}

void *ember_conv_packed(const ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *output = &ctx->tensors[node->outputs[0]];
    uint8_t *at = (uint8_t *)ember_channel_params(node);
    if (output->type == EMBER_INT8 || output->type == EMBER_UINT8 || output->type == EMBER_INT16)
        at += ember_align_size(8 * (size_t)(output->rank ? output->dims[output->rank - 1] : 1));
    return at + (64 - (uintptr_t)at % 64) % 64;
}

static const ember_tensor *optional_input(const ember_interpreter *ctx, const ember_node *node, int32_t i) {
    return i < node->input_count && node->inputs[i] >= 0 ? &ctx->tensors[node->inputs[i]] : NULL;
}

int ember_conv_u8_offset_free(const ember_interpreter *ctx, const ember_tensor *weights) {
    return weights->quant_count == 1 && fb_i64_at(ctx->model.data + weights->zero_points_pos) == 128;
}

/* int8 for int8 and uint8 tensors (real or presented as int8), else the type. */
static int32_t q8_type(const ember_tensor *t) {
    return t->type == EMBER_UINT8 ? EMBER_INT8 : (int32_t)t->type;
}

size_t ember_conv_gemm_bytes(const ember_interpreter *ctx, const ember_node *node, int32_t n, int32_t k) {
    const ember_tensor *input = optional_input(ctx, node, 0), *weights = optional_input(ctx, node, 1);
    const ember_tensor *bias = optional_input(ctx, node, 2);
    const ember_tensor *output = node->output_count >= 1 ? &ctx->tensors[node->outputs[0]] : NULL;
    int same_type;
    size_t bytes;
    if (ctx->reference_kernels || !input || !weights || !output || n < 1 || k < 1)
        return 0;
    /* uint8 weights take the GEMM only with zero point 128: then their int8 image needs no weight offset. */
    if ((weights->type == EMBER_UINT8 || ember_is_u8(weights)) && !ember_conv_u8_offset_free(ctx, weights))
        return 0;
    same_type = input->type == weights->type && input->type == output->type;
    if (!same_type || (q8_type(input) != EMBER_FLOAT32 && q8_type(input) != EMBER_INT8) ||
        !weights->is_constant || (bias && !bias->is_constant))
        return 0;
    /* n * k is at most the weights' element count (callers derive both from its dims), so these sizes are
     * far from overflowing 64 bits; on 32-bit hosts the bound below keeps them meaningful. */
    if ((uint64_t)n * (uint64_t)k > EMBER_MAX_TENSOR_BYTES / 8)
        return 0;
    bytes = q8_type(input) == EMBER_INT8 ? ember_gemm_i8_packed_bytes(n, k, ctx->isa)
                                         : ember_gemm_f32_packed_bytes(n, k, ctx->isa);
    return bytes > EMBER_MAX_TENSOR_BYTES ? 0 : bytes;
}

const void *ember_conv_gemm_pack(ember_interpreter *ctx, const ember_node *node, int32_t n, int32_t k,
                                 const ember_conv_quant *q, ember_requant_rounding rounding) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *weights = ember_node_input(ctx, node, 1);
    const ember_tensor *bias = ember_node_input(ctx, node, 2);
    void *packed = ember_conv_packed(ctx, node);
    if (input->type == EMBER_INT8) {
        ember_gemm_i8_params p;
        const int32_t *params = ember_channel_params(node);
        p.n = n, p.k = k;
        p.weights = (const int8_t *)weights->data;
        p.bias = bias ? (const int32_t *)bias->data : NULL;
        p.multiplier = params, p.shift = params + n;
        p.input_offset = q->input_offset, p.output_offset = q->output_offset;
        p.act_min = q->act_min, p.act_max = q->act_max;
        p.rounding = rounding;
        ember_gemm_i8_pack(&p, ctx->isa, packed);
    } else {
        ember_gemm_f32_params p;
        p.n = n, p.k = k;
        p.weights = (const float *)weights->data;
        p.bias = bias ? (const float *)bias->data : NULL;
        p.act_min = q->act_min_f, p.act_max = q->act_max_f;
        ember_gemm_f32_pack(&p, ctx->isa, packed);
    }
    return packed;
}

ember_status ember_conv_eval(ember_interpreter *ctx, const ember_node *node, ember_conv_f32_fn *f32,
                             ember_conv_i8_fn *i8) {
    const ember_conv_data *d = (const ember_conv_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *filter = ember_node_input(ctx, node, 1);
    const ember_tensor *bias = ember_node_input(ctx, node, 2);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    if (input->type == EMBER_FLOAT32) {
        f32(&d->w, &d->s, d->depth, (const float *)input->data, (const float *)filter->data,
            bias ? (const float *)bias->data : NULL, (float *)output->data, d->q.act_min_f, d->q.act_max_f);
    } else {
        const int32_t *params = ember_channel_params(node);
        i8(&d->w, &d->s, d->depth, (const int8_t *)input->data, (const int8_t *)filter->data,
           bias ? (const int32_t *)bias->data : NULL, (int8_t *)output->data, d->q.input_offset,
           d->q.filter_offset, d->q.output_offset, params, params + d->s.out_c, d->q.act_min, d->q.act_max);
    }
    return EMBER_OK;
}
