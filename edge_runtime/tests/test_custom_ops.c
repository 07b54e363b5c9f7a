/* The op resolver (ember.h, "Custom operators") without a shared library: argument checks and their messages,
 * a builtin override (FULLY_CONNECTED replaced by a kernel computing y[i] = 2 x[i mod |x|] + offset, the
 * offset from user_data through op data, the result through scratch), failing prepares with and without a
 * message, and the resolver's independence from the interpreter (destroyed right after create). The
 * shared-library path is tests/runtime/test_custom_ops.py. */
#include <stdlib.h>

#include "ember.h"

#include "model_writer.h"
#include "test_util.h"

typedef struct doubler {
    float offset;
    int prepared;
} doubler;

static ember_status doubler_prepare(ember_op_context *op) {
    doubler *d = (doubler *)ember_op_data(op);
    ember_tensor_info x, y;
    if (ember_op_input(op, 0, &x) != EMBER_OK || ember_op_output(op, 0, &y) != EMBER_OK)
        return EMBER_INVALID_MODEL;
    if (ember_op_input(op, 7, &x) != EMBER_INVALID_ARGUMENT || ember_op_input_tensor(op, -1) != -1)
        return ember_op_fail(op, EMBER_RUNTIME_ERROR, "input 7 exists");
    d->offset = *(const float *)ember_op_user_data(op);
    d->prepared = 1;
    return EMBER_OK;
}

static size_t doubler_scratch(ember_op_context *op) {
    ember_tensor_info y;
    return ember_op_output(op, 0, &y) == EMBER_OK ? y.bytes : 0;
}

static ember_status doubler_eval(ember_op_context *op) {
    const doubler *d = (const doubler *)ember_op_data(op);
    float *scratch = (float *)ember_op_scratch(op);
    ember_tensor_info x, y;
    size_t i, nx;
    ember_op_input(op, 0, &x);
    ember_op_output(op, 0, &y);
    nx = x.bytes / 4;
    if (!d || !d->prepared || !scratch || nx == 0 || ember_op_version(op) != 1 ||
        ember_op_node_index(op) != 0)
        return ember_op_fail(op, EMBER_RUNTIME_ERROR, "hooks out of order");
    for (i = 0; i < y.bytes / 4; ++i)
        scratch[i] = 2.0f * ((const float *)x.data)[i % nx] + d->offset;
    memcpy(y.data, scratch, y.bytes);
    return EMBER_OK;
}

static ember_status refusing_prepare(ember_op_context *op) {
    return ember_op_fail(op, EMBER_UNSUPPORTED, "refused with %d", 42);
}

static ember_status silent_prepare(ember_op_context *op) {
    (void)op;
    return EMBER_UNSUPPORTED;
}

static void test_resolver_arguments(void) {
    ember_op_resolver *r = NULL;
    const ember_custom_kernel no_eval = {NULL, NULL, 0, NULL, NULL, 0, NULL};
    const ember_custom_kernel k = {NULL, doubler_eval, 0, NULL, NULL, 0, NULL};
    char long_code[200];
    CHECK(ember_op_resolver_create(NULL) == EMBER_INVALID_ARGUMENT);
    CHECK_STATUS(ember_op_resolver_create(&r), EMBER_OK, "");
    CHECK(ember_op_resolver_add_custom(NULL, "X", &k) == EMBER_INVALID_ARGUMENT);
    CHECK(ember_op_resolver_add_custom(r, "X", &no_eval) == EMBER_INVALID_ARGUMENT);
    CHECK_CONTAINS(ember_op_resolver_error(r), "the kernel of 'X' needs an eval function");
    CHECK(ember_op_resolver_add_custom(r, "", &k) == EMBER_INVALID_ARGUMENT);
    CHECK_CONTAINS(ember_op_resolver_error(r), "custom_code must be 1 to 127 bytes");
    memset(long_code, 'a', sizeof long_code - 1);
    long_code[sizeof long_code - 1] = '\0';
    CHECK(ember_op_resolver_add_custom(r, long_code, &k) == EMBER_INVALID_ARGUMENT);
    CHECK(ember_op_resolver_add_builtin(r, 32, &k) == EMBER_INVALID_ARGUMENT);
    CHECK_CONTAINS(ember_op_resolver_error(r), "use ember_op_resolver_add_custom");
    CHECK(ember_op_resolver_add_builtin(r, -1, &k) == EMBER_INVALID_ARGUMENT);
    CHECK(ember_op_resolver_add_custom(r, "X", &k) == EMBER_OK);
    CHECK(strcmp(ember_op_resolver_error(r), "") == 0);
    ember_op_resolver_destroy(r);
    ember_op_resolver_destroy(NULL);
}

