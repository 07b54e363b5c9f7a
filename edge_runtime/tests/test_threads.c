/* The interpreter's threads: ember_interpreter_set_num_threads' range and timing, the thread count reported,
 * a FULLY_CONNECTED big enough to be split giving the reference loops' result for 1 to 4 threads, a caller
 * arena holding the pool, and destroy with live workers (the sanitizer and valgrind runs of this suite check
 * that nothing leaks or races). */
#include <stdlib.h>

#include "ember.h"
#include "ember_internal.h"
#include "kernels/conv.h"
#include "model_writer.h"
#include "test_util.h"

#define BATCHES 32
#define IN 64
#define OUT 48

static float weights[OUT * IN], bias[OUT], input[BATCHES * IN];

static void fill(void) {
    unsigned state = 11;
    int i;
    for (i = 0; i < OUT * IN; ++i)
        weights[i] = (float)((int)test_rand(&state) % 200 - 100) / 64.0f;
    for (i = 0; i < OUT; ++i)
        bias[i] = (float)((int)test_rand(&state) % 200 - 100) / 16.0f;
    for (i = 0; i < BATCHES * IN; ++i)
        input[i] = (float)((int)test_rand(&state) % 200 - 100) / 32.0f;
}

static ember_interpreter *create(uint8_t *model, size_t capacity) {
    tm_model m;
    char err[EMBER_ERROR_CAPACITY];
    ember_interpreter *it = NULL;
    size_t n;
    tm_fc(&m, BATCHES, IN, OUT, weights, bias);
    n = tm_write(&m, model, capacity);
    CHECK(n > 0);
    CHECK_STATUS(ember_interpreter_create(model, n, &it, err, sizeof err), EMBER_OK, err);
    return it;
}

/* Runs the model on `input` and checks the output against the reference loops, bit for bit. */
static void check_output(ember_interpreter *it) {
    static float expected[BATCHES * OUT], output[BATCHES * OUT];
    int32_t in, out, i, differ = 0;
    ember_fully_connected_ref_f32(input, weights, bias, expected, BATCHES, IN, OUT, 0.0f, 3.4e38f);
    CHECK(ember_interpreter_input_tensor(it, 0, &in) == EMBER_OK);
    CHECK(ember_interpreter_output_tensor(it, 0, &out) == EMBER_OK);
    CHECK(ember_interpreter_write_tensor(it, in, input, sizeof input) == EMBER_OK);
    CHECK_STATUS(ember_interpreter_invoke(it), EMBER_OK, ember_interpreter_error(it));
    CHECK(ember_interpreter_read_tensor(it, out, output, sizeof output) == EMBER_OK);
    for (i = 0; i < BATCHES * OUT; ++i)
        differ += memcmp(&output[i], &expected[i], sizeof(float)) != 0;
    CHECK(differ == 0);
}

static void test_num_threads_range(void) {
    static uint8_t model[65536];
    ember_interpreter *it = create(model, sizeof model);
    int threaded;
    if (!it)
        return;
    /* Without threads in the build, or under EMBER_ISA=reference, every count runs as 1. */
    threaded = ember_pool_max_threads() > 1 && strcmp(ember_interpreter_isa(it), "reference") != 0;
    CHECK(ember_interpreter_num_threads(it) == 1); /* the default, as LiteRT's */
    CHECK(ember_interpreter_set_num_threads(it, -2) == EMBER_INVALID_ARGUMENT);
    CHECK_CONTAINS(ember_interpreter_error(it), "num_threads -2");
    CHECK(ember_interpreter_set_num_threads(it, 1025) == EMBER_INVALID_ARGUMENT);
    CHECK(ember_interpreter_set_num_threads(it, 0) == EMBER_OK);
    CHECK(ember_interpreter_num_threads(it) == 1); /* 0 disables threading */
    CHECK(ember_interpreter_set_num_threads(it, -1) == EMBER_OK);
    CHECK(ember_interpreter_num_threads(it) == (threaded ? ember_pool_default_threads() : 1));
    CHECK(ember_interpreter_set_num_threads(it, 3) == EMBER_OK);
    CHECK(ember_interpreter_num_threads(it) == (threaded ? 3 : 1));
    CHECK_STATUS(ember_interpreter_allocate_tensors(it), EMBER_OK, ember_interpreter_error(it));
    CHECK(ember_interpreter_set_num_threads(it, 2) == EMBER_BAD_STATE);
    CHECK_CONTAINS(ember_interpreter_error(it), "before allocate_tensors");
    CHECK(ember_interpreter_allocate_tensors(it) == EMBER_OK); /* again: nothing happens, no more workers */
    CHECK(ember_interpreter_num_threads(it) == (threaded ? 3 : 1));
    check_output(it);
    ember_interpreter_destroy(it);
    CHECK(ember_interpreter_num_threads(NULL) == 1);
    CHECK(ember_interpreter_set_num_threads(NULL, 2) == EMBER_INVALID_ARGUMENT);
}

/* The per-thread scratch and the pool are in the arena: more threads, a larger arena, known before allocate.
 */
static void test_threads_give_the_same_bits(void) {
    static uint8_t model[65536];
    size_t one = 0, bytes = 0;
    int32_t threads;
    for (threads = 1; threads <= 4; ++threads) {
        ember_interpreter *it = create(model, sizeof model);
        if (!it)
            return;
        CHECK(ember_interpreter_set_num_threads(it, threads) == EMBER_OK);
        CHECK(ember_interpreter_arena_bytes_required(it, &bytes) == EMBER_OK);
        if (threads == 1)
            one = bytes;
        CHECK(ember_interpreter_num_threads(it) == 1 || bytes > one);
        CHECK_STATUS(ember_interpreter_allocate_tensors(it), EMBER_OK, ember_interpreter_error(it));
        CHECK(ember_interpreter_arena_bytes(it) == bytes);
        check_output(it);
        check_output(it);
        ember_interpreter_destroy(it); /* joins live workers */
    }
}

/* A caller's arena holds the pool too; the interpreter joins its workers before the arena is the caller's
 * again. */
static void test_caller_arena_with_threads(void) {
    static uint8_t model[65536];
    ember_interpreter *it = create(model, sizeof model);
    size_t bytes = 0;
    void *arena;
    if (!it)
        return;
    CHECK(ember_interpreter_set_num_threads(it, 2) == EMBER_OK);
    CHECK(ember_interpreter_arena_bytes_required(it, &bytes) == EMBER_OK);
    arena = malloc(bytes + EMBER_ARENA_ALIGNMENT);
    CHECK(arena != NULL);
    if (arena) {
        uint8_t *aligned =
            (uint8_t *)arena +
            (EMBER_ARENA_ALIGNMENT - (uintptr_t)arena % EMBER_ARENA_ALIGNMENT) % EMBER_ARENA_ALIGNMENT;
        CHECK_STATUS(ember_interpreter_allocate_tensors_in(it, aligned, bytes), EMBER_OK,
                     ember_interpreter_error(it));
        check_output(it);
    }
    ember_interpreter_destroy(it);
    free(arena);
}

void test_threads(void) {
    fill();
    test_num_threads_range();
    test_threads_give_the_same_bits();
    test_caller_arena_with_threads();
}
