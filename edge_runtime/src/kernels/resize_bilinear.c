/* RESIZE_BILINEAR on NHWC with a constant size (LiteRT's reference kernels). Source coordinates: i * scale,
 * or (i + 0.5) * scale - 0.5 with half_pixel_centers; scale in / out, or (in - 1) / (out - 1) with
 * align_corners (the two flags exclude each other). float32 and uint8 interpolate in float
 * (ResizeBilinear<T>; uint8 adds 0.5 and truncates); int8 in integers with 10 fractional bits
 * (ResizeBilinearInteger), the sum of the four weighted taps rounded half away from zero by 2^20. Quantised
 * outputs keep their input's parameters. */
#include <math.h>
#include <string.h>

#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "quantization.h"
#include "tflite_schema.h"

typedef struct resize_bilinear_data {
    int32_t batches, in_h, in_w, depth, out_h, out_w;
    float scale_h, scale_w;         /* float32, uint8 */
    int32_t scale_h_10, scale_w_10; /* int8: scales with 10 fractional bits */
    int8_t align_corners, half_pixel_centers;
} resize_bilinear_data;

/* TFLite's ComputeInterpolationValues: the source coordinate and the two taps around it. */
static void taps_f32(int32_t i, float scale, int half_pixel_centers, int32_t in_size, float *pos, int32_t *lo,
                     int32_t *hi) {
    const float v = half_pixel_centers ? ((float)i + 0.5f) * scale - 0.5f : (float)i * scale;
    const int32_t f = (int32_t)floorf(v), c = (int32_t)ceilf(v);
    *pos = v;
    *lo = f > 0 ? (f < in_size - 1 ? f : in_size - 1) : 0;
    *hi = c < in_size - 1 ? c : in_size - 1;
}

/* TFLite's ComputeInterpolationValuesInteger (C's truncating division, as C++'s). Its rounded 10-bit scale
 * can put the last rows' lower tap one past the image (3 rows resized to 2000: scale 2/1024); LiteRT reads
 * beyond the input there, we clamp the tap to the last row, as in the float version where that never happens.
 */