static ember_interpreter *create_fc(const ember_custom_kernel *kernel, uint8_t *buf, size_t cap,
                                    ember_status expected, const char *message) {
    static const float weights[6] = {1, 0, 0, 1, 1, 1}, bias[3] = {0, 0, 0};
    ember_op_resolver *r = NULL;
    ember_interpreter *it = NULL;
    tm_model m;
    char err[EMBER_ERROR_CAPACITY];
    size_t n;
    tm_fc(&m, 1, 2, 3, weights, bias);
    n = tm_write(&m, buf, cap);
    CHECK(n > 0);
    CHECK_STATUS(ember_op_resolver_create(&r), EMBER_OK, "");
    CHECK_STATUS(ember_op_resolver_add_builtin(r, 9 /* FULLY_CONNECTED */, kernel), EMBER_OK,
                 ember_op_resolver_error(r));
    CHECK_STATUS(ember_interpreter_create_with_resolver(buf, n, r, &it, err, sizeof err), EMBER_OK, err);
    ember_op_resolver_destroy(r); /* the interpreter holds a copy */
    if (!it)
        return NULL;
    CHECK(strcmp(ember_interpreter_node_name(it, 0), "FULLY_CONNECTED") == 0);
    CHECK_STATUS(ember_interpreter_allocate_tensors(it), expected, ember_interpreter_error(it));
    if (message)
        CHECK_CONTAINS(ember_interpreter_error(it), message);
    return it;
}

static void test_builtin_override(void) {
    static const float offset = 0.5f;
    const ember_custom_kernel doubling = {
        doubler_prepare, doubler_eval, sizeof(doubler), NULL, doubler_scratch, 0, (void *)&offset};
    const ember_custom_kernel refusing = {refusing_prepare, doubler_eval, 0, NULL, NULL, 0, NULL};
    const ember_custom_kernel silent = {silent_prepare, doubler_eval, 0, NULL, NULL, 0, NULL};
    const ember_custom_kernel old_only = {NULL, doubler_eval, 0, NULL, NULL, 0, NULL};
    uint8_t *buf = (uint8_t *)malloc(4096);
    const float x[2] = {3.0f, -1.0f};
    float y[3] = {0, 0, 0};
    int32_t in = 0, out = 0;
    ember_interpreter *it = create_fc(&doubling, buf, 4096, EMBER_OK, NULL);
    if (it) {
        CHECK(strcmp(ember_interpreter_error(it), "") ==
              0); /* prepare's refused ember_op_input(7) is not left */
        ember_interpreter_input_tensor(it, 0, &in);
        ember_interpreter_output_tensor(it, 0, &out);
        CHECK_STATUS(ember_interpreter_write_tensor(it, in, x, sizeof x), EMBER_OK,
                     ember_interpreter_error(it));
        CHECK_STATUS(ember_interpreter_invoke(it), EMBER_OK, ember_interpreter_error(it));
        CHECK_STATUS(ember_interpreter_read_tensor(it, out, y, sizeof y), EMBER_OK,
                     ember_interpreter_error(it));
        CHECK(y[0] == 6.5f && y[1] == -1.5f && y[2] == 6.5f);
        ember_interpreter_destroy(it);
    }
    it = create_fc(&refusing, buf, 4096, EMBER_UNSUPPORTED, "FULLY_CONNECTED 0: refused with 42");
    ember_interpreter_destroy(it);
    it = create_fc(&silent, buf, 4096, EMBER_UNSUPPORTED, "FULLY_CONNECTED 0: prepare failed (unsupported)");
    ember_interpreter_destroy(it);
    it = create_fc(&old_only, buf, 4096, EMBER_OK, NULL);
    if (it) {
        ember_interpreter_input_tensor(it, 0, &in);
        ember_interpreter_output_tensor(it, 0, &out);
        CHECK_STATUS(ember_interpreter_invoke(it), EMBER_RUNTIME_ERROR, "");
        CHECK_CONTAINS(ember_interpreter_error(it), "FULLY_CONNECTED 0: hooks out of order");
        ember_interpreter_destroy(it);
    }
    free(buf);
}

void test_custom_ops(void) {
    test_resolver_arguments();
    test_builtin_override();
}
