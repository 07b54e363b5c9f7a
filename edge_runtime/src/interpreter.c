/* The public API: create (verify + load), allocate (plan + one arena + prepare), invoke, accessors. */
#include <stdlib.h>
#include <string.h>

#include "ember_internal.h"
#include "planner.h"

static size_t align_up(size_t n) {
    return (n + (EMBER_ALIGNMENT - 1)) & ~(size_t)(EMBER_ALIGNMENT - 1);
}

/* Kernels read constants in place through typed pointers, which C only allows at the type's alignment; a
 * sparse constant is densified into the arena. */
static int needs_copy(const ember_tensor *t) {
    return t->is_constant && t->bytes &&
           ((uintptr_t)t->const_data % ember_type_size(t->type) != 0 || t->is_sparse);
}

static int host_is_little_endian(void) {
    const uint16_t probe = 1;
    return *(const uint8_t *)&probe == 1;
}

static void free_interpreter(ember_interpreter *it) {
    ember_threads_stop(it); /* joins the workers before their memory, in the arena, goes */
    ember_resize_free(it);
    free(it->arena_block);
    free(it->plan_entries);
    free(it->plan_scratch);
    free(it->io_indices);
    free(it->signatures);
    free(it->variables);
    free(it->subgraphs);
    free(it->nodes);
    free(it->tensors);
    ember_free_custom_kernels(it);
    free(it);
}

/* Adds n (aligned) to *total; 0 on size_t overflow. */
static int add_size(size_t *total, size_t n) {
    if (n > (size_t)-1 - EMBER_ALIGNMENT || align_up(n) > (size_t)-1 - EMBER_ALIGNMENT - *total)
        return 0;
    *total += align_up(n);
    return 1;
}

/* The arena layout, computed by create (and again when the thread count changes): [op data][copies of
 * misaligned constants][scratch][thread pool][planned tensors]. The first four live as long as the
 * interpreter (op data: each kernel's op_data_bytes hook, e.g. packed weights; scratch: one block a thread of
 * the largest scratch_bytes of any node, shared since nodes run one at a time); in the planned part tensors
 * whose lifetimes do not overlap share bytes, placed by the offline plan where the model has one and greedily
 * otherwise. Sets every planned tensor's arena_offset, it->scratch_bytes, it->planned_bytes and
 * it->arena_bytes (the total). */
ember_status ember_plan_layout(ember_interpreter *it) {
    int32_t i, s;
    size_t persistent = 0, total;

    for (i = 0; i < it->node_count; ++i)
        EMBER_CHECK(it, add_size(&persistent, ember_op_data_bytes(it, &it->nodes[i])), EMBER_OUT_OF_MEMORY,
                    "op data does not fit the address space");
    for (i = 0; i < it->tensor_count; ++i)
        EMBER_CHECK(it, !needs_copy(&it->tensors[i]) || add_size(&persistent, it->tensors[i].bytes),
                    EMBER_OUT_OF_MEMORY, "constant copies do not fit the address space");
    it->scratch_bytes = 0;
    for (i = 0; i < it->node_count; ++i) {
        const size_t bytes = ember_scratch_bytes(it, &it->nodes[i]);
        it->scratch_bytes = bytes > it->scratch_bytes ? bytes : it->scratch_bytes;
    }
    EMBER_CHECK(it,
                it->scratch_bytes <= ((size_t)-1 >> 2) / (size_t)it->threads &&
                    add_size(&persistent, align_up(it->scratch_bytes) * (size_t)it->threads) &&
                    add_size(&persistent, ember_threads_pool_bytes(it)),
                EMBER_OUT_OF_MEMORY, "kernel scratch for %ld threads does not fit the address space",
                (long)it->threads);
    total = persistent;
    for (s = 0; s < it->subgraph_count; ++s)
        EMBER_TRY(ember_plan_subgraph(it, &it->subgraphs[s], &total));
    it->planned_bytes = total - persistent;
    it->arena_bytes = total;
    return EMBER_OK;
}

