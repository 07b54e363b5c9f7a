/* Loader/verifier: valid models load; garbage, truncated, bit-flipped and inconsistent models are refused
 * with the right status and a message naming the fault. Buffers are malloc'ed at their exact size so that
 * valgrind (or ASan) catches any read past the end. */
#include <stdlib.h>

#include "ember.h"
#include "model_writer.h"
#include "test_util.h"

static const float weights[12] = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f, 0.7f, -0.8f, 0.9f, 1.0f, -1.1f, 1.2f};
static const float bias[3] = {0.01f, -0.02f, 0.03f};

static size_t build(const tm_model *m, uint8_t *out, size_t cap) {
    size_t n = tm_write(m, out, cap);
    CHECK(n > 0);
    return n;
}

static size_t activation_bytes(ember_interpreter *it) {
    size_t total = 0;
    int32_t i;
    ember_tensor_info info;
    for (i = 0; i < ember_interpreter_tensor_count(it); ++i)
        if (ember_interpreter_tensor_info(it, i, &info) == EMBER_OK && !info.is_constant)
            total += info.bytes;
    return total;
}

/* Creates an interpreter over an exact-size copy of data[0, n); returns the status and the message. */
static ember_status try_create(const uint8_t *data, size_t n, char *error, int run) {
    ember_interpreter *it = NULL;
    uint8_t *copy = (uint8_t *)malloc(n ? n : 1);
    ember_status s;
    memcpy(copy, data, n);
    s = ember_interpreter_create(copy, n, &it, error, EMBER_ERROR_CAPACITY);
    CHECK((s == EMBER_OK) == (it != NULL));
    CHECK(s == EMBER_OK || error[0] != '\0');
    if (it && run && activation_bytes(it) <= (1u << 20)) {
        /* A damaged model that still verifies must still run without crashing. (Flipped dimensions can
         * declare legal gigabyte tensors; allocating those would only slow the test down.) */
        if (ember_interpreter_allocate_tensors(it) == EMBER_OK)
            CHECK(ember_interpreter_invoke(it) == EMBER_OK);
    }
    ember_interpreter_destroy(it);
    free(copy);
    return s;
}

static void test_valid(void) {
    uint8_t buf[4096];
    char err[EMBER_ERROR_CAPACITY];
    tm_model m;
    size_t n;
    tm_fc_softmax(&m, weights, bias);
    n = build(&m, buf, sizeof buf);
    CHECK_STATUS(try_create(buf, n, err, 1), EMBER_OK, err);
}

static void test_garbage(void) {
    uint8_t buf[512];
    char err[EMBER_ERROR_CAPACITY];
    unsigned seed = 99;
    int trial;
    size_t i;
    ember_interpreter *it = (ember_interpreter *)&seed; /* must be reset to NULL on failure */
    CHECK_STATUS(ember_interpreter_create(NULL, 0, &it, err, sizeof err), EMBER_INVALID_MODEL, err);
    CHECK(it == NULL);
    CHECK_STATUS(ember_interpreter_create(buf, sizeof buf, NULL, err, sizeof err), EMBER_INVALID_ARGUMENT,
                 err);
    CHECK(ember_interpreter_create(NULL, 0, &it, NULL, 0) ==
          EMBER_INVALID_MODEL); /* no message buffer: fine */
    for (trial = 0; trial < 200; ++trial) {
        for (i = 0; i < sizeof buf; ++i)
            buf[i] = (uint8_t)test_rand(&seed);
        if (trial % 2) /* half with the right identifier, to get past the first check */
            memcpy(buf + 4, "TFL3", 4);
        CHECK(try_create(buf, sizeof buf, err, 1) != EMBER_OK);
    }
    memset(buf, 0, sizeof buf);
    memcpy(buf + 4, "TFL3", 4);
    CHECK_STATUS(try_create(buf, sizeof buf, err, 0), EMBER_INVALID_MODEL, err); /* zero root offset */
    CHECK_CONTAINS(err, "root");
}

