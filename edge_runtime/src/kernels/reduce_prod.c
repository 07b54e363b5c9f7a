/* REDUCE_PROD over any set of constant axes (the geometry of reduce.h): each output is 1 times its inputs in
 * row-major order of the reduced axes, the order of TFLite's reference ReduceGeneric, so float32 products
 * match it bit for bit (an empty reduction gives 1). float32 only: int8 REDUCE_PROD (LiteRT's
 * QuantizedReduceProd, requantising after every factor) is not implemented and refused by type. */
#include "kernels/kernels.h"
#include "kernels/reduce.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    /* The loader already refuses the int8 form by type; this keeps the kernel from ever reading it as float. */
    EMBER_CHECK(ctx, !input || input->type == EMBER_FLOAT32, EMBER_UNSUPPORTED,
                "REDUCE_PROD %ld: input '%.64s' is %s; only float32 is supported (int8 REDUCE_PROD is not "
                "implemented: keep the op in float, e.g. leave it out of full-integer quantisation)",
                (long)node->index, input->name, ember_type_name(input->type));
    return ember_reduction_prepare(ctx, node, (ember_reduction *)node->op_data);
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_reduction *r = (const ember_reduction *)node->op_data;
    const float *input = (const float *)ember_node_input(ctx, node, 0)->data;
    float *output = (float *)ember_node_output(ctx, node, 0)->data;
    int32_t o, i;
    for (o = 0; o < r->outputs; ++o) {
        const float *base = input + ember_reduction_offset(o, r->kept_rank, r->kept_dims, r->kept_strides);
        float acc = 1.0f;
        for (i = 0; i < r->count; ++i)
            acc *= base[ember_reduction_offset(i, r->reduced_rank, r->reduced_dims, r->reduced_strides)];
        output[o] = acc;
    }
    return EMBER_OK;
}

const ember_kernel ember_kernel_reduce_prod = {
    TFL_OP_REDUCE_PROD,
    "REDUCE_PROD",
    2,
    TFL_OPTIONS_REDUCER,
    sizeof(ember_reduction),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32,
};
