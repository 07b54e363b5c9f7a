/* The public API: create (verify + load), allocate (plan + one arena + prepare), invoke, accessors. */
#include <stdlib.h>
#include <string.h>

#include "ember_internal.h"
#include "planner.h"

static size_t align_up(size_t n) {
    return (n + (EMBER_ALIGNMENT - 1)) & ~(size_t)(EMBER_ALIGNMENT - 1);
}

/* Kernels read constants in place through typed pointers, which C only allows at the type's alignment. */
static int needs_copy(const ember_tensor *t) {
    return t->is_constant && t->bytes && (uintptr_t)t->const_data % ember_type_size(t->type) != 0;
}

static int host_is_little_endian(void) {
    const uint16_t probe = 1;
    return *(const uint8_t *)&probe == 1;
}

static void free_interpreter(ember_interpreter *it) {
    free(it->arena_block);
    free(it->io_indices);
    free(it->nodes);
    free(it->tensors);
    free(it);
}

ember_status ember_interpreter_create(const void *model_data, size_t model_size, ember_interpreter **out,
                                      char *error, size_t error_capacity) {
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
    fb_init(&it->model, model_data, model_size);
    if (!host_is_little_endian())
        status = ember_fail(it, EMBER_UNSUPPORTED,
                            "big-endian hosts are not supported (weights are little-endian)");
    else
        status = ember_load_model(it);
    if (status == EMBER_OK)
        status = ember_compute_lifetimes(it);
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
    it->arena_bytes = 0;
    for (i = 0; i < it->tensor_count; ++i)
        it->tensors[i].data =
            it->tensors[i].is_constant ? (void *)(uintptr_t)it->tensors[i].const_data : NULL;
    for (i = 0; i < it->node_count; ++i)
        it->nodes[i].op_data = NULL;
    return status;
}

/* Adds n (aligned) to *total; 0 on size_t overflow. */
static int add_size(size_t *total, size_t n) {
    if (n > (size_t)-1 - EMBER_ALIGNMENT || align_up(n) > (size_t)-1 - EMBER_ALIGNMENT - *total)
        return 0;
    *total += align_up(n);
    return 1;
}

ember_status ember_interpreter_allocate_tensors(ember_interpreter *it) {
    ember_plan_entry *entries;
    int32_t *scratch;
    int32_t i, count = 0;
    size_t persistent = 0, planned = 0, total, offset;
    ember_status status;

    if (!it)
        return EMBER_INVALID_ARGUMENT;
    if (it->allocated)
        return EMBER_OK;
    it->error[0] = '\0';

    /* Layout: [op data][copies of misaligned constants][planned tensors]. The first two live for the
     * interpreter's lifetime; the planned part is shared by tensors whose lifetimes do not overlap. */
    for (i = 0; i < it->node_count; ++i)
        EMBER_CHECK(it, add_size(&persistent, it->nodes[i].kernel->op_data_size), EMBER_OUT_OF_MEMORY,
                    "op data does not fit the address space");
    for (i = 0; i < it->tensor_count; ++i)
        EMBER_CHECK(it, !needs_copy(&it->tensors[i]) || add_size(&persistent, it->tensors[i].bytes),
                    EMBER_OUT_OF_MEMORY, "constant copies do not fit the address space");

    entries = (ember_plan_entry *)malloc(sizeof *entries * (size_t)(it->tensor_count ? it->tensor_count : 1));
    scratch = (int32_t *)malloc(sizeof *scratch * (size_t)(it->tensor_count ? it->tensor_count : 1));
    if (!entries || !scratch) {
        free(entries);
        free(scratch);
        return ember_fail(it, EMBER_OUT_OF_MEMORY, "cannot allocate the planner's %ld entries",
                          (long)it->tensor_count);
    }
    for (i = 0; i < it->tensor_count; ++i) {
        const ember_tensor *t = &it->tensors[i];
        if (t->is_constant || t->first_op < 0)
            continue;
        entries[count].bytes = t->bytes;
        entries[count].first = t->first_op;
        entries[count].last = t->last_op;
        entries[count].id = i;
        entries[count].offset = 0;
        ++count;
    }
    status = ember_plan_greedy(entries, count, scratch, &planned);
    total = persistent;
    if (status == EMBER_OK && !add_size(&total, planned))
        status = EMBER_OUT_OF_MEMORY;
    if (status == EMBER_OK) {
        /* One extra alignment unit lets us align the base ourselves, whatever malloc guarantees. */
        it->arena_block = malloc(total + EMBER_ALIGNMENT);
        if (!it->arena_block)
            status = EMBER_OUT_OF_MEMORY;
    }
    if (status != EMBER_OK) {
        free(entries);
        free(scratch);
        return ember_fail(it, status, "cannot allocate an arena of %lu bytes (%lu for tensors)",
                          (unsigned long)total, (unsigned long)planned);
    }
    it->arena = (uint8_t *)it->arena_block +
                (EMBER_ALIGNMENT - (uintptr_t)it->arena_block % EMBER_ALIGNMENT) % EMBER_ALIGNMENT;
    it->arena_bytes = total;
    /* Zeroed once, so that reading an output before the first invoke is deterministic. */
    memset(it->arena, 0, total);

    offset = 0;
    for (i = 0; i < it->node_count; ++i) {
        it->nodes[i].op_data = it->nodes[i].kernel->op_data_size ? it->arena + offset : NULL;
        offset += align_up(it->nodes[i].kernel->op_data_size);
    }
    for (i = 0; i < it->tensor_count; ++i) {
        ember_tensor *t = &it->tensors[i];
        if (!needs_copy(t))
            continue;
        memcpy(it->arena + offset, t->const_data, t->bytes);
        t->data = it->arena + offset;
        offset += align_up(t->bytes);
    }
    for (i = 0; i < count; ++i) {
        ember_tensor *t = &it->tensors[entries[i].id];
        t->arena_offset = persistent + entries[i].offset;
        t->data = it->arena + t->arena_offset;
    }
    free(entries);
    free(scratch);

    for (i = 0; i < it->node_count; ++i) {
        status = it->nodes[i].kernel->prepare(it, &it->nodes[i]);
        if (status != EMBER_OK)
            return release_arena(it, status);
    }
    it->allocated = 1;
    return EMBER_OK;
}

ember_status ember_interpreter_invoke(ember_interpreter *it) {
    int32_t i;
    if (!it)
        return EMBER_INVALID_ARGUMENT;
    EMBER_CHECK(it, it->allocated, EMBER_BAD_STATE, "invoke called before allocate_tensors succeeded");
    for (i = 0; i < it->node_count; ++i)
        EMBER_TRY(it->nodes[i].kernel->eval(it, &it->nodes[i]));
    return EMBER_OK;
}

size_t ember_interpreter_arena_bytes(const ember_interpreter *it) {
    return it ? it->arena_bytes : 0;
}

int32_t ember_interpreter_input_count(const ember_interpreter *it) {
    return it ? it->input_count : 0;
}

int32_t ember_interpreter_output_count(const ember_interpreter *it) {
    return it ? it->output_count : 0;
}

int32_t ember_interpreter_tensor_count(const ember_interpreter *it) {
    return it ? it->tensor_count : 0;
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
    info->dims_signature = t->dims_signature;
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
