/* End to end through the public API: results against closed-form math, call-order rules, the plan of a real
 * model, and kernel prepare errors. */
#include <math.h>
#include <stdlib.h>

#include "ember.h"
#include "ember_internal.h"
#include "model_writer.h"
#include "test_util.h"

static const float weights[12] = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f, 0.7f, -0.8f, 0.9f, 1.0f, -1.1f, 1.2f};
static const float bias[3] = {0.01f, -0.02f, 0.03f};

static ember_interpreter *create(const tm_model *m, uint8_t *buf, size_t cap) {
    char err[EMBER_ERROR_CAPACITY];
    ember_interpreter *it = NULL;
    size_t n = tm_write(m, buf, cap);
    CHECK(n > 0);
    CHECK_STATUS(ember_interpreter_create(buf, n, &it, err, sizeof err), EMBER_OK, err);
    return it;
}

static void test_fc_softmax_run(void) {
    uint8_t *buf = (uint8_t *)malloc(4096);
    tm_model m;
    ember_interpreter *it;
    ember_tensor_info info;
    const float x[4] = {1.0f, 2.0f, -3.0f, 0.5f};
    float y[3], scale;
    double h[3], sum = 0;
    int32_t index, zp;
    int o, i;

    tm_fc_softmax(&m, weights, bias);
    it = create(&m, buf, 4096);
    if (!it) {
        free(buf);
        return;
    }
    CHECK(ember_interpreter_input_count(it) == 1 && ember_interpreter_output_count(it) == 1);
    CHECK(ember_interpreter_tensor_count(it) == 5);
    CHECK(ember_interpreter_arena_bytes(it) == 0);
    CHECK(ember_interpreter_invoke(it) == EMBER_BAD_STATE);
    CHECK_CONTAINS(ember_interpreter_error(it), "allocate_tensors");
    CHECK(ember_interpreter_write_tensor(it, 0, x, sizeof x) == EMBER_BAD_STATE);

    CHECK_STATUS(ember_interpreter_allocate_tensors(it), EMBER_OK, ember_interpreter_error(it));
    CHECK(ember_interpreter_allocate_tensors(it) == EMBER_OK); /* idempotent */
    CHECK(ember_interpreter_arena_bytes(it) > 0);

    CHECK(ember_interpreter_input_tensor(it, 0, &index) == EMBER_OK && index == 0);
    CHECK(ember_interpreter_output_tensor(it, 0, &index) == EMBER_OK && index == 4);
    CHECK(ember_interpreter_input_tensor(it, 1, &index) == EMBER_INVALID_ARGUMENT);
    CHECK(ember_interpreter_tensor_info(it, 5, &info) == EMBER_INVALID_ARGUMENT);
    CHECK(ember_interpreter_tensor_info(it, 1, &info) == EMBER_OK);
    CHECK(strcmp(info.name, "fc/weights") == 0 && info.type == EMBER_FLOAT32 && info.rank == 2);
    CHECK(info.dims[0] == 3 && info.dims[1] == 4 && info.bytes == 48 && info.is_constant && info.data);
    CHECK(info.quant_count == 0);
    CHECK(ember_interpreter_tensor_quantization(it, 1, 0, &scale, &zp) == EMBER_INVALID_ARGUMENT);

    CHECK(ember_interpreter_write_tensor(it, 0, x, 12) == EMBER_INVALID_ARGUMENT);
    CHECK_CONTAINS(ember_interpreter_error(it), "holds 16 bytes, got 12");
    CHECK(ember_interpreter_write_tensor(it, 1, weights, 48) == EMBER_INVALID_ARGUMENT);
    CHECK_CONTAINS(ember_interpreter_error(it), "constant");
    CHECK(ember_interpreter_write_tensor(it, 0, x, sizeof x) == EMBER_OK);
    CHECK_STATUS(ember_interpreter_invoke(it), EMBER_OK, ember_interpreter_error(it));
    CHECK(ember_interpreter_read_tensor(it, 4, y, sizeof y) == EMBER_OK);

    /* relu(W x + b), then softmax, in double precision. */
    for (o = 0; o < 3; ++o) {
        double acc = bias[o];
        for (i = 0; i < 4; ++i)
            acc += (double)weights[o * 4 + i] * x[i];
        h[o] = acc > 0 ? acc : 0;
    }
    {
        double mx = fmax(h[0], fmax(h[1], h[2]));
        for (o = 0; o < 3; ++o)
            sum += exp(h[o] - mx);
        for (o = 0; o < 3; ++o)
            CHECK_NEAR(y[o], exp(h[o] - mx) / sum, 1e-6);
    }
    ember_interpreter_destroy(it);
    free(buf);
}