/* (ember_interpreter_create, the same without a resolver, is in custom_ops.c.) */
ember_status ember_interpreter_create_with_resolver(const void *model_data, size_t model_size,
                                                    const ember_op_resolver *resolver,
                                                    ember_interpreter **out, char *error,
                                                    size_t error_capacity) {
    ember_interpreter *it;
    ember_status status;
    if (out)
        *out = NULL;
    if (error && error_capacity)
        error[0] = '\0';
    if (!out || (!model_data && model_size)) {
        if (error && error_capacity)
            snprintf(error, error_capacity, "ember_interpreter_create: %s is NULL",
                     out ? "model_data" : "out");
        return EMBER_INVALID_ARGUMENT;
    }
    it = (ember_interpreter *)calloc(1, sizeof *it);
    if (!it) {
        if (error && error_capacity)
            snprintf(error, error_capacity, "cannot allocate the interpreter");
        return EMBER_OUT_OF_MEMORY;
    }
    it->max_arena_bytes = EMBER_DEFAULT_MAX_ARENA_BYTES;
    it->threads = 1;
    /* Fixed for the interpreter's life: the op data sizes (packed weights) depend on it. */
    it->isa = ember_isa_from_env(ember_cpu_detect());
    it->reference_kernels = ember_isa_env_is_reference();
    fb_init(&it->model, model_data, model_size);
    if (!host_is_little_endian())
        status = ember_fail(it, EMBER_UNSUPPORTED,
                            "big-endian hosts are not supported (weights are little-endian)");
    else
        status = ember_copy_resolver(it, resolver);
    if (status == EMBER_OK)
        status = ember_load_model(it);
    if (status == EMBER_OK)
        status = ember_compute_lifetimes(it);
    if (status == EMBER_OK) {
        /* The planner's working memory is allocated here, so that allocating in a caller's arena mallocs
         * nothing. */
        const size_t n = (size_t)(it->tensor_count ? it->tensor_count : 1);
        it->plan_entries = (ember_plan_entry *)malloc(n * sizeof *it->plan_entries);
        it->plan_scratch = (int32_t *)malloc(n * sizeof *it->plan_scratch);
        status = it->plan_entries && it->plan_scratch
                     ? ember_plan_layout(it)
                     : ember_fail(it, EMBER_OUT_OF_MEMORY, "cannot allocate the planner's %lu entries",
                                  (unsigned long)n);
    }
    if (status != EMBER_OK) {
        if (error && error_capacity)
            snprintf(error, error_capacity, "%s", it->error);
        free_interpreter(it);
        return status;
    }
    *out = it;
    return EMBER_OK;
}

void ember_interpreter_destroy(ember_interpreter *interpreter) {
    if (interpreter)
        free_interpreter(interpreter);
}

const char *ember_interpreter_error(const ember_interpreter *interpreter) {
    return interpreter ? interpreter->error : "interpreter is NULL";
}

/* Undoes a failed allocate so that the interpreter is back in its created state. */
static ember_status release_arena(ember_interpreter *it, ember_status status) {
    int32_t i;
    free(it->arena_block);
    it->arena_block = NULL;
    it->arena = NULL;
    for (i = 0; i < it->tensor_count; ++i)
        it->tensors[i].data =
            it->tensors[i].is_constant ? (void *)(uintptr_t)it->tensors[i].const_data : NULL;
    for (i = 0; i < it->node_count; ++i)
        it->nodes[i].op_data = NULL;
    it->scratch = NULL;
    return status;
}

