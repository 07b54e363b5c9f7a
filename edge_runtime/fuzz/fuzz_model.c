/* libFuzzer harness: any byte string through create -> allocate (arena capped at 16 MiB, so a small hostile
 * file cannot make the runtime ask for gigabytes) -> write inputs -> invoke -> read outputs -> invoke every
 * signature -> reset the variables -> invoke again, then all once more after resizing input 0 (resize_input
 * -> allocate -> invoke) -> destroy. Built with clang -fsanitize=fuzzer,address,undefined (see
 * edge_runtime/README.md); a crash, leak or sanitizer report is a bug. Error statuses are the expected answer
 * to most inputs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ember.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The arena cap set below: no tensor larger than it can have memory. */
#define ARENA_CAP ((size_t)16 << 20)

static void fill_and_run(ember_interpreter *it) {
    int32_t i, index;
    ember_tensor_info info;
    for (i = 0; i < ember_interpreter_input_count(it); ++i) {
        void *buf;
        if (ember_interpreter_input_tensor(it, i, &index) != EMBER_OK ||
            ember_interpreter_tensor_info(it, index, &info) != EMBER_OK)
            return;
        /* A resize the arena cap refused keeps its new shapes (to allocate again with a larger cap), so an
         * input may report gigabytes while it has no memory: the harness must not malloc that much for it. */
        if (info.bytes > ARENA_CAP)
            return;
        buf = malloc(info.bytes ? info.bytes : 1);
        if (!buf)
            return;
        /* 0x3c bytes: float 0.0115, int8 60, int32/int64 a large positive index (kernels must range-check).
         */
        memset(buf, 0x3c, info.bytes);
        ember_interpreter_write_tensor(it, index, buf, info.bytes);
        free(buf);
    }
    if (ember_interpreter_invoke(it) != EMBER_OK)
        return;
    for (i = 0; i < ember_interpreter_output_count(it); ++i) {
        void *buf;
        if (ember_interpreter_output_tensor(it, i, &index) != EMBER_OK ||
            ember_interpreter_tensor_info(it, index, &info) != EMBER_OK)
            return;
        buf = malloc(info.bytes ? info.bytes : 1);
        if (buf)
            ember_interpreter_read_tensor(it, index, buf, info.bytes);
        free(buf);
    }
}

/* Signatures run other subgraphs, over whatever their tensors hold. */
static void run_signatures(ember_interpreter *it) {
    int32_t s;
    for (s = 0; s < ember_interpreter_signature_count(it); ++s)
        ember_interpreter_invoke_signature(it, s);
}

/* Resizes input 0 (its first dim to 1..4 and, by `pick`'s high bits, one other dim to 1..8), allocates again
 * and runs: shape propagation and every prepare on shapes the file never had. A refusal must leave a message
 * and the interpreter usable at its previous shapes. */
static void resize_and_run(ember_interpreter *it, uint8_t pick) {
    int32_t index, dims[EMBER_MAX_DIMS], d;
    ember_tensor_info info;
    if (ember_interpreter_input_count(it) < 1 || ember_interpreter_input_tensor(it, 0, &index) != EMBER_OK ||
        ember_interpreter_tensor_info(it, index, &info) != EMBER_OK || info.rank < 1)
        return;
    for (d = 0; d < info.rank; ++d)
        dims[d] = info.dims[d];
    dims[0] = 1 + (pick & 3);
    if (info.rank > 1)
        dims[1 + (pick >> 5) % (info.rank - 1)] = 1 + ((pick >> 2) & 7);
    if (ember_interpreter_resize_input(it, 0, dims, info.rank) != EMBER_OK) {
        if (ember_interpreter_error(it)[0] == '\0')
            abort();
        return;
    }
    if (ember_interpreter_allocate_tensors(it) != EMBER_OK && ember_interpreter_error(it)[0] == '\0')
        abort();
    fill_and_run(it);   /* the new shapes, or the previous ones after a refusal */
    run_signatures(it); /* and the calls of other subgraphs after it (their prepare checked them again) */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char error[EMBER_ERROR_CAPACITY];
    ember_interpreter *it = NULL;
    /* A private copy: the runtime reads weights in place, and libFuzzer's buffer is exactly `size` long, so
     * ASan catches any read past the model's end. */
    uint8_t *model = (uint8_t *)malloc(size ? size : 1);
    if (!model)
        return 0;
    if (size)
        memcpy(model, data, size);
    if (ember_interpreter_create(model, size, &it, error, sizeof error) == EMBER_OK) {
        ember_interpreter_set_max_arena_bytes(it, ARENA_CAP);
        if (ember_interpreter_allocate_tensors(it) == EMBER_OK) {
            fill_and_run(it);
            run_signatures(it);
            /* A new stream: variables unassigned and CALL_ONCE armed again, then the same calls. */
            if (ember_interpreter_reset_variables(it) != EMBER_OK)
                abort();
            fill_and_run(it);
            resize_and_run(it, size ? data[size - 1] : 0);
        } else if (ember_interpreter_error(it)[0] == '\0') {
            abort(); /* every error leaves a message */
        }
        ember_interpreter_destroy(it);
    } else if (error[0] == '\0') {
        abort();
    }
    free(model);
    return 0;
}
