/* int16 quantisation parameters and the int64 requantisation of LiteRT's 16x8 kernels (see int16_quant.h). */
#include "kernels/int16_quant.h"

#include "flatbuffer.h"

ember_status ember_tensor_quant_i16(ember_interpreter *ctx, const ember_node *node, const ember_tensor *t,
                                    int symmetric, float *scale, int32_t *zero_point) {
    int64_t zp;
    EMBER_CHECK(ctx, t->quant_count == 1, EMBER_INVALID_MODEL,
                "%s %ld: int16 tensor '%.64s' needs one (per-tensor) scale and zero point, has %ld",
                node->kernel->name, (long)node->index, t->name, (long)t->quant_count);
    *scale = fb_f32_at(ctx->model.data + t->scales_pos);
    zp = fb_i64_at(ctx->model.data + t->zero_points_pos);
    EMBER_CHECK(ctx, *scale > 0.0f && *scale <= 3.4e38f, EMBER_INVALID_MODEL,
                "%s %ld: tensor '%.64s' has scale %g; it must be positive and finite", node->kernel->name,
                (long)node->index, t->name, (double)*scale);
    EMBER_CHECK(
        ctx, !symmetric || zp == 0, EMBER_INVALID_MODEL,
        "%s %ld: int16 tensor '%.64s' has zero point %lld; 16x8 quantisation is symmetric (zero point "
        "0), as LiteRT's int16 kernels require",
        node->kernel->name, (long)node->index, t->name, (long long)zp);
    EMBER_CHECK(ctx, zp >= -32768 && zp <= 32767, EMBER_INVALID_MODEL,
                "%s %ld: tensor '%.64s' has zero point %lld, outside int16's [-32768, 32767]",
                node->kernel->name, (long)node->index, t->name, (long long)zp);
    *zero_point = (int32_t)zp;
    return EMBER_OK;
}

int32_t ember_multiply_by_quantized_multiplier_i64(int64_t x, int32_t multiplier, int shift) {
    const int64_t reduced = multiplier < 0x7fff0000 ? ((int64_t)multiplier + (1 << 15)) >> 16 : 0x7fff;
    const int total = 15 - shift;
    /* x * reduced + 2^(total - 1) in wrapping 64-bit arithmetic, then an arithmetic (floor) shift. */
    const uint64_t u = (uint64_t)x * (uint64_t)reduced + ((uint64_t)1 << (total - 1));
    const int64_t v =
        u <= (uint64_t)INT64_MAX ? (int64_t)u : (int64_t)(u - (uint64_t)INT64_MAX - 1u) + INT64_MIN;
    const int64_t q = v >= 0 ? v >> total : -1 - ((-1 - v) >> total);
    /* The low 32 bits, as two's complement: what LiteRT's static_cast<int32_t> keeps. */
    const uint32_t low = (uint32_t)((uint64_t)q & 0xffffffffu);
    return low <= 0x7fffffffu ? (int32_t)low : (int32_t)(low - 0x80000000u) - 0x7fffffff - 1;
}

ember_status ember_check_same_quant_i16(ember_interpreter *ctx, const ember_node *node, const ember_tensor *input,
                                        const ember_tensor *output) {
    float s_in, s_out;
    int32_t zp;
    EMBER_TRY(ember_tensor_quant_i16(ctx, node, input, 1, &s_in, &zp));
    EMBER_TRY(ember_tensor_quant_i16(ctx, node, output, 1, &s_out, &zp));
    EMBER_CHECK(ctx, s_in == s_out, EMBER_INVALID_MODEL,
                "%s %ld: int16 input '%.64s' has scale %g, output '%.64s' %g; the op moves values and needs one "
                "scale",
                node->kernel->name, (long)node->index, input->name, (double)s_in, output->name, (double)s_out);
    return EMBER_OK;
}