static void test_plan_of_model(void) {
    /* Every pair of tensors alive during the same operator has disjoint arena bytes. */
    uint8_t *buf = (uint8_t *)malloc(4096);
    tm_model m;
    ember_interpreter *it;
    int32_t i, j;
    tm_fc_softmax(&m, weights, bias);
    it = create(&m, buf, 4096);
    if (it && ember_interpreter_allocate_tensors(it) == EMBER_OK) {
        for (i = 0; i < it->tensor_count; ++i) {
            const ember_tensor *a = &it->tensors[i];
            if (a->is_constant || a->first_op < 0)
                continue;
            CHECK((uintptr_t)a->data % EMBER_ALIGNMENT == 0);
            CHECK((uint8_t *)a->data + a->bytes <= it->arena + it->arena_bytes);
            for (j = i + 1; j < it->tensor_count; ++j) {
                const ember_tensor *b = &it->tensors[j];
                if (b->is_constant || b->first_op < 0 || a->last_op < b->first_op || b->last_op < a->first_op)
                    continue;
                CHECK((uint8_t *)a->data + a->bytes <= (uint8_t *)b->data ||
                      (uint8_t *)b->data + b->bytes <= (uint8_t *)a->data);
            }
        }
        /* FC output lives [0,1]; the graph input and output live for the whole invoke [0,1] (as in LiteRT,
         * a second invoke without a new write reads the same input), so they never share bytes. */
        CHECK(it->tensors[0].first_op == 0 && it->tensors[0].last_op == 1);
        CHECK(it->tensors[3].first_op == 0 && it->tensors[3].last_op == 1);
        CHECK(it->tensors[4].first_op == 0 && it->tensors[4].last_op == 1);
        CHECK(it->tensors[4].data != it->tensors[0].data);
        {
            const float x[4] = {1.0f, 2.0f, -3.0f, 0.5f};
            float again[4], y1[3], y2[3];
            CHECK(ember_interpreter_write_tensor(it, 0, x, sizeof x) == EMBER_OK);
            CHECK(ember_interpreter_invoke(it) == EMBER_OK);
            CHECK(ember_interpreter_read_tensor(it, 4, y1, sizeof y1) == EMBER_OK);
            CHECK(ember_interpreter_invoke(it) == EMBER_OK);
            CHECK(ember_interpreter_read_tensor(it, 4, y2, sizeof y2) == EMBER_OK);
            CHECK(ember_interpreter_read_tensor(it, 0, again, sizeof again) == EMBER_OK);
            CHECK(memcmp(again, x, sizeof x) == 0);
            CHECK(memcmp(y1, y2, sizeof y1) == 0);
        }
    }
    ember_interpreter_destroy(it);
    free(buf);
}

/* input [1,2,2] -> RESHAPE -> [1,4] -> FC (no bias, no options) -> [1,3] */
static void reshape_model(tm_model *m, int with_shape_tensor, const int32_t *shape) {
    static const tm_tensor tensors[5] = {
        {"image", 0, 3, {1, 2, 2, 0}, 0, 0, 0}, {"flat", 0, 2, {1, 4, 0, 0}, 0, 0, 0},
        {"w", 0, 2, {3, 4, 0, 0}, 1, 0, 0},     {"out", 0, 2, {1, 3, 0, 0}, 0, 0, 0},
        {"shape", 2, 1, {2, 0, 0, 0}, 2, 0, 0},
    };
    memset(m, 0, sizeof *m);
    m->schema_version = 3;
    memcpy(m->tensors, tensors, sizeof tensors);
    m->n_tensors = 5;
    m->ops[0].builtin = 22;
    m->ops[0].version = 1;
    m->ops[0].inputs[0] = 0;
    m->ops[0].inputs[1] = 4;
    m->ops[0].n_inputs = with_shape_tensor ? 2 : 1;
    m->ops[0].outputs[0] = 1;
    m->ops[0].n_outputs = 1;
    if (!with_shape_tensor) {
        m->ops[0].options_type = 17;
        memcpy(m->ops[0].new_shape, shape, 2 * sizeof(int32_t));
        m->ops[0].n_new_shape = 2;
    }
    m->ops[1].builtin = 9;
    m->ops[1].version = 1;
    m->ops[1].inputs[0] = 1;
    m->ops[1].inputs[1] = 2;
    m->ops[1].inputs[2] = -1;
    m->ops[1].n_inputs = 3;
    m->ops[1].outputs[0] = 3;
    m->ops[1].n_outputs = 1;
    m->n_ops = 2;
    m->buffer_data[1] = weights;
    m->buffer_bytes[1] = sizeof weights;
    m->buffer_data[2] = shape;
    m->buffer_bytes[2] = 2 * sizeof(int32_t);
    m->n_buffers = 3;
    m->inputs[0] = 0;
    m->n_inputs = 1;
    m->outputs[0] = 3;
    m->n_outputs = 1;
}