static void taps_i32(int32_t i, int32_t scale_10, int half_pixel_centers, int32_t in_size, int32_t *pos,
                     int32_t *lo, int32_t *hi) {
    const int32_t v = half_pixel_centers ? i * scale_10 + scale_10 / 2 - (1 << 9) : i * scale_10;
    const int32_t f = v / (1 << 10), c = (v + (1 << 10) - 1) / (1 << 10);
    *pos = v;
    *lo = f > 0 ? (f < in_size - 1 ? f : in_size - 1) : 0;
    *hi = c < in_size - 1 ? c : in_size - 1;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    resize_bilinear_data *data = (resize_bilinear_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *size = ember_node_input(ctx, node, 1);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    long n = (long)node->index;
    char a[96], b[96];

    EMBER_CHECK(ctx, node->input_count == 2 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "RESIZE_BILINEAR %ld: needs 2 inputs and 1 output, has %ld and %ld", n,
                (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx,
                input->type == output->type && (input->type == EMBER_FLOAT32 || input->type == EMBER_INT8 ||
                                                input->type == EMBER_UINT8 || input->type == EMBER_INT16),
                EMBER_UNSUPPORTED,
                "RESIZE_BILINEAR %ld: types input %s, output %s (float32, int8, uint8, int16 are supported)",
                n, ember_type_name(input->type), ember_type_name(output->type));
    EMBER_TRY(ember_check_const_int(ctx, node, size, "size", 2, 0));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_RESIZE_BILINEAR_ALIGN_CORNERS, 0, &data->align_corners));
    EMBER_TRY(
        ember_option_i8(ctx, node, TFL_RESIZE_BILINEAR_HALF_PIXEL_CENTERS, 0, &data->half_pixel_centers));
    EMBER_CHECK(ctx, !(data->align_corners && data->half_pixel_centers), EMBER_INVALID_MODEL,
                "RESIZE_BILINEAR %ld: align_corners and half_pixel_centers cannot both be set", n);
    EMBER_CHECK(ctx,
                input->rank == 4 && output->rank == 4 && output->dims[0] == input->dims[0] &&
                    output->dims[3] == input->dims[3] && output->dims[1] == ember_const_int(size, 0) &&
                    output->dims[2] == ember_const_int(size, 1) && input->dims[1] > 0 && input->dims[2] > 0 &&
                    output->dims[1] > 0 && output->dims[2] > 0,
                EMBER_INVALID_MODEL,
                "RESIZE_BILINEAR %ld: input '%.64s' %s resized to size (%ld, %ld) does not give output "
                "'%.64s' %s (NHWC, non-empty images)",
                n, input->name, ember_shape_string(input, a, sizeof a), (long)ember_const_int(size, 0),
                (long)ember_const_int(size, 1), output->name, ember_shape_string(output, b, sizeof b));
    /* Keeps i * scale_10 and the 10-bit scales inside int32. */
    EMBER_CHECK(ctx,
                input->dims[1] < (1 << 16) && input->dims[2] < (1 << 16) && output->dims[1] < (1 << 16) &&
                    output->dims[2] < (1 << 16),
                EMBER_UNSUPPORTED,
                "RESIZE_BILINEAR %ld: images above 65535 rows or columns are not supported", n);
    if (input->type == EMBER_INT16)
        EMBER_TRY(ember_check_same_quant_i16(ctx, node, input, output));
    else if (input->type != EMBER_FLOAT32)
        EMBER_TRY(ember_check_same_quant_i8(ctx, node, input, output, NULL, NULL));
    data->batches = input->dims[0];
    data->in_h = input->dims[1];
    data->in_w = input->dims[2];
    data->depth = input->dims[3];
    data->out_h = output->dims[1];
    data->out_w = output->dims[2];
    data->scale_h = (float)data->in_h / (float)data->out_h;
    data->scale_w = (float)data->in_w / (float)data->out_w;
    data->scale_h_10 = ((1 << 10) * data->in_h + data->out_h / 2) / data->out_h;
    data->scale_w_10 = ((1 << 10) * data->in_w + data->out_w / 2) / data->out_w;
    if (data->align_corners && data->out_h > 1) {
        data->scale_h = (float)(data->in_h - 1) / (float)(data->out_h - 1);
        data->scale_h_10 = ((1 << 10) * (data->in_h - 1) + (data->out_h - 1) / 2) / (data->out_h - 1);
    }
    if (data->align_corners && data->out_w > 1) {
        data->scale_w = (float)(data->in_w - 1) / (float)(data->out_w - 1);
        data->scale_w_10 = ((1 << 10) * (data->in_w - 1) + (data->out_w - 1) / 2) / (data->out_w - 1);
    }
    return EMBER_OK;
}

/* The four taps of output pixel (y, x) as element offsets into the batch's image. */
typedef struct taps {
    size_t ll, lu, rl, ru; /* (y0, x0), (y1, x0), (y0, x1), (y1, x1) */
} taps;

static taps tap_offsets(const resize_bilinear_data *p, int32_t y0, int32_t y1, int32_t x0, int32_t x1) {
    const size_t w = (size_t)p->in_w, d = (size_t)p->depth;
    taps t;
    t.ll = ((size_t)y0 * w + (size_t)x0) * d;
    t.lu = ((size_t)y1 * w + (size_t)x0) * d;
    t.rl = ((size_t)y0 * w + (size_t)x1) * d;
    t.ru = ((size_t)y1 * w + (size_t)x1) * d;
    return t;
}

