/* MAX_POOL_2D, float32 and int8: the largest tap of the window inside the image, then the fused activation
 * (TFLite's reference/pooling.h and reference/integer_ops/pooling.h). int8 input and output share their
 * quantisation, so the raw maximum is the answer; int16 (16x8) the same. */
#include <float.h>

#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/pool.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

void ember_max_pool_2d_ref_f32(const ember_pool_params *p, const float *input, float *output) {
    const ember_image_shape *s = &p->s;
    int32_t b, oy, ox, c, y, x, y0, y1, x0, x1;
    for (b = 0; b < s->batches; ++b)
        for (oy = 0; oy < s->out_h; ++oy)
            for (ox = 0; ox < s->out_w; ++ox) {
                ember_window_clip(&p->w, s, oy, ox, &y0, &y1, &x0, &x1);
                for (c = 0; c < s->in_c; ++c) {
                    float max = -FLT_MAX; /* std::numeric_limits<float>::lowest() */
                    for (y = y0; y < y1; ++y)
                        for (x = x0; x < x1; ++x) {
                            const float v = input[(((size_t)b * s->in_h + y) * s->in_w + x) * s->in_c + c];
                            max = v > max ? v : max;
                        }
                    output[(((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + c] =
                        ember_clamp_f32(max, p->act_min_f, p->act_max_f);
                }
            }
}

/* int8 and int16: the raw maximum, clamped to the activation's range. */
#define EMBER_MAX_POOL_INTEGER(name, T, lowest, clamp)                                                       \
    void name(const ember_pool_params *p, const T *input, T *output) {                                       \
        const ember_image_shape *s = &p->s;                                                                  \
        int32_t b, oy, ox, c, y, x, y0, y1, x0, x1;                                                          \
        for (b = 0; b < s->batches; ++b)                                                                     \
            for (oy = 0; oy < s->out_h; ++oy)                                                                \
                for (ox = 0; ox < s->out_w; ++ox) {                                                          \
                    ember_window_clip(&p->w, s, oy, ox, &y0, &y1, &x0, &x1);                                 \
                    for (c = 0; c < s->in_c; ++c) {                                                          \
                        int32_t max = lowest;                                                                \
                        for (y = y0; y < y1; ++y)                                                            \
                            for (x = x0; x < x1; ++x) {                                                      \
                                const int32_t v =                                                            \
                                    input[(((size_t)b * s->in_h + y) * s->in_w + x) * s->in_c + c];          \
                                max = v > max ? v : max;                                                     \
                            }                                                                                \
                        output[(((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + c] =               \
                            clamp(max, p->act_min, p->act_max);                                              \
                    }                                                                                        \
                }                                                                                            \
    }

EMBER_MAX_POOL_INTEGER(ember_max_pool_2d_ref_i8, int8_t, -128, ember_clamp_i8)
EMBER_MAX_POOL_INTEGER(ember_max_pool_2d_ref_i16, int16_t, -32768, ember_clamp_i16)

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    return ember_pool_prepare(ctx, node, (ember_pool_params *)node->op_data);
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    return ember_pool_eval(ctx, node, ember_max_pool_2d_ref_f32, ember_max_pool_2d_ref_i8,
                           ember_max_pool_2d_ref_i16);
}

/* Versions 1 to 3 as LiteRT registers them (3: int16). */
EMBER_U8_VIA_I8(max_pool_2d, prepare, eval, NULL)

const ember_kernel ember_kernel_max_pool_2d = {
    TFL_OP_MAX_POOL_2D,
    "MAX_POOL_2D",
    3,
    TFL_OPTIONS_POOL_2D,
    sizeof(ember_pool_params),
    max_pool_2d_prepare_u8,
    max_pool_2d_eval_u8,
    NULL,
    max_pool_2d_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
