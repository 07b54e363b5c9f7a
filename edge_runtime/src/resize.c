/* Dynamic shapes: ember_interpreter_resize_input and the allocation that follows it (ember.h).
 *
 * A resize sets the input's dims, propagates shapes through every op (shape_propagation.c) and lays the arena
 * out again, so that ember_interpreter_arena_bytes_required reports the new size at once. The interpreter is
 * then unallocated (its tensors have no memory; the previous arena stays reserved) until allocate_tensors or
 * allocate_tensors_in: with every input resized, shapes are propagated again, now refusing inputs an op
 * cannot take (naming the op), a new arena is bound and every kernel's prepare runs with its checks on the
 * new shapes. Whatever fails, nothing is lost: a refused shape brings back the shapes of the last successful
 * allocation and, when the interpreter had been allocated, its previous arena, prepared again, so it invokes
 * exactly as before the resize. */
#include <stdlib.h>
#include <string.h>

#include "ember_internal.h"

typedef struct tensor_shape {
    int32_t dims[EMBER_MAX_DIMS];
    size_t bytes;
} tensor_shape;

struct ember_resize_state {
    int pending;             /* a resize waits for allocation */
    int was_allocated;       /* the interpreter was allocated when the first pending resize came */
    void *old_block;         /* that allocation's arena: malloc's block (NULL for a caller's arena) */
    uint8_t *old_arena;      /* and its aligned start */
    size_t old_bytes;        /* and its size */
    tensor_shape *committed; /* every tensor's shape at the last successful allocation (or at create) */
    tensor_shape *before;    /* every tensor's shape before the current resize call */
    /* The model's offline plan (OfflineMemoryAllocation) fits the shapes in the file only: a resize plans
     * greedily, and restoring shapes restores the plan that went with them. */
    const uint8_t *committed_plan;
    const uint8_t *before_plan;
    void *propagation; /* ember_shape_scratch_bytes: the allocation after a resize never mallocs */
    /* The last resize, for messages: graph input number `input` of subgraph 0, or -1 and tensor `tensor` (an
     * input of another subgraph, resized by a signature). */
    int32_t input;
    int32_t tensor;
    int32_t rank;
    int32_t dims[EMBER_MAX_DIMS];
};

void ember_resize_free(ember_interpreter *it) {
    if (!it->resize)
        return;
    if (it->resize->pending && it->resize->old_block != it->arena_block)
        free(it->resize->old_block);
    free(it->resize->committed);
    free(it->resize->before);
    free(it->resize->propagation);
    free(it->resize);
    it->resize = NULL;
}

int ember_resize_pending(const ember_interpreter *it) {
    return it->resize && it->resize->pending;
}

static void save_shapes(const ember_interpreter *it, tensor_shape *to) {
    int32_t i;
    for (i = 0; i < it->tensor_count; ++i) {
        memcpy(to[i].dims, it->tensors[i].dims, sizeof to[i].dims);
        to[i].bytes = it->tensors[i].bytes;
    }
}

static void restore_shapes(ember_interpreter *it, const tensor_shape *from) {
    int32_t i;
    for (i = 0; i < it->tensor_count; ++i) {
        memcpy(it->tensors[i].dims, from[i].dims, sizeof from[i].dims);
        it->tensors[i].bytes = from[i].bytes;
    }
}

/* "[3,12,12,3]" of the last resize. */
static const char *resized_shape(const struct ember_resize_state *s, char *buf, size_t capacity) {
    ember_tensor t;
    t.rank = s->rank;
    memcpy(t.dims, s->dims, sizeof t.dims);
    return ember_shape_string(&t, buf, capacity);
}

/* Prefixes ctx->error with the resize it follows: "input 0 ('x') resized to [3,4]: <message><suffix>"
 * ("tensor 9 ('x')" for another subgraph's input). */
static ember_status explain(ember_interpreter *it, ember_status status, const char *suffix) {
    char message[EMBER_ERROR_CAPACITY], shape[96];
    const struct ember_resize_state *s = it->resize;
    memcpy(message, it->error, sizeof message);
    return ember_fail(it, status, "%s %ld ('%.48s') resized to %s: %s%s", s->input >= 0 ? "input" : "tensor",
                      (long)(s->input >= 0 ? s->input : s->tensor), it->tensors[s->tensor].name,
                      resized_shape(s, shape, sizeof shape), message, suffix);
}

static ember_status resize_tensor(ember_interpreter *it, int32_t index, int32_t input_index,
                                  const int32_t *dims, int32_t rank);

