/* AVERAGE_POOL_2D, float32 and int8: the mean of the window's taps inside the image (padding taps are not
 * counted), then the fused activation. int8 input and output share their quantisation, so the average of the
 * raw values is the answer, rounded half away from zero as TFLite's reference (reference/pooling.h,
 * reference/integer_ops/pooling.h); uint8 rounds half up (reference_ops' uint8 AveragePool). int16 (16x8)
 * is int8's arithmetic, the sum in wrapping int32 as LiteRT 2.x's (newer sources sum in int64). */
#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/pool.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

void ember_average_pool_2d_ref_f32(const ember_pool_params *p, const float *input, float *output) {
    const ember_image_shape *s = &p->s;
    int32_t b, oy, ox, c, y, x, y0, y1, x0, x1;
    for (b = 0; b < s->batches; ++b)
        for (oy = 0; oy < s->out_h; ++oy)
            for (ox = 0; ox < s->out_w; ++ox) {
                ember_window_clip(&p->w, s, oy, ox, &y0, &y1, &x0, &x1);
                for (c = 0; c < s->in_c; ++c) {
                    float total = 0.0f, count = 0.0f;
                    for (y = y0; y < y1; ++y)
                        for (x = x0; x < x1; ++x) {
                            total += input[(((size_t)b * s->in_h + y) * s->in_w + x) * s->in_c + c];
                            count += 1.0f;
                        }
                    /* A window entirely in the padding has no taps; TFLite's kernel fails there, we write 0.
                     */
                    output[(((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + c] =
                        count > 0.0f ? ember_clamp_f32(total / count, p->act_min_f, p->act_max_f) : 0.0f;
                }
            }
}

void ember_average_pool_2d_ref_i8(const ember_pool_params *p, const int8_t *input, int8_t *output) {
    const ember_image_shape *s = &p->s;
    int32_t b, oy, ox, c, y, x, y0, y1, x0, x1;
    for (b = 0; b < s->batches; ++b)
        for (oy = 0; oy < s->out_h; ++oy)
            for (ox = 0; ox < s->out_w; ++ox) {
                ember_window_clip(&p->w, s, oy, ox, &y0, &y1, &x0, &x1);
                for (c = 0; c < s->in_c; ++c) {
                    int32_t acc = 0, n = 0;
                    for (y = y0; y < y1; ++y)
                        for (x = x0; x < x1; ++x) {
                            acc += input[(((size_t)b * s->in_h + y) * s->in_w + x) * s->in_c + c];
                            ++n;
                        }
                    if (n > 0 && p->round_half_up)
                        acc = acc + n / 2 >= 0 ? (acc + n / 2) / n : -((n - 1 - (acc + n / 2)) / n);
                    else if (n > 0)
                        acc = acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
                    output[(((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + c] =
                        ember_clamp_i8(acc, p->act_min, p->act_max);
                }
            }
}

void ember_average_pool_2d_ref_i16(const ember_pool_params *p, const int16_t *input, int16_t *output) {
    const ember_image_shape *s = &p->s;
    int32_t b, oy, ox, c, y, x, y0, y1, x0, x1;
    for (b = 0; b < s->batches; ++b)
        for (oy = 0; oy < s->out_h; ++oy)
            for (ox = 0; ox < s->out_w; ++ox) {
                ember_window_clip(&p->w, s, oy, ox, &y0, &y1, &x0, &x1);
                for (c = 0; c < s->in_c; ++c) {
                    uint32_t sum = 0; /* LiteRT 2.x sums int16 in int32: wrapping past 2^31 (65537 taps) */
                    int32_t n = 0, acc;
                    for (y = y0; y < y1; ++y)
                        for (x = x0; x < x1; ++x) {
                            sum += (uint32_t)(int32_t)
                                input[(((size_t)b * s->in_h + y) * s->in_w + x) * s->in_c + c];
                            ++n;
                        }
                    acc = ember_wrap_i32(sum);
                    if (n > 0)
                        acc = acc > 0 ? ember_wrap_i32((uint32_t)acc + (uint32_t)(n / 2)) / n
                                      : ember_wrap_i32((uint32_t)acc - (uint32_t)(n / 2)) / n;
                    output[(((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + c] =
                        ember_clamp_i16(acc, p->act_min, p->act_max);
                }
            }
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    ember_pool_params *p = (ember_pool_params *)node->op_data;
    EMBER_TRY(ember_pool_prepare(ctx, node, p));
    p->round_half_up = ember_is_u8(ember_node_input(ctx, node, 0));
    /* The int8 sum of a window must fit int32: 127 * taps < 2^31. */
    EMBER_CHECK(ctx, (int64_t)p->w.filter_h * p->w.filter_w <= 16777216, EMBER_UNSUPPORTED,
                "AVERAGE_POOL_2D %ld: a %ldx%ld window is larger than 2^24 taps", (long)node->index,
                (long)p->w.filter_h, (long)p->w.filter_w);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    return ember_pool_eval(ctx, node, ember_average_pool_2d_ref_f32, ember_average_pool_2d_ref_i8,
                           ember_average_pool_2d_ref_i16);
}

/* Versions 1 to 3 as LiteRT registers them (3: int16). */
EMBER_U8_VIA_I8(average_pool_2d, prepare, eval, NULL)

const ember_kernel ember_kernel_average_pool_2d = {
    TFL_OP_AVERAGE_POOL_2D,
    "AVERAGE_POOL_2D",
    3,
    TFL_OPTIONS_POOL_2D,
    sizeof(ember_pool_params),
    average_pool_2d_prepare_u8,
    average_pool_2d_eval_u8,
    NULL,
    average_pool_2d_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
