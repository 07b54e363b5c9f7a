/* Memory guarantees, in their own executable because it replaces the allocator: linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free, every heap call of the runtime is counted.
 * Proves that allocating in a caller's arena calls none, that invoke calls none on either path, with one
 * thread and with two (the pool and per-thread scratch live in the arena; pthread_create's own memory is the
 * C library's, not the runtime's), that the arena cap refuses oversized plans before any malloc, and that an
 * arena too small or misaligned is refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ember.h"
#include "model_writer.h"
#include "test_util.h"

int test_failures = 0;
static long heap_calls;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

void *__wrap_malloc(size_t n) {
    ++heap_calls;
    return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size) {
    ++heap_calls;
    return __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n) {
    ++heap_calls;
    return __real_realloc(p, n);
}
void __wrap_free(void *p) {
    if (p)
        ++heap_calls;
    __real_free(p);
}

static const float weights[12] = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f, 0.7f, -0.8f, 0.9f, 1.0f, -1.1f, 1.2f};
static const float bias[3] = {0.01f, -0.02f, 0.03f};

/* Static storage, 16-byte aligned by hand: what a device without a heap would hand in. A union with a double
 * aligns to only 8 bytes on armv7, so the alignment the runtime requires is not left to the ABI. */
#define ARENA_CAPACITY 4096
static uint8_t arena_raw[ARENA_CAPACITY + EMBER_ARENA_ALIGNMENT];

static uint8_t *arena_storage(void) {
    const uintptr_t a = (uintptr_t)arena_raw;
    return arena_raw + ((EMBER_ARENA_ALIGNMENT - a % EMBER_ARENA_ALIGNMENT) % EMBER_ARENA_ALIGNMENT);
}

static ember_interpreter *create(uint8_t *model, size_t capacity) {
    tm_model m;
    char err[EMBER_ERROR_CAPACITY];
    ember_interpreter *it = NULL;
    size_t n;
    tm_fc_softmax(&m, weights, bias);
    n = tm_write(&m, model, capacity);
    CHECK(n > 0);
    CHECK_STATUS(ember_interpreter_create(model, n, &it, err, sizeof err), EMBER_OK, err);
    return it;
}

static void run_once(ember_interpreter *it) {
    const float x[4] = {1.0f, 2.0f, -3.0f, 0.5f};
    float y[3];
    int32_t in, out;
    CHECK(ember_interpreter_input_tensor(it, 0, &in) == EMBER_OK);
    CHECK(ember_interpreter_output_tensor(it, 0, &out) == EMBER_OK);
    CHECK(ember_interpreter_write_tensor(it, in, x, sizeof x) == EMBER_OK);
    CHECK_STATUS(ember_interpreter_invoke(it), EMBER_OK, ember_interpreter_error(it));
    CHECK(ember_interpreter_read_tensor(it, out, y, sizeof y) == EMBER_OK);
    CHECK(y[0] + y[1] + y[2] > 0.999f && y[0] + y[1] + y[2] < 1.001f);
}

static void test_caller_arena_never_mallocs(void) {
    static uint8_t model[4096];
    ember_interpreter *it = create(model, sizeof model);
    size_t need = 0;
    long before;
    int i;
    if (!it)
        return;
    CHECK(ember_interpreter_arena_bytes_required(it, &need) == EMBER_OK);
    CHECK(need > 0 && need <= ARENA_CAPACITY);
    /* Too small, then misaligned: refused with a message, still no heap use. */
    before = heap_calls;
    CHECK(ember_interpreter_allocate_tensors_in(it, arena_storage(), need - 1) == EMBER_INVALID_ARGUMENT);
    CHECK_CONTAINS(ember_interpreter_error(it), "the model needs");
    CHECK(ember_interpreter_allocate_tensors_in(it, arena_storage() + 1, need) == EMBER_INVALID_ARGUMENT);
    CHECK_CONTAINS(ember_interpreter_error(it), "aligned");
    CHECK_STATUS(ember_interpreter_allocate_tensors_in(it, arena_storage(), need), EMBER_OK,
                 ember_interpreter_error(it));
    CHECK(ember_interpreter_arena_bytes(it) == need);
    for (i = 0; i < 5; ++i)
        run_once(it);
    CHECK(heap_calls == before);
    ember_interpreter_destroy(it); /* frees bookkeeping, never the caller's arena */
}

static void test_invoke_never_mallocs(void) {
    static uint8_t model[4096];
    ember_interpreter *it = create(model, sizeof model);
    long before;
    int i;
    if (!it)
        return;
    CHECK_STATUS(ember_interpreter_allocate_tensors(it), EMBER_OK, ember_interpreter_error(it));
    before = heap_calls;
    for (i = 0; i < 5; ++i)
        run_once(it);
    CHECK(heap_calls == before);
    ember_interpreter_destroy(it);
}

