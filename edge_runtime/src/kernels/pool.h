/* What AVERAGE_POOL_2D and MAX_POOL_2D share: their op data, prepare (Pool2DOptions, the window, types and
 * quantisation) and eval (the reference function by type). */
#ifndef EMBER_KERNELS_POOL_H
#define EMBER_KERNELS_POOL_H

#include "ember_internal.h"
#include "kernels/window.h"

/* Pooling ops' shared state: window, shapes, and the fused activation clamp in float and in int8. */
typedef struct ember_pool_params {
    ember_window w;
    ember_image_shape s;
    float act_min_f, act_max_f;
    int32_t act_min, act_max;
    /* AVERAGE_POOL_2D on uint8 (kernels/uint8.h): LiteRT rounds the non-negative uint8 sum half up, which on
     * the int8 image is floor((acc + n / 2) / n), not int8's half away from zero. */
    int32_t round_half_up;
} ember_pool_params;

/* Reads Pool2DOptions, checks the window and that input and output are both float32, both int8 or both int16
 * with the same scale and zero point (pooling never requantises), and that channels match; fills p. */
ember_status ember_pool_prepare(ember_interpreter *ctx, const ember_node *node, ember_pool_params *p);

/* Reference math of each pooling op (TFLite's reference order of operations), in average_pool_2d.c and
 * max_pool_2d.c. */
void ember_average_pool_2d_ref_f32(const ember_pool_params *p, const float *input, float *output);
void ember_average_pool_2d_ref_i8(const ember_pool_params *p, const int8_t *input, int8_t *output);
void ember_max_pool_2d_ref_f32(const ember_pool_params *p, const float *input, float *output);
void ember_max_pool_2d_ref_i8(const ember_pool_params *p, const int8_t *input, int8_t *output);
void ember_average_pool_2d_ref_i16(const ember_pool_params *p, const int16_t *input, int16_t *output);
void ember_max_pool_2d_ref_i16(const ember_pool_params *p, const int16_t *input, int16_t *output);

/* The eval of both poolings: float32, int8 or int16 reference function by the input's type. */
typedef void ember_pool_f32_fn(const ember_pool_params *p, const float *input, float *output);
typedef void ember_pool_i8_fn(const ember_pool_params *p, const int8_t *input, int8_t *output);
typedef void ember_pool_i16_fn(const ember_pool_params *p, const int16_t *input, int16_t *output);
ember_status ember_pool_eval(ember_interpreter *ctx, const ember_node *node, ember_pool_f32_fn *f32,
                             ember_pool_i8_fn *i8, ember_pool_i16_fn *i16);

#endif /* EMBER_KERNELS_POOL_H */