ember_status ember_bind_arena(ember_interpreter *it, uint8_t *arena) {
    size_t offset = 0;
    int32_t i;
    ember_status status;
    it->arena = arena;
    /* Zeroed once, so that reading an output before the first invoke is deterministic. */
    memset(arena, 0, it->arena_bytes);
    for (i = 0; i < it->node_count; ++i) {
        const size_t bytes = ember_op_data_bytes(it, &it->nodes[i]);
        it->nodes[i].op_data = bytes ? arena + offset : NULL;
        offset += align_up(bytes);
    }
    for (i = 0; i < it->tensor_count; ++i) {
        ember_tensor *t = &it->tensors[i];
        if (needs_copy(t)) {
            ember_copy_constant(it, t, arena + offset); /* densified once if sparse */
            t->data = arena + offset;
            offset += align_up(t->bytes);
        } else if (!t->is_constant && t->first_op >= 0) {
            t->data = arena + t->arena_offset;
        }
    }
    it->scratch = it->scratch_bytes ? arena + offset : NULL;
    offset += align_up(it->scratch_bytes) * (size_t)it->threads;
    ember_reset_variable_tensors(it); /* int8 states start at their zero point */
    for (i = 0; i < it->node_count; ++i) {
        status = it->nodes[i].kernel->prepare(it, &it->nodes[i]);
        if (status != EMBER_OK)
            return release_arena(it, status);
    }
    /* Last, so that a failed prepare leaves no thread to stop; a failed start leaves none either. */
    status = ember_threads_start(it, arena + offset);
    if (status != EMBER_OK)
        return release_arena(it, status);
    it->allocated = 1;
    return EMBER_OK;
}

static ember_status check_arena_cap(ember_interpreter *it) {
    EMBER_CHECK(
        it, it->arena_bytes <= it->max_arena_bytes, EMBER_OUT_OF_MEMORY,
        "the model needs an arena of %lu bytes (%lu for tensors), above this interpreter's limit of %lu "
        "(ember_interpreter_set_max_arena_bytes)",
        (unsigned long)it->arena_bytes, (unsigned long)it->planned_bytes, (unsigned long)it->max_arena_bytes);
    return EMBER_OK;
}

ember_status ember_interpreter_allocate_tensors(ember_interpreter *it) {
    if (!it)
        return EMBER_INVALID_ARGUMENT;
    if (it->allocated)
        return EMBER_OK;
    it->error[0] = '\0';
    if (ember_resize_pending(it))
        return ember_resize_allocate(it, NULL, 0);
    EMBER_TRY(check_arena_cap(it));
    /* One extra alignment unit lets us align the base ourselves, whatever malloc guarantees. */
    it->arena_block = malloc(it->arena_bytes + EMBER_ALIGNMENT);
    EMBER_CHECK(it, it->arena_block != NULL, EMBER_OUT_OF_MEMORY,
                "cannot allocate an arena of %lu bytes (%lu for tensors)", (unsigned long)it->arena_bytes,
                (unsigned long)it->planned_bytes);
    return ember_bind_arena(it, (uint8_t *)it->arena_block +
                                    (EMBER_ALIGNMENT - (uintptr_t)it->arena_block % EMBER_ALIGNMENT) %
                                        EMBER_ALIGNMENT);
}

ember_status ember_interpreter_allocate_tensors_in(ember_interpreter *it, void *arena, size_t bytes) {
    if (!it)
        return EMBER_INVALID_ARGUMENT;
    EMBER_CHECK(it, !it->allocated, EMBER_BAD_STATE, "tensors are already allocated");
    it->error[0] = '\0';
    EMBER_CHECK(it, arena != NULL && (uintptr_t)arena % EMBER_ARENA_ALIGNMENT == 0, EMBER_INVALID_ARGUMENT,
                "the arena must be a non-NULL pointer aligned to %d bytes", EMBER_ARENA_ALIGNMENT);
    if (ember_resize_pending(it))
        return ember_resize_allocate(it, arena, bytes);
    EMBER_CHECK(it, bytes >= it->arena_bytes, EMBER_INVALID_ARGUMENT,
                "the arena holds %lu bytes, the model needs %lu (ember_interpreter_arena_bytes_required)",
                (unsigned long)bytes, (unsigned long)it->arena_bytes);
    EMBER_TRY(check_arena_cap(it));
    return ember_bind_arena(it, (uint8_t *)arena);
}