static void test_arena_cap(void) {
    static uint8_t model[4096];
    ember_interpreter *it = create(model, sizeof model);
    size_t need = 0;
    long before;
    if (!it)
        return;
    CHECK(ember_interpreter_arena_bytes_required(it, &need) == EMBER_OK);
    CHECK(ember_interpreter_set_max_arena_bytes(it, need - 1) == EMBER_OK);
    before = heap_calls;
    CHECK(ember_interpreter_allocate_tensors(it) == EMBER_OUT_OF_MEMORY);
    CHECK(heap_calls == before); /* refused before asking the heap */
    CHECK_CONTAINS(ember_interpreter_error(it), "limit");
    CHECK(ember_interpreter_set_max_arena_bytes(it, need) == EMBER_OK);
    CHECK_STATUS(ember_interpreter_allocate_tensors(it), EMBER_OK, ember_interpreter_error(it));
    run_once(it);
    ember_interpreter_destroy(it);
}

/* A FULLY_CONNECTED big enough to be split over two threads, in a caller's arena and in the runtime's. */
#define FC_BATCHES 32
#define FC_IN 64
#define FC_OUT 48
static float fc_weights[FC_OUT * FC_IN], fc_bias[FC_OUT];
static uint8_t fc_arena_raw[(128 << 10) + EMBER_ARENA_ALIGNMENT];

static void test_threads_never_malloc_in_invoke(void) {
    static uint8_t model[65536];
    static float x[FC_BATCHES * FC_IN], y[FC_BATCHES * FC_OUT];
    const uintptr_t a = (uintptr_t)fc_arena_raw;
    uint8_t *arena =
        fc_arena_raw + ((EMBER_ARENA_ALIGNMENT - a % EMBER_ARENA_ALIGNMENT) % EMBER_ARENA_ALIGNMENT);
    int caller_arena, i;
    for (i = 0; i < FC_OUT * FC_IN; ++i)
        fc_weights[i] = (float)(i % 13 - 6) / 8.0f;
    for (i = 0; i < FC_BATCHES * FC_IN; ++i)
        x[i] = (float)(i % 7 - 3);
    for (caller_arena = 0; caller_arena < 2; ++caller_arena) {
        tm_model m;
        char err[EMBER_ERROR_CAPACITY];
        ember_interpreter *it = NULL;
        size_t n, need = 0;
        int32_t in, out;
        long before;
        tm_fc(&m, FC_BATCHES, FC_IN, FC_OUT, fc_weights, fc_bias);
        n = tm_write(&m, model, sizeof model);
        CHECK_STATUS(ember_interpreter_create(model, n, &it, err, sizeof err), EMBER_OK, err);
        if (!it)
            return;
        CHECK(ember_interpreter_set_num_threads(it, 2) == EMBER_OK);
        CHECK(ember_interpreter_arena_bytes_required(it, &need) == EMBER_OK);
        CHECK(need <= sizeof fc_arena_raw - EMBER_ARENA_ALIGNMENT);
        before = heap_calls;
        if (caller_arena) {
            CHECK_STATUS(ember_interpreter_allocate_tensors_in(it, arena, need), EMBER_OK,
                         ember_interpreter_error(it));
#ifndef EMBER_TEST_STATIC
            /* A static C library's pthread_create goes through the wrapped allocator too: not the runtime's.
             */
            CHECK(heap_calls == before);
#endif
        } else {
            CHECK_STATUS(ember_interpreter_allocate_tensors(it), EMBER_OK, ember_interpreter_error(it));
        }
        CHECK(ember_interpreter_input_tensor(it, 0, &in) == EMBER_OK);
        CHECK(ember_interpreter_output_tensor(it, 0, &out) == EMBER_OK);
        before = heap_calls;
        for (i = 0; i < 5; ++i) {
            CHECK(ember_interpreter_write_tensor(it, in, x, sizeof x) == EMBER_OK);
            CHECK_STATUS(ember_interpreter_invoke(it), EMBER_OK, ember_interpreter_error(it));
            CHECK(ember_interpreter_read_tensor(it, out, y, sizeof y) == EMBER_OK);
        }
        CHECK(heap_calls == before);
        ember_interpreter_destroy(it);
    }
}

