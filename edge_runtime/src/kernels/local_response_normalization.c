/* LOCAL_RESPONSE_NORMALIZATION (float32, 4-D NHWC, over the channels): y[c] = x[c] * (bias + alpha *
 * sum_{c - radius <= j < c + radius} x[j]^2)^-beta, as LiteRT's reference computes it (float sum, powf). Its
 * window ends before c + radius, one channel short of TensorFlow's (which includes it); we match LiteRT.
 * LiteRT has no quantised kernel. */
#include <math.h>

#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "tflite_schema.h"

typedef struct lrn_data {
    int32_t outer, depth, radius;
    float bias, alpha, beta;
} lrn_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    lrn_data *data = (lrn_data *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    long n = (long)node->index;
    char a[96];
    EMBER_TRY(ember_check_unary(ctx, node, 0));
    EMBER_CHECK(ctx, input->rank == 4, EMBER_INVALID_MODEL,
                "LOCAL_RESPONSE_NORMALIZATION %ld: input '%.64s' %s must be 4-D NHWC", n, input->name,
                ember_shape_string(input, a, sizeof a));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_LRN_RADIUS, 0, &data->radius));
    EMBER_TRY(ember_option_f32(ctx, node, TFL_LRN_BIAS, 0.0f, &data->bias));
    EMBER_TRY(ember_option_f32(ctx, node, TFL_LRN_ALPHA, 0.0f, &data->alpha));
    EMBER_TRY(ember_option_f32(ctx, node, TFL_LRN_BETA, 0.0f, &data->beta));
    EMBER_CHECK(ctx, data->radius >= 0 && data->radius < (1 << 30), EMBER_INVALID_MODEL,
                "LOCAL_RESPONSE_NORMALIZATION %ld: radius %ld must be in [0, 2^30)", n, (long)data->radius);
    data->depth = input->dims[3];
    data->outer = data->depth ? ember_element_count(input) / data->depth : 0;
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const lrn_data *p = (const lrn_data *)node->op_data;
    const float *x = (const float *)ember_node_input(ctx, node, 0)->data;
    float *y = (float *)ember_node_output(ctx, node, 0)->data;
    int32_t i, c, j;
    for (i = 0; i < p->outer; ++i, x += p->depth, y += p->depth) {
        for (c = 0; c < p->depth; ++c) {
            const int32_t begin = c - p->radius > 0 ? c - p->radius : 0;
            const int32_t end = p->depth - c < p->radius ? p->depth : c + p->radius;
            float sum = 0.0f;
            for (j = begin; j < end; ++j)
                sum += x[j] * x[j];
            y[c] = x[c] * powf(p->bias + p->alpha * sum, -p->beta);
        }
    }
    return EMBER_OK;
}

const ember_kernel ember_kernel_local_response_normalization = {
    TFL_OP_LOCAL_RESPONSE_NORMALIZATION,
    "LOCAL_RESPONSE_NORMALIZATION",
    1,
    TFL_OPTIONS_LOCAL_RESPONSE_NORMALIZATION,
    sizeof(lrn_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32,
};
