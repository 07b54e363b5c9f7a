/* DEPTH_TO_SPACE on NHWC: output pixel (y, x) takes channels ((y % block) * block + x % block) * C_out ..
 * of input pixel (y / block, x / block) (TensorFlow's DCR order). A copy: quantised types keep their
 * parameters. The geometry is shared with SPACE_TO_DEPTH (kernels/depth_space.h). */
#include "kernels/depth_space.h"
#include "kernels/kernels.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    return ember_depth_space_prepare(ctx, node, 1, (ember_depth_space *)node->op_data);
}

const ember_kernel ember_kernel_depth_to_space = {
    TFL_OP_DEPTH_TO_SPACE,
    "DEPTH_TO_SPACE",
    2,
    TFL_OPTIONS_DEPTH_TO_SPACE,
    sizeof(ember_depth_space),
    prepare,
    ember_depth_space_eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I32 | EMBER_T_I64,
};