/* Softmax rows of the walking-skeleton model, computed here: FC(4 -> 3, RELU) then SOFTMAX. */
static void expected_row(const float *x, float *y) {
    float sum = 0.0f, top;
    int o, i;
    for (o = 0; o < 3; ++o) {
        float acc = bias[o];
        for (i = 0; i < 4; ++i)
            acc += weights[o * 4 + i] * x[i];
        y[o] = acc > 0.0f ? acc : 0.0f;
    }
    top = y[0] > y[1] ? (y[0] > y[2] ? y[0] : y[2]) : (y[1] > y[2] ? y[1] : y[2]);
    for (o = 0; o < 3; ++o) {
        y[o] = (float)exp((double)(y[o] - top));
        sum += y[o];
    }
    for (o = 0; o < 3; ++o)
        y[o] /= sum;
}

/* Issue 14: resize the batch, then allocate into a caller's arena of the newly reported size without a heap
 * call; a resize a kernel refuses leaves the interpreter invoking with its previous shapes. */
static void test_resize_into_caller_arena(void) {
    static uint8_t model[4096];
    static const float x[12] = {1.0f, 2.0f, -3.0f, 0.5f, -1.0f, 0.25f, 2.0f, 1.5f, 0.0f, -0.5f, 3.0f, -2.0f};
    const int32_t batch3[2] = {3, 4}, bad[2] = {1, 5};
    ember_interpreter *it = create(model, sizeof model);
    size_t need1 = 0, need3 = 0;
    float y[9], want[3];
    int32_t in, out, r, o;
    long before;
    ember_tensor_info info;
    if (!it)
        return;
    CHECK(ember_interpreter_arena_bytes_required(it, &need1) == EMBER_OK);
    CHECK_STATUS(ember_interpreter_allocate_tensors_in(it, arena_storage(), need1), EMBER_OK,
                 ember_interpreter_error(it));
    run_once(it);
    CHECK_STATUS(ember_interpreter_resize_input(it, 0, batch3, 2), EMBER_OK, ember_interpreter_error(it));
    CHECK(ember_interpreter_arena_bytes_required(it, &need3) == EMBER_OK);
    CHECK(need3 > need1 && need3 <= ARENA_CAPACITY);
    CHECK(ember_interpreter_input_tensor(it, 0, &in) == EMBER_OK);
    CHECK(ember_interpreter_output_tensor(it, 0, &out) == EMBER_OK);
    CHECK(ember_interpreter_tensor_info(it, out, &info) == EMBER_OK);
    CHECK(info.rank == 2 && info.dims[0] == 3 && info.dims[1] == 3 && info.data == NULL);
    CHECK(ember_interpreter_invoke(it) == EMBER_BAD_STATE);
    before = heap_calls;
    CHECK(ember_interpreter_allocate_tensors_in(it, arena_storage(), need3 - 1) == EMBER_INVALID_ARGUMENT);
    CHECK_CONTAINS(ember_interpreter_error(it), "after the resize");
    CHECK_STATUS(ember_interpreter_allocate_tensors_in(it, arena_storage(), need3), EMBER_OK,
                 ember_interpreter_error(it));
    CHECK(ember_interpreter_write_tensor(it, in, x, sizeof x) == EMBER_OK);
    CHECK_STATUS(ember_interpreter_invoke(it), EMBER_OK, ember_interpreter_error(it));
    CHECK(ember_interpreter_read_tensor(it, out, y, sizeof y) == EMBER_OK);
    CHECK(heap_calls == before);
    for (r = 0; r < 3; ++r) {
        expected_row(x + 4 * r, want);
        for (o = 0; o < 3; ++o)
            CHECK_NEAR(y[3 * r + o], want[o], 1e-6);
    }
    /* 5 features into a 4-input FULLY_CONNECTED: refused at allocate, naming the op; [3, 4] still runs. */
    CHECK_STATUS(ember_interpreter_resize_input(it, 0, bad, 2), EMBER_OK, ember_interpreter_error(it));
    before = heap_calls;
    CHECK(ember_interpreter_allocate_tensors_in(it, arena_storage(), ARENA_CAPACITY) ==
          EMBER_INVALID_ARGUMENT);
    CHECK(heap_calls == before);
    CHECK_CONTAINS(ember_interpreter_error(it), "input 0 ('input') resized to [1,5]: FULLY_CONNECTED 0");
    CHECK_CONTAINS(ember_interpreter_error(it), "keeps its previous shapes");
    CHECK(ember_interpreter_tensor_info(it, in, &info) == EMBER_OK);
    CHECK(info.rank == 2 && info.dims[0] == 3 && info.dims[1] == 4 && info.data != NULL);
    CHECK(ember_interpreter_write_tensor(it, in, x, sizeof x) == EMBER_OK);
    CHECK_STATUS(ember_interpreter_invoke(it), EMBER_OK, ember_interpreter_error(it));
    CHECK(ember_interpreter_read_tensor(it, out, y, sizeof y) == EMBER_OK);
    expected_row(x + 8, want);
    CHECK_NEAR(y[8], want[2], 1e-6);
    ember_interpreter_destroy(it);
}

