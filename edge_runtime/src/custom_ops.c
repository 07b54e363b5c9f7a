/* Kernels the caller registers (ember.h, "Custom operators"): the op resolver, its copy in the interpreter,
 * and the adapter that runs an ember_custom_kernel through the builtin kernels' hooks. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ember_internal.h"
#include "tflite_schema.h"

#define MAX_CUSTOM_CODE 127

/* One registration. `base` comes first: node->kernel points at it and the adapter casts back. */
typedef struct ember_custom_entry {
    ember_kernel base;
    ember_custom_kernel user;
    char *code;           /* the custom_code (owned), NULL for a builtin override */
    int32_t builtin_code; /* the overridden builtin, TFL_OP_CUSTOM for a custom_code */
    char builtin_name[32];
} ember_custom_entry;

struct ember_op_resolver {
    ember_custom_entry *entries;
    int32_t count, capacity;
    char error[EMBER_ERROR_CAPACITY];
};

struct ember_op_context {
    ember_interpreter *ctx;
    ember_node *node;
    const ember_custom_entry *entry;
};

static const ember_custom_entry *entry_of(const ember_node *node) {
    return (const ember_custom_entry *)(const void *)node->kernel;
}

static ember_op_context context_of(const ember_interpreter *ctx, const ember_node *node) {
    ember_op_context op;
    /* The size hooks get a const node; ember_custom_kernel documents that they only read. */
    op.ctx = (ember_interpreter *)(uintptr_t)ctx;
    op.node = (ember_node *)(uintptr_t)node;
    op.entry = entry_of(node);
    return op;
}

static ember_status adapter_prepare(ember_interpreter *ctx, ember_node *node) {
    ember_op_context op = context_of(ctx, node);
    ember_status status;
    if (!op.entry->user.prepare)
        return EMBER_OK;
    ctx->error[0] = '\0';
    status = op.entry->user.prepare(&op);
    if (status == EMBER_OK)
        ctx->error[0] = '\0'; /* what a refused accessor call recorded on the way */
    else if (ctx->error[0] == '\0')
        ember_fail(ctx, status, "%s %ld: prepare failed (%s) without a message", node->kernel->name,
                   (long)node->index, ember_status_string(status));
    return status;
}

static ember_status adapter_eval(ember_interpreter *ctx, const ember_node *node) {
    ember_op_context op = context_of(ctx, node);
    ember_status status;
    ctx->error[0] = '\0';
    status = op.entry->user.eval(&op);
    if (status == EMBER_OK)
        ctx->error[0] = '\0';
    else if (ctx->error[0] == '\0')
        ember_fail(ctx, status, "%s %ld: eval failed (%s) without a message", node->kernel->name,
                   (long)node->index, ember_status_string(status));
    return status;
}

static size_t adapter_op_data_bytes(const ember_interpreter *ctx, const ember_node *node) {
    ember_op_context op = context_of(ctx, node);
    return op.entry->user.op_data_bytes ? op.entry->user.op_data_bytes(&op) : op.entry->user.op_data_size;
}

static size_t adapter_scratch_bytes(const ember_interpreter *ctx, const ember_node *node) {
    ember_op_context op = context_of(ctx, node);
    return op.entry->user.scratch_bytes ? op.entry->user.scratch_bytes(&op) : 0;
}

/* ---- the resolver ---- */