ember_status ember_interpreter_invoke(ember_interpreter *it) {
    if (!it)
        return EMBER_INVALID_ARGUMENT;
    EMBER_CHECK(it, it->allocated, EMBER_BAD_STATE, "invoke called before allocate_tensors succeeded");
    return ember_invoke_subgraph(it, 0);
}

ember_status ember_interpreter_set_max_arena_bytes(ember_interpreter *it, size_t max_bytes) {
    if (!it)
        return EMBER_INVALID_ARGUMENT;
    it->max_arena_bytes = max_bytes;
    return EMBER_OK;
}

ember_status ember_interpreter_arena_bytes_required(ember_interpreter *it, size_t *bytes) {
    if (!it || !bytes)
        return EMBER_INVALID_ARGUMENT;
    *bytes = it->arena_bytes;
    return EMBER_OK;
}

ember_status ember_interpreter_set_node_hook(ember_interpreter *it, ember_node_hook hook, void *user) {
    if (!it)
        return EMBER_INVALID_ARGUMENT;
    it->node_hook = hook;
    it->node_hook_user = user;
    return EMBER_OK;
}

const char *ember_interpreter_isa(const ember_interpreter *it) {
    if (!it)
        return "";
    return it->reference_kernels ? "reference" : ember_isa_name(it->isa);
}

int32_t ember_interpreter_node_count(const ember_interpreter *it) {
    return it ? it->subgraphs[0].node_count : 0;
}

const char *ember_interpreter_node_name(const ember_interpreter *it, int32_t i) {
    return it && i >= 0 && i < it->subgraphs[0].node_count ? it->nodes[i].kernel->name : "";
}

size_t ember_interpreter_arena_bytes(const ember_interpreter *it) {
    return it && it->allocated ? it->arena_bytes : 0;
}

int32_t ember_interpreter_input_count(const ember_interpreter *it) {
    return it ? it->input_count : 0;
}

int32_t ember_interpreter_output_count(const ember_interpreter *it) {
    return it ? it->output_count : 0;
}

int32_t ember_interpreter_tensor_count(const ember_interpreter *it) {
    return it ? it->subgraphs[0].tensor_count : 0;
}

ember_status ember_interpreter_input_tensor(ember_interpreter *it, int32_t i, int32_t *tensor_index) {
    if (!it || !tensor_index)
        return EMBER_INVALID_ARGUMENT;
    EMBER_CHECK(it, i >= 0 && i < it->input_count, EMBER_INVALID_ARGUMENT,
                "input %ld does not exist (the model has %ld inputs)", (long)i, (long)it->input_count);
    *tensor_index = it->inputs[i];
    return EMBER_OK;
}

ember_status ember_interpreter_output_tensor(ember_interpreter *it, int32_t i, int32_t *tensor_index) {
    if (!it || !tensor_index)
        return EMBER_INVALID_ARGUMENT;
    EMBER_CHECK(it, i >= 0 && i < it->output_count, EMBER_INVALID_ARGUMENT,
                "output %ld does not exist (the model has %ld outputs)", (long)i, (long)it->output_count);
    *tensor_index = it->outputs[i];
    return EMBER_OK;
}

static ember_status check_tensor_index(ember_interpreter *it, int32_t index) {
    EMBER_CHECK(it, index >= 0 && index < it->tensor_count, EMBER_INVALID_ARGUMENT,
                "tensor %ld does not exist (the model has %ld tensors)", (long)index, (long)it->tensor_count);
    return EMBER_OK;
}

ember_status ember_interpreter_tensor_offset(ember_interpreter *it, int32_t index, int64_t *offset) {
    const ember_tensor *t;
    if (!it || !offset)
        return EMBER_INVALID_ARGUMENT;
    EMBER_TRY(check_tensor_index(it, index));
    t = &it->tensors[index];
    *offset = t->is_constant || t->first_op < 0
                  ? -1
                  : (int64_t)(t->arena_offset - (it->arena_bytes - it->planned_bytes));
    return EMBER_OK;
}