static void test_identifier_and_truncation(void) {
    uint8_t buf[4096];
    char err[EMBER_ERROR_CAPACITY];
    tm_model m;
    size_t n, len;
    tm_fc_softmax(&m, weights, bias);
    n = build(&m, buf, sizeof buf);
    buf[5] = 'X';
    CHECK_STATUS(try_create(buf, n, err, 0), EMBER_INVALID_MODEL, err);
    CHECK_CONTAINS(err, "identifier");
    buf[5] = 'F';
    /* Every proper prefix misses data the model points to. */
    for (len = 0; len < n; ++len) {
        ember_status s = try_create(buf, len, err, 0);
        CHECK(s == EMBER_INVALID_MODEL);
        if (s != EMBER_INVALID_MODEL)
            fprintf(stderr, "  truncated at %lu: status %d: %s\n", (unsigned long)len, (int)s, err);
    }
}

static void test_bit_flips(void) {
    uint8_t buf[4096];
    char err[EMBER_ERROR_CAPACITY];
    tm_model m;
    size_t n, pos;
    int bit, accepted = 0, refused = 0;
    tm_fc_softmax(&m, weights, bias);
    n = build(&m, buf, sizeof buf);
    for (pos = 0; pos < n; ++pos) {
        for (bit = 0; bit < 8; bit += 3) {
            buf[pos] ^= (uint8_t)(1u << bit);
            if (try_create(buf, n, err, 1) == EMBER_OK)
                ++accepted;
            else
                ++refused;
            buf[pos] ^= (uint8_t)(1u << bit);
        }
    }
    /* Flips inside weights are legal models; flips in offsets must be caught. Both kinds must occur. */
    CHECK(accepted > 0 && refused > 0);
}

/* Builds a variant of the skeleton model, creates it and checks status and message. */
static void expect(const tm_model *m, ember_status status, const char *part) {
    uint8_t buf[4096];
    char err[EMBER_ERROR_CAPACITY];
    size_t n = build(m, buf, sizeof buf);
    CHECK_STATUS(try_create(buf, n, err, 0), status, err);
    CHECK_CONTAINS(err, part);
}

static void test_semantic_errors(void) {
    tm_model m;
    float weights_short[11] = {0};

    tm_fc_softmax(&m, weights, bias);
    m.schema_version = 2;
    expect(&m, EMBER_UNSUPPORTED, "schema version");

    tm_fc_softmax(&m, weights, bias);
    m.buffer_data[1] = weights_short;
    m.buffer_bytes[1] = sizeof weights_short;
    expect(&m, EMBER_INVALID_MODEL,
           "tensor 1 ('fc/weights'): buffer 1 holds 44 bytes, shape [3,4] float32 needs 48");

    tm_fc_softmax(&m, weights, bias);
    m.ops[0].version = 42;
    expect(&m, EMBER_UNSUPPORTED, "FULLY_CONNECTED): version 42");

    tm_fc_softmax(&m, weights, bias);
    m.ops[1].builtin = 15;
    expect(&m, EMBER_UNSUPPORTED, "LSH_PROJECTION is not supported");

    tm_fc_softmax(&m, weights, bias);
    m.ops[1].builtin = 151; /* above 127: only builtin_code carries it */
    expect(&m, EMBER_UNSUPPORTED, "not supported");

    tm_fc_softmax(&m, weights, bias);
    m.ops[0].inputs[0] = 7;
    expect(&m, EMBER_INVALID_MODEL, "input 0 is tensor 7");

    tm_fc_softmax(&m, weights, bias);
    m.ops[0].opcode_shift = 5;
    expect(&m, EMBER_INVALID_MODEL, "opcode_index 5 is out of range");

    tm_fc_softmax(&m, weights, bias);
    m.tensors[1].buffer = 9;
    expect(&m, EMBER_INVALID_MODEL, "buffer index 9");

    tm_fc_softmax(&m, weights, bias);
    m.tensors[0].type = 8; /* complex64: no kernel takes it, the loader refuses the tensor */
    expect(&m, EMBER_UNSUPPORTED, "type complex64");

    tm_fc_softmax(&m, weights, bias);
    m.tensors[0].type = 1; /* float16: a valid tensor, but FULLY_CONNECTED computes on float32 and int8 */
    expect(&m, EMBER_UNSUPPORTED,
           "FULLY_CONNECTED 0: tensor 'input' is float16, a type this kernel does not take");

    tm_fc_softmax(&m, weights, bias);
    m.tensors[3].dims[0] = 65536;
    m.tensors[3].dims[1] = 65536;
    expect(&m, EMBER_UNSUPPORTED, "2 GiB");

    tm_fc_softmax(&m, weights, bias);
    m.tensors[3].dims[1] = -3;
    expect(&m, EMBER_INVALID_MODEL, "dimension 1 is -3");

    tm_fc_softmax(&m, weights, bias);
    m.tensors[1].quant_count = 2;
    m.tensors[1].quantized_dimension = 0;
    expect(&m, EMBER_INVALID_MODEL, "2 per-channel scales but dimension 0 has 3 channels");

    tm_fc_softmax(&m, weights, bias);
    m.tensors[1].quant_count = 3;
    m.tensors[1].quantized_dimension = 5;
    expect(&m, EMBER_INVALID_MODEL, "quantized_dimension 5");

    tm_fc_softmax(&m, weights, bias);
    m.outputs[0] = 9;
    expect(&m, EMBER_INVALID_MODEL, "output 0 is tensor 9");

    /* Dataflow: SOFTMAX first reads the FC output before FC writes it. */
    tm_fc_softmax(&m, weights, bias);
    {
        tm_op first = m.ops[0];
        m.ops[0] = m.ops[1];
        m.ops[1] = first;
    }
    expect(&m, EMBER_INVALID_MODEL, "before any operator writes it");

    tm_fc_softmax(&m, weights, bias);
    m.ops[1].outputs[0] = 1;
    expect(&m, EMBER_INVALID_MODEL, "which is constant");

    tm_fc_softmax(&m, weights, bias);
    m.outputs[0] = 3;
    m.n_ops = 1;
    m.outputs[0] = 4; /* softmax output, now written by nobody */
    expect(&m, EMBER_INVALID_MODEL, "no operator writes");

    tm_fc_softmax(&m, weights, bias);
    m.ops[0].options_type = 9; /* SoftmaxOptions on a FULLY_CONNECTED */
    expect(&m, EMBER_INVALID_MODEL, "builtin_options_type is 9, expected 8");
}