static void test_reshape(void) {
    static const int32_t good[2] = {1, 4}, inferred[2] = {-1, 4}, bad[2] = {2, 2};
    const float x[4] = {1, -1, 2, 0.5f};
    uint8_t *buf = (uint8_t *)malloc(4096);
    int variant;
    for (variant = 0; variant < 3; ++variant) {
        tm_model m;
        ember_interpreter *it;
        float y[3];
        int o;
        reshape_model(&m, variant == 2, variant == 1 ? inferred : good);
        it = create(&m, buf, 4096);
        if (!it)
            continue;
        CHECK_STATUS(ember_interpreter_allocate_tensors(it), EMBER_OK, ember_interpreter_error(it));
        CHECK(ember_interpreter_write_tensor(it, 0, x, sizeof x) == EMBER_OK);
        CHECK(ember_interpreter_invoke(it) == EMBER_OK);
        CHECK(ember_interpreter_read_tensor(it, 3, y, sizeof y) == EMBER_OK);
        for (o = 0; o < 3; ++o) {
            /* No bias and no activation: clamped only to the finite float range. */
            double acc = 0;
            int i;
            for (i = 0; i < 4; ++i)
                acc += (double)weights[o * 4 + i] * x[i];
            CHECK_NEAR(y[o], acc, 1e-6);
        }
        ember_interpreter_destroy(it);
    }
    {
        tm_model m;
        ember_interpreter *it;
        reshape_model(&m, 0, bad);
        it = create(&m, buf, 4096);
        if (it) {
            CHECK(ember_interpreter_allocate_tensors(it) == EMBER_INVALID_MODEL);
            CHECK_CONTAINS(ember_interpreter_error(it), "RESHAPE 0: requested shape");
            /* A failed allocate leaves the interpreter in its created state. */
            CHECK(ember_interpreter_arena_bytes(it) == 0);
            CHECK(ember_interpreter_invoke(it) == EMBER_BAD_STATE);
            ember_interpreter_destroy(it);
        }
    }
    free(buf);
}

static void test_prepare_errors(void) {
    uint8_t *buf = (uint8_t *)malloc(4096);
    tm_model m;
    ember_interpreter *it;

    tm_fc_softmax(&m, weights, bias);
    m.tensors[3].dims[1] = 5; /* FC output declares 5 columns, weights give 3 */
    m.tensors[4].dims[1] = 5;
    it = create(&m, buf, 4096);
    if (it) {
        CHECK(ember_interpreter_allocate_tensors(it) == EMBER_INVALID_MODEL);
        CHECK_CONTAINS(ember_interpreter_error(it),
                       "FULLY_CONNECTED 0: output 'fc/out' has shape [1,5], expected [1,3]");
        ember_interpreter_destroy(it);
    }

    tm_fc_softmax(&m, weights, bias);
    m.ops[0].activation = 4; /* TANH */
    it = create(&m, buf, 4096);
    if (it) {
        CHECK(ember_interpreter_allocate_tensors(it) == EMBER_UNSUPPORTED);
        CHECK_CONTAINS(ember_interpreter_error(it), "fused activation 4");
        ember_interpreter_destroy(it);
    }

    tm_fc_softmax(&m, weights, bias);
    m.tensors[4].dims[1] = 2; /* softmax output shape differs from its input */
    it = create(&m, buf, 4096);
    if (it) {
        CHECK(ember_interpreter_allocate_tensors(it) == EMBER_INVALID_MODEL);
        CHECK_CONTAINS(ember_interpreter_error(it), "SOFTMAX 1");
        ember_interpreter_destroy(it);
    }
    free(buf);
}

void test_interpreter(void) {
    test_fc_softmax_run();
    test_plan_of_model();
    test_reshape();
    test_prepare_errors();
}
