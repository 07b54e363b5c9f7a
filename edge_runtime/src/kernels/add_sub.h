/* Op data and steps shared by ADD (add.c) and SUB (sub.c). */
#ifndef EMBER_KERNELS_ADD_SUB_H
#define EMBER_KERNELS_ADD_SUB_H

#include "ember_internal.h"
#include "gemm/elementwise.h"
#include "kernels/broadcast.h"

typedef struct add_params {
    ember_arith_params a;
    int subtract; /* SUB: x1 - x2 */
    int int32;    /* int32 operands (loop counters, shapes): sums that wrap, no activation */
    int32_t input1_multiplier, input2_multiplier, output_multiplier;
    int input1_shift, input2_shift, output_shift;
    int left_shift;
    /* int16 with power-of-two scales (LiteRT's pot_scale_int16 path): each input divided by 2^pot_shift1,
     * 2^pot_shift2 (one of them 0), added or subtracted, clamped; no multipliers. */
    int pot16;
    int pot_shift1, pot_shift2;
    /* The optimised rows (gemm/elementwise.h) at level isa; fast = 0 (EMBER_ISA=reference): the loops. */
    int fast;
    ember_isa isa;
    ember_add_i8_params i8;
} add_params;

typedef struct add_data {
    ember_broadcast broadcast;
    add_params params;
} add_data;

/* sign = 1 for ADD, -1 for SUB. */
ember_status ember_add_sub_prepare(ember_interpreter *ctx, ember_node *node, int sign);
ember_status ember_add_sub_eval(ember_interpreter *ctx, const ember_node *node);

#endif /* EMBER_KERNELS_ADD_SUB_H */