static void test_misaligned_model(void) {
    /* The same model at an odd address: the reader does not care, constants are copied into the arena. */
    uint8_t buf[4096];
    uint8_t *shifted;
    char err[EMBER_ERROR_CAPACITY];
    tm_model m;
    size_t n;
    float in[4] = {1, 2, 3, 4}, out_a[3], out_b[3];
    ember_interpreter *a = NULL, *b = NULL;
    tm_fc_softmax(&m, weights, bias);
    n = build(&m, buf, sizeof buf);
    shifted = (uint8_t *)malloc(n + 1);
    memcpy(shifted + 1, buf, n);
    CHECK_STATUS(ember_interpreter_create(buf, n, &a, err, sizeof err), EMBER_OK, err);
    CHECK_STATUS(ember_interpreter_create(shifted + 1, n, &b, err, sizeof err), EMBER_OK, err);
    if (a && b) {
        CHECK(ember_interpreter_allocate_tensors(a) == EMBER_OK);
        CHECK_STATUS(ember_interpreter_allocate_tensors(b), EMBER_OK, ember_interpreter_error(b));
        CHECK(ember_interpreter_arena_bytes(b) > ember_interpreter_arena_bytes(a)); /* holds the copies */
        CHECK(ember_interpreter_write_tensor(a, 0, in, sizeof in) == EMBER_OK);
        CHECK(ember_interpreter_write_tensor(b, 0, in, sizeof in) == EMBER_OK);
        CHECK(ember_interpreter_invoke(a) == EMBER_OK && ember_interpreter_invoke(b) == EMBER_OK);
        CHECK(ember_interpreter_read_tensor(a, 4, out_a, sizeof out_a) == EMBER_OK);
        CHECK(ember_interpreter_read_tensor(b, 4, out_b, sizeof out_b) == EMBER_OK);
        CHECK(memcmp(out_a, out_b, sizeof out_a) == 0);
    }
    ember_interpreter_destroy(a);
    ember_interpreter_destroy(b);
    free(shifted);
}

void test_loader(void) {
    test_valid();
    test_garbage();
    test_identifier_and_truncation();
    test_bit_flips();
    test_semantic_errors();
    test_misaligned_model();
}