static ember_status resolver_fail(ember_op_resolver *r, ember_status status, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static ember_status resolver_fail(ember_op_resolver *r, ember_status status, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(r->error, sizeof r->error, format, args);
    va_end(args);
    return status;
}

ember_status ember_op_resolver_create(ember_op_resolver **out) {
    if (!out)
        return EMBER_INVALID_ARGUMENT;
    *out = (ember_op_resolver *)calloc(1, sizeof **out);
    return *out ? EMBER_OK : EMBER_OUT_OF_MEMORY;
}

void ember_op_resolver_destroy(ember_op_resolver *r) {
    int32_t i;
    if (!r)
        return;
    for (i = 0; i < r->count; ++i)
        free(r->entries[i].code);
    free(r->entries);
    free(r);
}

const char *ember_op_resolver_error(const ember_op_resolver *r) {
    return r ? r->error : "resolver is NULL";
}

/* Fills e (its code already set) from the registration. */
static void fill_entry(ember_custom_entry *e, int32_t builtin_code, const ember_custom_kernel *kernel) {
    e->user = *kernel;
    e->builtin_code = builtin_code;
    memset(&e->base, 0, sizeof e->base);
    e->base.builtin_code = TFL_OP_CUSTOM; /* never folded or shape-propagated as the builtin would be */
    e->base.name = e->code ? e->code : e->builtin_name;
    e->base.max_version = kernel->max_version > 0 ? kernel->max_version : INT32_MAX;
    /* A builtin's options table passes the loader's union check (the kernel does not read it). */
    if (!e->code && ember_find_kernel(builtin_code))
        e->base.options_type = ember_find_kernel(builtin_code)->options_type;
    e->base.prepare = adapter_prepare;
    e->base.eval = adapter_eval;
    e->base.op_data_bytes = adapter_op_data_bytes;
    e->base.scratch_bytes = adapter_scratch_bytes;
    e->base.types = 0xffffffffu;
}

static ember_status add_entry(ember_op_resolver *r, const char *code, int32_t builtin_code,
                              const ember_custom_kernel *kernel) {
    ember_custom_entry *e = NULL;
    int32_t i;
    char scratch[32];
    if (!r)
        return EMBER_INVALID_ARGUMENT;
    r->error[0] = '\0';
    if (!kernel || !kernel->eval)
        return resolver_fail(r, EMBER_INVALID_ARGUMENT, "the kernel of '%.64s' needs an eval function",
                             code ? code : ember_builtin_name(builtin_code, scratch, sizeof scratch));
    for (i = 0; i < r->count; ++i) {
        ember_custom_entry *x = &r->entries[i];
        if (code ? x->code && strcmp(x->code, code) == 0 : !x->code && x->builtin_code == builtin_code)
            e = x; /* replaced */
    }
    if (!e) {
        char *copy = NULL;
        if (r->count == r->capacity) {
            const int32_t capacity = r->capacity ? 2 * r->capacity : 8;
            ember_custom_entry *grown;
            if (capacity > 65536)
                return resolver_fail(r, EMBER_INVALID_ARGUMENT, "more than 65536 registrations");
            grown = (ember_custom_entry *)realloc(r->entries, (size_t)capacity * sizeof *grown);
            if (!grown)
                return resolver_fail(r, EMBER_OUT_OF_MEMORY, "cannot grow the resolver");
            r->entries = grown;
            r->capacity = capacity;
        }
        if (code) {
            copy = (char *)malloc(strlen(code) + 1);
            if (!copy)
                return resolver_fail(r, EMBER_OUT_OF_MEMORY, "cannot copy the custom_code");
            strcpy(copy, code);
        }
        e = &r->entries[r->count++];
        memset(e, 0, sizeof *e);
        e->code = copy;
        if (!code)
            snprintf(e->builtin_name, sizeof e->builtin_name, "%s",
                     ember_builtin_name(builtin_code, scratch, sizeof scratch));
    }
    fill_entry(e, builtin_code, kernel);
    return EMBER_OK;
}

ember_status ember_op_resolver_add_custom(ember_op_resolver *r, const char *custom_code,
                                          const ember_custom_kernel *kernel) {
    size_t n;
    if (!r)
        return EMBER_INVALID_ARGUMENT;
    n = custom_code ? strlen(custom_code) : 0;
    if (n < 1 || n > MAX_CUSTOM_CODE)
        return resolver_fail(r, EMBER_INVALID_ARGUMENT,
                             "ember_op_resolver_add_custom: the custom_code must be 1 to %d bytes, got %s",
                             MAX_CUSTOM_CODE, custom_code ? "a longer one" : "NULL");
    return add_entry(r, custom_code, TFL_OP_CUSTOM, kernel);
}

ember_status ember_op_resolver_add_builtin(ember_op_resolver *r, int32_t builtin_code,
                                           const ember_custom_kernel *kernel) {
    if (!r)
        return EMBER_INVALID_ARGUMENT;
    if (builtin_code < 0 || builtin_code == TFL_OP_CUSTOM || builtin_code > 4095)
        return resolver_fail(r, EMBER_INVALID_ARGUMENT,
                             "ember_op_resolver_add_builtin: builtin code %ld is not a builtin operator%s",
                             (long)builtin_code,
                             builtin_code == TFL_OP_CUSTOM ? " (use ember_op_resolver_add_custom)" : "");
    return add_entry(r, NULL, builtin_code, kernel);
}

/* ---- the interpreter's copy ---- */

/* Here rather than in interpreter.c: the core's size budget (tools/size_report.py) leaves resolvers out. */
ember_status ember_interpreter_create(const void *model_data, size_t model_size, ember_interpreter **out,
                                      char *error, size_t error_capacity) {
    return ember_interpreter_create_with_resolver(model_data, model_size, NULL, out, error, error_capacity);
}

void ember_free_custom_kernels(ember_interpreter *ctx) {
    int32_t i;
    for (i = 0; i < ctx->custom_count; ++i)
        free(ctx->custom[i].code);
    free(ctx->custom);
    ctx->custom = NULL;
    ctx->custom_count = 0;
}

ember_status ember_copy_resolver(ember_interpreter *ctx, const ember_op_resolver *r) {
    int32_t i;
    if (!r || r->count == 0)
        return EMBER_OK;
    ctx->custom = (ember_custom_entry *)calloc((size_t)r->count, sizeof *ctx->custom);
    EMBER_CHECK(ctx, ctx->custom != NULL, EMBER_OUT_OF_MEMORY, "cannot copy the op resolver");
    for (i = 0; i < r->count; ++i) {
        ember_custom_entry *e = &ctx->custom[i];
        const ember_custom_entry *src = &r->entries[i];
        memcpy(e->builtin_name, src->builtin_name, sizeof e->builtin_name);
        if (src->code) {
            e->code = (char *)malloc(strlen(src->code) + 1);
            EMBER_CHECK(ctx, e->code != NULL, EMBER_OUT_OF_MEMORY, "cannot copy the op resolver");
            strcpy(e->code, src->code);
        }
        ++ctx->custom_count;
        fill_entry(e, src->builtin_code, &src->user);
    }
    return EMBER_OK;
}

const ember_kernel *ember_resolve_kernel(const ember_interpreter *ctx, int32_t builtin_code,
                                         const char *custom_code) {
    int32_t i;
    for (i = 0; i < ctx->custom_count; ++i) {
        const ember_custom_entry *e = &ctx->custom[i];
        if (custom_code ? e->code && strcmp(e->code, custom_code) == 0
                        : !e->code && e->builtin_code == builtin_code)
            return &e->base;
    }
    return custom_code ? ember_find_custom_kernel(custom_code) : ember_find_kernel(builtin_code);
}

ember_status ember_resolve_operator(ember_interpreter *ctx, uint32_t op, int32_t code,
                                    const char *custom_code, const ember_kernel **kernel) {
    char scratch[24];
    if (code != TFL_OP_CUSTOM) {
        *kernel = ember_resolve_kernel(ctx, code, NULL);
        EMBER_CHECK(ctx, *kernel != NULL, EMBER_UNSUPPORTED,
                    "operator %lu: %s is not supported by this runtime", (unsigned long)op,
                    ember_builtin_name(code, scratch, sizeof scratch));
        return EMBER_OK;
    }
    EMBER_CHECK(ctx, custom_code && custom_code[0], EMBER_INVALID_MODEL,
                "operator %lu: a CUSTOM operator needs a custom_code in its operator code",
                (unsigned long)op);
    *kernel = ember_resolve_kernel(ctx, TFL_OP_CUSTOM, custom_code);
    EMBER_CHECK(ctx, *kernel != NULL, EMBER_UNSUPPORTED,
                "operator %lu: custom operator '%.64s' is not registered: register its kernel "
                "(ember_op_resolver_add_custom; Python: Interpreter(custom_op_registerers=[...]); "
                "ember-bench --custom_op_library=LIB)",
                (unsigned long)op, custom_code);
    return EMBER_OK;
}

/* ---- what a hook may ask ---- */

int32_t ember_op_input_count(const ember_op_context *op) {
    return op ? op->node->input_count : 0;
}

int32_t ember_op_output_count(const ember_op_context *op) {
    return op ? op->node->output_count : 0;
}

int32_t ember_op_input_tensor(const ember_op_context *op, int32_t i) {
    return op && i >= 0 && i < op->node->input_count ? op->node->inputs[i] : -1;
}

int32_t ember_op_output_tensor(const ember_op_context *op, int32_t i) {
    return op && i >= 0 && i < op->node->output_count ? op->node->outputs[i] : -1;
}

static ember_status tensor_of(ember_op_context *op, int32_t index, const char *what, int32_t i,
                              ember_tensor_info *info) {
    const int32_t count = what[0] == 'i' ? op->node->input_count : op->node->output_count;
    if (!info)
        return EMBER_INVALID_ARGUMENT;
    if (index < 0)
        return ember_fail(op->ctx, EMBER_INVALID_ARGUMENT, "%s %ld: %s %ld %s (it has %ld)",
                          op->node->kernel->name, (long)op->node->index, what, (long)i,
                          i >= 0 && i < count ? "is omitted" : "does not exist", (long)count);
    return ember_interpreter_tensor_info(op->ctx, index, info);
}

ember_status ember_op_input(ember_op_context *op, int32_t i, ember_tensor_info *info) {
    if (!op)
        return EMBER_INVALID_ARGUMENT;
    return tensor_of(op, ember_op_input_tensor(op, i), "input", i, info);
}

ember_status ember_op_output(ember_op_context *op, int32_t i, ember_tensor_info *info) {
    if (!op)
        return EMBER_INVALID_ARGUMENT;
    return tensor_of(op, ember_op_output_tensor(op, i), "output", i, info);
}

ember_interpreter *ember_op_interpreter(ember_op_context *op) {
    return op ? op->ctx : NULL;
}

const uint8_t *ember_op_custom_options(const ember_op_context *op, size_t *bytes) {
    if (bytes)
        *bytes = op ? op->node->custom_options_bytes : 0;
    return op ? op->node->custom_options : NULL;
}

int32_t ember_op_version(const ember_op_context *op) {
    return op ? op->node->version : 0;
}

int32_t ember_op_node_index(const ember_op_context *op) {
    return op ? op->node->index : -1;
}

const char *ember_op_name(const ember_op_context *op) {
    return op ? op->node->kernel->name : "";
}

void *ember_op_data(ember_op_context *op) {
    return op ? op->node->op_data : NULL;
}

void *ember_op_scratch(ember_op_context *op) {
    /* Custom kernels run on the calling thread: its block, when this node asked for some. */
    return op && op->ctx->scratch && adapter_scratch_bytes(op->ctx, op->node)
               ? ember_thread_scratch(op->ctx, 0)
               : NULL;
}

void *ember_op_user_data(const ember_op_context *op) {
    return op ? op->entry->user.user_data : NULL;
}

ember_status ember_op_fail(ember_op_context *op, ember_status status, const char *format, ...) {
    char message[EMBER_ERROR_CAPACITY];
    va_list args;
    if (!op)
        return status;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    return ember_fail(op->ctx, status, "%s %ld: %s", op->node->kernel->name, (long)op->node->index, message);
}
