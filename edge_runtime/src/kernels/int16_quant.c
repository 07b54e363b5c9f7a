/* int16 quantisation parameters and the int64 requantisation of LiteRT's 16x8 kernels (see int16_quant.h). */
#include "kernels/int16_quant.h"

#include <math.h>

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

int ember_checked_log2(float x, int *log2_rounded) {
    const float l = logf(x) * (1.0f / logf(2.0f));
    const float r = roundf(l);
    *log2_rounded = (int)r;
    return fabsf(l - r) < 1e-3f;
}

/* LiteRT's int16 LOGISTIC/TANH interpolation table (sigmoid_table_uint16 in its reference integer kernels,
 * Apache License 2.0): interoperability data, not derivable here. Its entries are within one of
 * round(65536 sigmoid(i / 24)) but 44 of 256 differ from that rounding (tested: no plain formula reproduces
 * them), and bit-exact results need LiteRT's own values. */
const uint16_t ember_sigmoid_table_u16[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064,
    42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464,
    50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503,
    56823, 57133, 57433, 57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666,
    62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968,
    64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687,
    64721, 64754, 64786, 64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258, 65269, 65280, 65291,
    65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367, 65374, 65381, 65387, 65393, 65399, 65404,
    65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465,
    65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513, 65514, 65515, 65516,
    65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525, 65525,
    65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530,
    65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
    65535};

ember_status ember_sigmoid_i16_prepare(ember_interpreter *ctx, const ember_node *node, int max_pot_shift,
                                       int32_t *multiplier, int *shift) {
    const ember_tensor *input = ember_node_input(ctx, node, 0), *output = ember_node_output(ctx, node, 0);
    float s_in = 0.0f, s_out = 0.0f; /* set on success; initialised as GCC cannot tell */
    int32_t zp = 0;
    int l = 0;
    EMBER_TRY(ember_tensor_quant_i16(ctx, node, input, 1, &s_in, &zp));
    EMBER_TRY(ember_tensor_quant_i16(ctx, node, output, 1, &s_out, &zp));
    EMBER_CHECK(ctx, ember_checked_log2(s_out, &l) && l == -15, EMBER_INVALID_MODEL,
                "%s %ld: int16 output '%.64s' has scale %g; it must be 1/32768 (zero point 0)",
                node->kernel->name, (long)node->index, output->name, (double)s_out);
    if (ember_checked_log2(s_in, &l) && l + 12 >= 0 && l + 12 <= max_pot_shift) {
        *multiplier = 0;
        *shift = l + 12;
    } else {
        double m = (double)s_in * 4096.0 * 3.0;
        int k = 0;
        while (m <= 32767.0 / 2.0 && k <= 30) {
            ++k;
            m *= 2.0;
        }
        EMBER_CHECK(
            ctx, m < 2147483648.0, EMBER_UNSUPPORTED,
            "%s %ld: int16 input '%.64s' has scale %g, too large for LiteRT's int16 kernel (its input "
            "multiplier passes int32)",
            node->kernel->name, (long)node->index, input->name, (double)s_in);
        *multiplier = (int32_t)m;
        *shift = k;
    }
    return EMBER_OK;
}

ember_status ember_check_same_quant_i16(ember_interpreter *ctx, const ember_node *node,
                                        const ember_tensor *input, const ember_tensor *output) {
    float s_in = 0.0f, s_out = 0.0f;
    int32_t zp = 0;
    EMBER_TRY(ember_tensor_quant_i16(ctx, node, input, 1, &s_in, &zp));
    EMBER_TRY(ember_tensor_quant_i16(ctx, node, output, 1, &s_out, &zp));
    EMBER_CHECK(
        ctx, s_in == s_out, EMBER_INVALID_MODEL,
        "%s %ld: int16 input '%.64s' has scale %g, output '%.64s' %g; the op moves values and needs one "
        "scale",
        node->kernel->name, (long)node->index, input->name, (double)s_in, output->name, (double)s_out);
    return EMBER_OK;
}

/* The one body of both ember_lut_i16_populate forms, in the arithmetic type T with its rounding function. */
#define EMBER_LUT_I16_POPULATE(name, T, round_t)                                                             \
    void name(T input_scale, int32_t input_zero_point, T output_scale, T (*f)(T), int16_t *lut) {            \
        const T input_min = input_scale * (T)(-32768 - input_zero_point);                                    \
        const T input_max = input_scale * (T)(32767 - input_zero_point);                                     \
        const T output_min = output_scale * (T)-32768, output_max = output_scale * (T)32767;                 \
        const T step = (input_max - input_min) / (T)512, half_step = step / (T)2;                            \
        const T inv = (T)65536 / (output_max - output_min);                                                  \
        T v;                                                                                                 \
        int i;                                                                                               \
        for (i = 0; i < 512; ++i) {                                                                          \
            const T val = f(input_min + (T)i * step);                                                        \
            const T val_mid = f(input_min + (T)i * step + half_step);                                        \
            const T val_next = f(input_min + (T)(i + 1) * step);                                             \
            const T sample = round_t(val * inv);                                                             \
            const T interp_mid = round_t((val_next * inv + round_t(val * inv)) / (T)2);                      \
            const T bias = round_t((interp_mid - round_t(val_mid * inv)) / (T)2);                            \
            v = sample - bias;                                                                               \
            lut[i] = (int16_t)(v < (T)-32768 ? (T)-32768 : (v > (T)32767 ? (T)32767 : v));                   \
        }                                                                                                    \
        v = round_t(f(input_max) * inv);                                                                     \
        lut[512] = (int16_t)(v < (T)-32768 ? (T)-32768 : (v > (T)32767 ? (T)32767 : v));                     \
    }

EMBER_LUT_I16_POPULATE(ember_lut_i16_populate_f64, double, round)
EMBER_LUT_I16_POPULATE(ember_lut_i16_populate_f32, float, roundf)
