/* Op data and steps shared by ADD (add.c) and SUB (sub.c). */
#ifndef EMBER_KERNELS_ADD_SUB_H
#define EMBER_KERNELS_ADD_SUB_H

#include "ember_internal.h"
#include "kernels/shapes.h"

typedef struct add_f32_params {
    float act_min;
    float act_max;
} add_f32_params;

typedef struct add_i8_params {
    int32_t input1_offset, input2_offset, output_offset;
    int32_t input1_multiplier, input2_multiplier, output_multiplier;
    int input1_shift, input2_shift, output_shift;
    int left_shift;
    int32_t act_min, act_max;
} add_i8_params;

typedef struct add_data {
    ember_broadcast broadcast;
    ember_binary_row row;
    add_f32_params f32;
    add_i8_params i8;
} add_data;

/* sign = 1 for ADD, -1 for SUB. */
ember_status ember_add_sub_prepare(ember_interpreter *ctx, ember_node *node, int sign);
ember_status ember_add_sub_eval(ember_interpreter *ctx, const ember_node *node);

#endif /* EMBER_KERNELS_ADD_SUB_H */