ember_status ember_interpreter_resize_input(ember_interpreter *it, int32_t input_index, const int32_t *dims,
                                            int32_t rank) {
    if (!it)
        return EMBER_INVALID_ARGUMENT;
    it->error[0] = '\0';
    EMBER_CHECK(it, input_index >= 0 && input_index < it->input_count, EMBER_INVALID_ARGUMENT,
                "resize_input: input %ld does not exist (the model has %ld inputs)", (long)input_index,
                (long)it->input_count);
    return resize_tensor(it, it->inputs[input_index], input_index, dims, rank);
}

ember_status ember_interpreter_resize_tensor(ember_interpreter *it, int32_t tensor_index, const int32_t *dims,
                                             int32_t rank) {
    int32_t i;
    if (!it)
        return EMBER_INVALID_ARGUMENT;
    it->error[0] = '\0';
    EMBER_CHECK(
        it, tensor_index >= 0 && tensor_index < it->tensor_count && it->tensors[tensor_index].is_graph_input,
        EMBER_INVALID_ARGUMENT, "resize_tensor: tensor %ld is not an input of any subgraph",
        (long)tensor_index);
    for (i = 0; i < it->input_count; ++i)
        if (it->inputs[i] == tensor_index)
            return resize_tensor(it, tensor_index, i, dims, rank);
    return resize_tensor(it, tensor_index, -1, dims, rank);
}

/* input_index: the graph input number of subgraph 0 that tensor `index` is, or -1 (messages name it). */
static ember_status resize_tensor(ember_interpreter *it, int32_t index, int32_t input_index,
                                  const int32_t *dims, int32_t rank) {
    struct ember_resize_state *s;
    ember_tensor *t = &it->tensors[index];
    ember_status status;
    int32_t d, i;
    char a[96];
    EMBER_CHECK(it, dims != NULL || rank == 0, EMBER_INVALID_ARGUMENT, "resize_input: dims is NULL");
    EMBER_CHECK(it, rank == t->rank, EMBER_INVALID_ARGUMENT,
                "resize_input: %s %ld ('%.64s') has rank %ld %s, got %ld dims (the rank cannot change)",
                input_index >= 0 ? "input" : "tensor", (long)(input_index >= 0 ? input_index : index),
                t->name, (long)t->rank, ember_shape_string(t, a, sizeof a), (long)rank);
    for (d = 0; d < rank; ++d)
        EMBER_CHECK(it, dims[d] >= 0, EMBER_INVALID_ARGUMENT,
                    "resize_input: %s %ld ('%.64s'): dim %ld is %ld, dims must be >= 0",
                    input_index >= 0 ? "input" : "tensor", (long)(input_index >= 0 ? input_index : index),
                    t->name, (long)d, (long)dims[d]);
    if (rank == 0 || memcmp(dims, t->dims, (size_t)rank * sizeof *dims) == 0)
        return EMBER_OK; /* the shape it has: nothing to redo (LiteRT's ResizeInputTensor does the same) */
    if (!it->resize) {
        const size_t n = (size_t)(it->tensor_count ? it->tensor_count : 1);
        s = (struct ember_resize_state *)calloc(1, sizeof *s);
        if (s) {
            s->committed = (tensor_shape *)malloc(n * sizeof *s->committed);
            s->before = (tensor_shape *)malloc(n * sizeof *s->before);
            s->propagation = malloc(ember_shape_scratch_bytes(it));
        }
        if (!s || !s->committed || !s->before || !s->propagation) {
            if (s) {
                free(s->committed);
                free(s->before);
                free(s->propagation);
            }
            free(s);
            return ember_fail(it, EMBER_OUT_OF_MEMORY, "resize_input: cannot allocate %lu saved shapes",
                              (unsigned long)n);
        }
        it->resize = s;
    }
    s = it->resize;
    if (!s->pending) {
        save_shapes(it, s->committed);
        s->was_allocated = it->allocated;
        s->old_block = it->arena_block;
        s->old_arena = it->arena;
        s->old_bytes = it->arena_bytes;
        s->committed_plan = it->offline_plan;
    }
    save_shapes(it, s->before);
    s->before_plan = it->offline_plan;
    it->offline_plan = NULL;
    s->input = input_index;
    s->tensor = index;
    s->rank = rank;
    memcpy(s->dims, dims, (size_t)rank * sizeof *dims);

    status = ember_set_tensor_shape(it, t, dims);
    if (status == EMBER_OK)
        status = ember_propagate_shapes(it, EMBER_SHAPES_RESIZE, s->propagation);
    if (status == EMBER_OK)
        status = ember_plan_layout(it);
    if (status != EMBER_OK) {
        explain(it, status, "");
        restore_shapes(it, s->before);
        it->offline_plan = s->before_plan;
        if (ember_plan_layout(it) != EMBER_OK)
            it->arena_bytes = s->old_bytes; /* cannot happen: this layout was made before */
        return status;
    }
    s->pending = 1;
    /* No tensor keeps memory of the old size; the old arena stays until the new one is bound. */
    it->allocated = 0;
    for (i = 0; i < it->tensor_count; ++i) {
        if (!it->tensors[i].is_constant)
            it->tensors[i].data = NULL;
    }
    return EMBER_OK;
}