/* Output 0 of the last invoke into out (zero-padded; at most its 4096 bytes). */
static void read_output0(ember_interpreter *it, uint8_t *out) {
    int32_t index;
    ember_tensor_info info;
    memset(out, 0, 4096);
    CHECK(ember_interpreter_output_tensor(it, 0, &index) == EMBER_OK);
    CHECK(ember_interpreter_tensor_info(it, index, &info) == EMBER_OK && info.bytes <= 4096);
    if (info.bytes <= 4096)
        CHECK(ember_interpreter_read_tensor(it, index, out, info.bytes) == EMBER_OK);
}

/* A model file given on the command line (CMake passes TensorFlow's tf.while_loop, two-signature and stateful
 * files): its inputs zeroed but int32 ones set to 5 (a loop count), invoked and every signature run, the
 * variables reset and invoked again, all without a heap call, in a malloc'ed arena and in a caller's. */
static void test_file_never_mallocs_in_invoke(const char *path) {
    char err[EMBER_ERROR_CAPACITY];
    static uint8_t model[65536];
    static uint8_t arena_raw_big[(1 << 20) + EMBER_ARENA_ALIGNMENT];
    uint8_t *arena =
        arena_raw_big +
        (EMBER_ARENA_ALIGNMENT - (uintptr_t)arena_raw_big % EMBER_ARENA_ALIGNMENT) % EMBER_ARENA_ALIGNMENT;
    FILE *f = fopen(path, "rb");
    size_t n, need = 0;
    int pass;
    CHECK(f != NULL);
    if (!f)
        return;
    n = fread(model, 1, sizeof model, f);
    fclose(f);
    for (pass = 0; pass < 2; ++pass) {
        ember_interpreter *it = NULL;
        long before;
        int32_t i, s, index;
        static uint8_t first[4096], again[4096];
        CHECK_STATUS(ember_interpreter_create(model, n, &it, err, sizeof err), EMBER_OK, err);
        if (!it)
            return;
        if (pass == 0) {
            CHECK_STATUS(ember_interpreter_allocate_tensors(it), EMBER_OK, ember_interpreter_error(it));
        } else {
            CHECK(ember_interpreter_arena_bytes_required(it, &need) == EMBER_OK && need <= (size_t)1 << 20);
            before = heap_calls;
            CHECK_STATUS(ember_interpreter_allocate_tensors_in(it, arena, need), EMBER_OK,
                         ember_interpreter_error(it));
            CHECK(heap_calls == before);
        }
        before = heap_calls;
        for (i = 0; i < ember_interpreter_input_count(it); ++i) {
            ember_tensor_info info;
            static uint8_t zeros[4096];
            const int32_t five = 5;
            CHECK(ember_interpreter_input_tensor(it, i, &index) == EMBER_OK);
            CHECK(ember_interpreter_tensor_info(it, index, &info) == EMBER_OK && info.bytes <= sizeof zeros);
            CHECK(ember_interpreter_write_tensor(it, index,
                                                 info.type == EMBER_INT32 ? (const void *)&five : zeros,
                                                 info.bytes) == EMBER_OK);
        }
        for (i = 0; i < 3; ++i) {
            CHECK_STATUS(ember_interpreter_invoke(it), EMBER_OK, ember_interpreter_error(it));
            if (i == 0)
                read_output0(it, first);
        }
        for (s = 0; s < ember_interpreter_signature_count(it); ++s)
            CHECK_STATUS(ember_interpreter_invoke_signature(it, s), EMBER_OK, ember_interpreter_error(it));
        /* A stateful file (resource variables) moved its state on; after a reset the next invoke is the first
         * one again, bit for bit. */
        CHECK_STATUS(ember_interpreter_reset_variables(it), EMBER_OK, ember_interpreter_error(it));
        CHECK_STATUS(ember_interpreter_invoke(it), EMBER_OK, ember_interpreter_error(it));
        read_output0(it, again);
        CHECK(memcmp(first, again, sizeof first) == 0);
        CHECK(heap_calls == before);
        ember_interpreter_destroy(it);
    }
}

int main(int argc, char **argv) {
    int i;
    test_caller_arena_never_mallocs();
    test_resize_into_caller_arena();
    test_invoke_never_mallocs();
    test_threads_never_malloc_in_invoke();
    test_arena_cap();
    for (i = 1; i < argc; ++i)
        test_file_never_mallocs_in_invoke(argv[i]);
    printf("memory: %s\n", test_failures ? "FAILED" : "ok");
    return test_failures ? 1 : 0;
}
