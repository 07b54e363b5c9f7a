/* Kernels against closed-form results. */
#include <float.h>
#include <math.h>

#include "kernels/conv.h"
#include "kernels/kernels.h"
#include "test_util.h"
#include "tflite_schema.h"

static void test_fully_connected_values(void) {
    /* y = W x + b for two batches, worked out by hand. */
    const float x[6] = {1, 2, 3, -1, 0, 1};
    const float w[6] = {1, 0, -1, 2, 1, 0};
    const float b[2] = {0.5f, -1.0f};
    float y[4], lo, hi;

    CHECK(ember_activation_range_f32(TFL_ACT_NONE, &lo, &hi));
    ember_fully_connected_ref_f32(x, w, b, y, 2, 3, 2, lo, hi);
    CHECK(y[0] == -1.5f && y[1] == 3.0f && y[2] == -1.5f && y[3] == -3.0f);

    CHECK(ember_activation_range_f32(TFL_ACT_RELU, &lo, &hi));
    ember_fully_connected_ref_f32(x, w, b, y, 2, 3, 2, lo, hi);
    CHECK(y[0] == 0.0f && y[1] == 3.0f && y[2] == 0.0f && y[3] == 0.0f);

    CHECK(ember_activation_range_f32(TFL_ACT_RELU_N1_TO_1, &lo, &hi));
    ember_fully_connected_ref_f32(x, w, b, y, 2, 3, 2, lo, hi);
    CHECK(y[0] == -1.0f && y[1] == 1.0f && y[2] == -1.0f && y[3] == -1.0f);

    CHECK(ember_activation_range_f32(TFL_ACT_RELU6, &lo, &hi));
    {
        const float big[3] = {10, 0, 0};
        ember_fully_connected_ref_f32(big, w, NULL, y, 1, 3, 2, lo, hi);
        CHECK(y[0] == 6.0f && y[1] == 6.0f); /* 10 and 20, clamped */
    }
    CHECK(!ember_activation_range_f32(4 /* TANH */, &lo, &hi));
}

static void test_fully_connected_special_values(void) {
    /* TFLite clamps even without activation, to the finite range; NaN passes through the clamp. */
    const float inf_in[1] = {INFINITY};
    const float nan_in[1] = {NAN};
    const float one[1] = {1.0f};
    float y[1], lo, hi;
    CHECK(ember_activation_range_f32(TFL_ACT_NONE, &lo, &hi));
    ember_fully_connected_ref_f32(inf_in, one, NULL, y, 1, 1, 1, lo, hi);
    CHECK(y[0] == FLT_MAX);
    ember_fully_connected_ref_f32(nan_in, one, NULL, y, 1, 1, 1, lo, hi);
    CHECK(y[0] != y[0]);
}

static void test_softmax_values(void) {
    float y[6];
    /* softmax([0, ln 2]) = [1/3, 2/3] */
    const float x1[2] = {0.0f, 0.69314718f};
    /* Large logits must not overflow: only differences matter. [1000, 1001] -> [1/(1+e), e/(1+e)] */
    const float x2[2] = {1000.0f, 1001.0f};
    /* beta = 0 gives the uniform distribution whatever the logits. */
    const float x3[3] = {-5.0f, 2.0f, 40.0f};
    const double e = exp(1.0);
    ember_softmax_f32(x1, y, 1, 2, 1.0f);
    CHECK_NEAR(y[0], 1.0 / 3.0, 1e-6);
    CHECK_NEAR(y[1], 2.0 / 3.0, 1e-6);
    ember_softmax_f32(x2, y, 1, 2, 1.0f);
    CHECK_NEAR(y[0], 1.0 / (1.0 + e), 1e-6);
    CHECK_NEAR(y[1], e / (1.0 + e), 1e-6);
    ember_softmax_f32(x3, y, 1, 3, 0.0f);
    CHECK_NEAR(y[0], 1.0 / 3.0, 1e-7);
    CHECK_NEAR(y[2], 1.0 / 3.0, 1e-7);
    /* beta scales the logits: softmax(beta * x) with beta = 2 on [0, ln 2] is softmax([0, ln 4]) = [1/5,
     * 4/5]. */
    ember_softmax_f32(x1, y, 1, 2, 2.0f);
    CHECK_NEAR(y[0], 0.2, 1e-6);
    CHECK_NEAR(y[1], 0.8, 1e-6);
}

static void test_softmax_properties(void) {
    /* Rows sum to 1, order is preserved, rows are independent. */
    float x[12], y[12];
    unsigned seed = 7;
    int i, r;
    for (i = 0; i < 12; ++i)
        x[i] = (float)test_rand(&seed) / 1000.0f - 16.0f;
    ember_softmax_f32(x, y, 3, 4, 1.0f);
    for (r = 0; r < 3; ++r) {
        double sum = 0;
        for (i = 0; i < 4; ++i) {
            int j;
            sum += y[r * 4 + i];
            CHECK(y[r * 4 + i] > 0.0f && y[r * 4 + i] <= 1.0f);
            for (j = 0; j < 4; ++j)
                CHECK((x[r * 4 + i] < x[r * 4 + j]) == (y[r * 4 + i] < y[r * 4 + j]));
        }
        CHECK_NEAR(sum, 1.0, 1e-6);
    }
}

void test_kernels(void) {
    test_fully_connected_values();
    test_fully_connected_special_values();
    test_softmax_values();
    test_softmax_properties();
}