static ember_status refused(ember_interpreter *it, ember_status status);

ember_status ember_resize_allocate(ember_interpreter *it, void *arena, size_t bytes) {
    struct ember_resize_state *s = it->resize;
    void *block = NULL;
    uint8_t *base;
    ember_status status;
    if (it->arena_bytes > it->max_arena_bytes) {
        ember_fail(it, EMBER_OUT_OF_MEMORY,
                   "the model needs an arena of %lu bytes (%lu for tensors), above this interpreter's limit "
                   "of %lu (ember_interpreter_set_max_arena_bytes)",
                   (unsigned long)it->arena_bytes, (unsigned long)it->planned_bytes,
                   (unsigned long)it->max_arena_bytes);
        return explain(it, EMBER_OUT_OF_MEMORY, "; allocate again, or resize back");
    }
    /* All inputs are resized now: the shapes must hold together. */
    status = ember_propagate_shapes(it, EMBER_SHAPES_RESIZE_CHECKED, s->propagation);
    if (status == EMBER_OK)
        status = ember_plan_layout(it);
    if (status != EMBER_OK)
        return refused(it, status);
    if (arena) {
        EMBER_CHECK(it, (uintptr_t)arena % EMBER_ARENA_ALIGNMENT == 0, EMBER_INVALID_ARGUMENT,
                    "the arena must be a non-NULL pointer aligned to %d bytes", EMBER_ARENA_ALIGNMENT);
        EMBER_CHECK(it, bytes >= it->arena_bytes, EMBER_INVALID_ARGUMENT,
                    "the arena holds %lu bytes, the model needs %lu after the resize "
                    "(ember_interpreter_arena_bytes_required)",
                    (unsigned long)bytes, (unsigned long)it->arena_bytes);
        base = (uint8_t *)arena;
    } else {
        block = malloc(it->arena_bytes + EMBER_ALIGNMENT);
        EMBER_CHECK(it, block != NULL, EMBER_OUT_OF_MEMORY,
                    "cannot allocate an arena of %lu bytes (%lu for tensors) for the resized inputs",
                    (unsigned long)it->arena_bytes, (unsigned long)it->planned_bytes);
        base = (uint8_t *)block + (EMBER_ALIGNMENT - (uintptr_t)block % EMBER_ALIGNMENT) % EMBER_ALIGNMENT;
    }
    ember_threads_stop(it); /* the pool lives in the old arena */
    it->arena_block = block;
    status = ember_bind_arena(it, base); /* frees `block` on failure */
    if (status == EMBER_OK) {
        if (s->old_block != block)
            free(s->old_block);
        s->pending = 0;
        return EMBER_OK;
    }
    return refused(it, status);
}

/* The new shapes were refused (by an op's shape rule or a kernel's prepare): back to the last allocation's.
 */
static ember_status refused(ember_interpreter *it, ember_status status) {
    struct ember_resize_state *s = it->resize;
    explain(it, status, " (the interpreter keeps its previous shapes)");
    ember_threads_stop(it); /* when refused before the new arena was bound, the old one's pool still runs */
    s->pending = 0;
    restore_shapes(it, s->committed);
    it->offline_plan = s->committed_plan;
    if (ember_plan_layout(it) == EMBER_OK && s->was_allocated && it->arena_bytes <= s->old_bytes) {
        char message[EMBER_ERROR_CAPACITY];
        memcpy(message, it->error, sizeof message);
        it->arena_block = s->old_block;
        if (ember_bind_arena(it, s->old_arena) == EMBER_OK) {
            memcpy(it->error, message, sizeof message);
            return status;
        }
        memcpy(it->error, message, sizeof message);
    } else {
        free(s->old_block);
    }
    it->arena_block = NULL; /* unallocated, with the previous shapes: allocate_tensors starts afresh */
    it->arena = NULL;
    return status;
}