/* float32 and uint8: LiteRT's expression order, rounding_offset 0.5 for uint8 then truncation. */
static void eval_float(const resize_bilinear_data *p, const void *input, void *output, int is_u8) {
    const size_t image = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->depth;
    int32_t b, y, x, c;
    size_t o = 0;
    for (b = 0; b < p->batches; ++b) {
        for (y = 0; y < p->out_h; ++y) {
            float iy;
            int32_t y0, y1;
            taps_f32(y, p->scale_h, p->half_pixel_centers, p->in_h, &iy, &y0, &y1);
            for (x = 0; x < p->out_w; ++x) {
                float ix;
                int32_t x0, x1;
                taps t;
                taps_f32(x, p->scale_w, p->half_pixel_centers, p->in_w, &ix, &x0, &x1);
                t = tap_offsets(p, y0, y1, x0, x1);
                {
                    const float dy = iy - (float)y0, dx = ix - (float)x0;
                    for (c = 0; c < p->depth; ++c, ++o) {
                        const size_t base = (size_t)b * image + (size_t)c;
                        if (is_u8) {
                            const uint8_t *in = (const uint8_t *)input + base;
                            const float v =
                                (float)in[t.ll] * (1 - dy) * (1 - dx) + (float)in[t.lu] * dy * (1 - dx) +
                                (float)in[t.rl] * (1 - dy) * dx + (float)in[t.ru] * dy * dx + 0.5f;
                            ((uint8_t *)output)[o] = (uint8_t)v;
                        } else {
                            const float *in = (const float *)input + base;
                            ((float *)output)[o] = in[t.ll] * (1 - dy) * (1 - dx) + in[t.lu] * dy * (1 - dx) +
                                                   in[t.rl] * (1 - dy) * dx + in[t.ru] * dy * dx;
                        }
                    }
                }
            }
        }
    }
}

/* LiteRT's ResizeBilinearInteger, one template for int8 and int16: weights in 1/1024ths, the sum rounded half
 * away from zero in 2^20ths. */
#define EMBER_RESIZE_BILINEAR_INTEGER(name, T)                                                               \
    static void name(const resize_bilinear_data *p, const T *input, T *output) {                             \
        const size_t image = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->depth;                           \
        const int64_t one = 1 << 10;                                                                         \
        int32_t b, y, x, c;                                                                                  \
        for (b = 0; b < p->batches; ++b) {                                                                   \
            for (y = 0; y < p->out_h; ++y) {                                                                 \
                int32_t iy, y0, y1;                                                                          \
                taps_i32(y, p->scale_h_10, p->half_pixel_centers, p->in_h, &iy, &y0, &y1);                   \
                for (x = 0; x < p->out_w; ++x) {                                                             \
                    int32_t ix, x0, x1;                                                                      \
                    int64_t dy, dx;                                                                          \
                    taps t;                                                                                  \
                    taps_i32(x, p->scale_w_10, p->half_pixel_centers, p->in_w, &ix, &x0, &x1);               \
                    t = tap_offsets(p, y0, y1, x0, x1);                                                      \
                    dy = iy - one * y0;                                                                      \
                    dx = ix - one * x0;                                                                      \
                    for (c = 0; c < p->depth; ++c) {                                                         \
                        const T *in = input + (size_t)b * image + (size_t)c;                                 \
                        const int64_t sum = in[t.ll] * (one - dy) * (one - dx) +                             \
                                            in[t.lu] * dy * (one - dx) + in[t.rl] * (one - dy) * dx +        \
                                            in[t.ru] * dy * dx;                                              \
                        const int64_t round = sum > 0 ? (1 << 19) : -(1 << 19);                              \
                        *output++ = (T)((sum + round) / (1 << 20));                                          \
                    }                                                                                        \
                }                                                                                            \
            }                                                                                                \
        }                                                                                                    \
    }

EMBER_RESIZE_BILINEAR_INTEGER(eval_i8, int8_t)
EMBER_RESIZE_BILINEAR_INTEGER(eval_i16, int16_t)

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const resize_bilinear_data *p = (const resize_bilinear_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    if (output->bytes == 0)
        return EMBER_OK;
    if (input->type == EMBER_INT8)
        eval_i8(p, (const int8_t *)input->data, (int8_t *)output->data);
    else if (input->type == EMBER_INT16)
        eval_i16(p, (const int16_t *)input->data, (int16_t *)output->data);
    else
        eval_float(p, input->data, output->data, input->type == EMBER_UINT8);
    return EMBER_OK;
}

const ember_kernel ember_kernel_resize_bilinear = {
    TFL_OP_RESIZE_BILINEAR,
    "RESIZE_BILINEAR",
    4,
    TFL_OPTIONS_RESIZE_BILINEAR,
    sizeof(resize_bilinear_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16,
};
