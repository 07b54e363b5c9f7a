/* SPACE_TO_DEPTH on NHWC, DEPTH_TO_SPACE's inverse: each block x block patch of input pixels becomes one
 * output pixel, patch pixel (dy, dx) at channels (dy * block + dx) * C_in. A copy: quantised types keep their
 * parameters. The geometry is shared with DEPTH_TO_SPACE (kernels/depth_space.h). */
#include "kernels/depth_space.h"
#include "kernels/kernels.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    return ember_depth_space_prepare(ctx, node, 0, (ember_depth_space *)node->op_data);
}

const ember_kernel ember_kernel_space_to_depth = {
    TFL_OP_SPACE_TO_DEPTH,
    "SPACE_TO_DEPTH",
    2,
    TFL_OPTIONS_SPACE_TO_DEPTH,
    sizeof(ember_depth_space),
    prepare,
    ember_depth_space_eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I32 | EMBER_T_I64,
};