ember_status ember_interpreter_tensor_info(ember_interpreter *it, int32_t index, ember_tensor_info *info) {
    const ember_tensor *t;
    if (!it || !info)
        return EMBER_INVALID_ARGUMENT;
    EMBER_TRY(check_tensor_index(it, index));
    t = &it->tensors[index];
    info->name = t->name;
    info->type = t->type;
    info->rank = t->rank;
    info->dims = t->dims;
    info->dims_signature = t->has_signature ? t->dims_signature : t->dims;
    info->bytes = t->bytes;
    info->data = t->data;
    info->is_constant = t->is_constant;
    info->quant_count = t->quant_count;
    info->quantized_dimension = t->quantized_dimension;
    return EMBER_OK;
}

ember_status ember_interpreter_tensor_quantization(ember_interpreter *it, int32_t index, int32_t channel,
                                                   float *scale, int32_t *zero_point) {
    const ember_tensor *t;
    int64_t zp;
    if (!it || !scale || !zero_point)
        return EMBER_INVALID_ARGUMENT;
    EMBER_TRY(check_tensor_index(it, index));
    t = &it->tensors[index];
    EMBER_CHECK(it, channel >= 0 && channel < t->quant_count, EMBER_INVALID_ARGUMENT,
                "tensor %ld ('%.64s') has %ld quantization channels, asked for %ld", (long)index, t->name,
                (long)t->quant_count, (long)channel);
    *scale = fb_f32_at(it->model.data + t->scales_pos + 4 * (size_t)channel);
    zp = fb_i64_at(it->model.data + t->zero_points_pos + 8 * (size_t)channel);
    EMBER_CHECK(it, zp >= INT32_MIN && zp <= INT32_MAX, EMBER_INVALID_MODEL,
                "tensor %ld ('%.64s'): zero point %lld does not fit int32", (long)index, t->name,
                (long long)zp);
    *zero_point = (int32_t)zp;
    return EMBER_OK;
}

static ember_status check_copy(ember_interpreter *it, int32_t index, size_t bytes, const void *ptr) {
    const ember_tensor *t;
    EMBER_TRY(check_tensor_index(it, index));
    t = &it->tensors[index];
    EMBER_CHECK(it, ptr || bytes == 0, EMBER_INVALID_ARGUMENT, "tensor %ld: data pointer is NULL",
                (long)index);
    EMBER_CHECK(it, bytes == t->bytes, EMBER_INVALID_ARGUMENT,
                "tensor %ld ('%.64s') holds %lu bytes, got %lu", (long)index, t->name,
                (unsigned long)t->bytes, (unsigned long)bytes);
    EMBER_CHECK(
        it, t->data || t->bytes == 0, EMBER_BAD_STATE,
        "tensor %ld ('%.64s') has no memory: call allocate_tensors first (or the graph never uses it)",
        (long)index, t->name);
    return EMBER_OK;
}

ember_status ember_interpreter_write_tensor(ember_interpreter *it, int32_t index, const void *src,
                                            size_t bytes) {
    if (!it)
        return EMBER_INVALID_ARGUMENT;
    EMBER_TRY(check_copy(it, index, bytes, src));
    EMBER_CHECK(it, !it->tensors[index].is_constant, EMBER_INVALID_ARGUMENT,
                "tensor %ld ('%.64s') is constant and cannot be written", (long)index,
                it->tensors[index].name);
    if (bytes)
        memcpy(it->tensors[index].data, src, bytes);
    return EMBER_OK;
}

ember_status ember_interpreter_read_tensor(ember_interpreter *it, int32_t index, void *dst, size_t bytes) {
    if (!it)
        return EMBER_INVALID_ARGUMENT;
    EMBER_TRY(check_copy(it, index, bytes, dst));
    if (bytes)
        memcpy(dst, it->tensors[index].data, bytes);
    return EMBER_OK;
}
