/* State a model keeps between invokes (ember_internal.h): resource variables (VAR_HANDLE, READ_VARIABLE,
 * ASSIGN_VARIABLE) and the status CALL_ONCE keeps for its initialiser, with
 * ember_interpreter_reset_variables.
 *
 * LiteRT keeps variables in a map from resource id to a tensor that every ASSIGN_VARIABLE reallocates to the
 * shape it is given, and numbers ids by (container, shared_name) in the order its VAR_HANDLEs are created.
 * The runtime reserves everything at allocate instead, so it resolves every variable op at create: a READ or
 * ASSIGN must take its handle from a VAR_HANDLE earlier in its own subgraph (what TensorFlow's converter
 * writes), every ASSIGN to one variable gives one type and one static shape, and a READ's output has them.
 * Ids are numbered as LiteRT's, so VAR_HANDLE writes the same int32 into its output. */
#include <stdlib.h>
#include <string.h>

#include "tflite_schema.h"

#include "ember_internal.h"

struct ember_variables {
    int32_t count;
    ember_variable *list;
    int32_t *of_node;    /* node -> variable index (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE), else -1 */
    int32_t *init_owner; /* subgraph -> the first CALL_ONCE node running it, else -1 */
};

static int32_t code_of(const ember_node *node) {
    return node->kernel->builtin_code;
}

static int is_variable_op(int32_t code) {
    return code == TFL_OP_VAR_HANDLE || code == TFL_OP_READ_VARIABLE || code == TFL_OP_ASSIGN_VARIABLE;
}

const char *ember_variable_name(const ember_variable *v, char *buf, size_t capacity) {
    if (v->container[0])
        snprintf(buf, capacity, "'%.40s/%.40s'", v->container, v->shared_name);
    else
        snprintf(buf, capacity, "'%.60s'", v->shared_name);
    return buf;
}

/* "READ_VARIABLE (subgraph 0 operator 2)", for messages. */
static const char *where(const ember_node *node, char *buf, size_t capacity) {
    snprintf(buf, capacity, "%s (subgraph %ld operator %ld)", node->kernel->name, (long)node->subgraph,
             (long)node->index);
    return buf;
}

/* One VAR_HANDLE, for sorting by name. */
typedef struct handle_entry {
    const char *container;
    const char *shared_name;
    int32_t node;
} handle_entry;

static int compare_handles(const void *pa, const void *pb) {
    const handle_entry *a = (const handle_entry *)pa, *b = (const handle_entry *)pb;
    int c = strcmp(a->container, b->container);
    if (!c)
        c = strcmp(a->shared_name, b->shared_name);
    return c ? c : (a->node > b->node) - (a->node < b->node);
}

/* Reads the names of a VAR_HANDLE (both "" without options, as LiteRT's defaults) and checks its tensors. */
static ember_status read_handle(ember_interpreter *ctx, const ember_node *node, handle_entry *e) {
    char at[80];
    const ember_tensor *out = ember_node_output(ctx, node, 0);
    e->container = e->shared_name = NULL;
    if (node->has_options) {
        EMBER_CHECK(
            ctx,
            fb_get_string(&ctx->model, &node->options, TFL_VAR_HANDLE_CONTAINER, &e->container) &&
                fb_get_string(&ctx->model, &node->options, TFL_VAR_HANDLE_SHARED_NAME, &e->shared_name),
            EMBER_INVALID_MODEL, "%s: options container or shared_name: %s (byte %lu)",
            where(node, at, sizeof at), ctx->model.why, (unsigned long)ctx->model.at);
    }
    e->container = e->container ? e->container : "";
    e->shared_name = e->shared_name ? e->shared_name : "";
    EMBER_CHECK(ctx, node->input_count == 0 && node->output_count == 1, EMBER_INVALID_MODEL,
                "%s: takes %ld inputs and %ld outputs, expected none and one (the resource handle)",
                where(node, at, sizeof at), (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, out->type == EMBER_RESOURCE && ember_element_count(out) == 1, EMBER_INVALID_MODEL,
                "%s: output '%.48s' is %s with %ld elements, expected one resource",
                where(node, at, sizeof at), out->name, ember_type_name(out->type),
                (long)ember_element_count(out));
    return EMBER_OK;
}

/* Numbers the variables: one for each distinct (container, shared_name), in the order of their first
 * VAR_HANDLE (LiteRT's resource ids); vars->of_node of every VAR_HANDLE. Sorting keeps a model of many
 * handles fast. */
static ember_status number_variables(ember_interpreter *ctx, struct ember_variables *vars, int32_t handles) {
    handle_entry *entries = (handle_entry *)malloc((size_t)(handles ? handles : 1) * sizeof *entries);
    int32_t i, n = 0;
    ember_status status = EMBER_OK;
    EMBER_CHECK(ctx, entries != NULL, EMBER_OUT_OF_MEMORY, "cannot allocate %ld variable handles",
                (long)handles);
    for (i = 0; i < ctx->node_count && status == EMBER_OK; ++i)
        if (code_of(&ctx->nodes[i]) == TFL_OP_VAR_HANDLE) {
            status = read_handle(ctx, &ctx->nodes[i], &entries[n]);
            entries[n++].node = i;
        }
    if (status == EMBER_OK) {
        qsort(entries, (size_t)n, sizeof *entries, compare_handles);
        /* of_node: the owner (first node of the same name) for now, then, in node order, the variable index.
         */
        for (i = 0; i < n; ++i) {
            const int same = i > 0 && !strcmp(entries[i].container, entries[i - 1].container) &&
                             !strcmp(entries[i].shared_name, entries[i - 1].shared_name);
            vars->of_node[entries[i].node] = same ? vars->of_node[entries[i - 1].node] : entries[i].node;
        }
        for (i = 0; i < ctx->node_count; ++i) {
            int32_t owner = vars->of_node[i];
            if (code_of(&ctx->nodes[i]) != TFL_OP_VAR_HANDLE)
                continue;
            if (owner == i) {
                ember_variable *v = &vars->list[vars->count];
                memset(v, 0, sizeof *v);
                v->owner = i;
                v->assigner = -1;
                vars->of_node[i] = vars->count++;
            } else {
                vars->of_node[i] = vars->of_node[owner]; /* owner < i: numbered already */
            }
        }
        for (i = 0; i < n; ++i) {
            ember_variable *v = &vars->list[vars->of_node[entries[i].node]];
            v->container = entries[i].container;
            v->shared_name = entries[i].shared_name;
        }
    }
    free(entries);
    return status;
}

/* The variable of a READ_VARIABLE or ASSIGN_VARIABLE: that of the VAR_HANDLE making its input 0.
 * maker[t]: the VAR_HANDLE node writing tensor t, or -1. */
static ember_status resolve_use(ember_interpreter *ctx, struct ember_variables *vars, int32_t i,
                                const int32_t *maker) {
    const ember_node *node = &ctx->nodes[i];
    const int read = code_of(node) == TFL_OP_READ_VARIABLE;
    const ember_tensor *handle;
    char at[80];
    EMBER_CHECK(ctx, node->input_count == (read ? 1 : 2) && node->output_count == (read ? 1 : 0),
                EMBER_INVALID_MODEL, "%s: takes %ld inputs and %ld outputs, expected %s",
                where(node, at, sizeof at), (long)node->input_count, (long)node->output_count,
                read ? "the resource handle and the value read"
                     : "the resource handle and the value, no output");
    handle = &ctx->tensors[node->inputs[0]];
    EMBER_CHECK(ctx, handle->type == EMBER_RESOURCE, EMBER_INVALID_MODEL,
                "%s: input 0 '%.48s' is %s, expected a resource (a VAR_HANDLE's output)",
                where(node, at, sizeof at), handle->name, ember_type_name(handle->type));
    EMBER_CHECK(
        ctx, maker[node->inputs[0]] >= 0 && maker[node->inputs[0]] < i, EMBER_UNSUPPORTED,
        "%s: its resource '%.48s' is not made by a VAR_HANDLE earlier in subgraph %ld; resource handles "
        "passed into a subgraph or through other ops are not supported",
        where(node, at, sizeof at), handle->name, (long)node->subgraph);
    vars->of_node[i] = vars->of_node[maker[node->inputs[0]]];
    return EMBER_OK;
}

static int same_shape(const ember_variable *v, const ember_tensor *t) {
    return t->rank == v->rank && memcmp(t->dims, v->dims, (size_t)v->rank * sizeof *v->dims) == 0;
}

/* Fixes the type and shape of each variable from its first ASSIGN_VARIABLE and checks every other use. */
static ember_status check_types(ember_interpreter *ctx, struct ember_variables *vars) {
    int32_t i, d;
    char at[80], first[80], name[96], a[96], b[96];
    for (i = 0; i < ctx->node_count; ++i) {
        const ember_node *node = &ctx->nodes[i];
        ember_variable *v;
        const ember_tensor *value;
        if (code_of(node) != TFL_OP_ASSIGN_VARIABLE)
            continue;
        v = &vars->list[vars->of_node[i]];
        value = &ctx->tensors[node->inputs[1]];
        ember_variable_name(v, name, sizeof name);
        EMBER_CHECK(
            ctx, value->type != EMBER_RESOURCE, EMBER_UNSUPPORTED,
            "%s: assigns the resource '%.48s' to variable %s; variables of resources are not supported",
            where(node, at, sizeof at), value->name, name);
        for (d = 0; d < value->rank; ++d)
            EMBER_CHECK(
                ctx, value->dims_signature[d] >= 0, EMBER_UNSUPPORTED,
                "%s: variable %s is given '%.48s', whose dimension %ld is dynamic (shape_signature -1); "
                "a variable's bytes are reserved at allocate, so its shape must be static (convert with "
                "fixed shapes)",
                where(node, at, sizeof at), name, value->name, (long)d);
        if (v->assigner < 0) {
            v->assigner = i;
            v->type = value->type;
            v->rank = value->rank;
            memcpy(v->dims, value->dims, sizeof v->dims);
            v->bytes = value->bytes;
            continue;
        }
        {
            const ember_tensor *set = &ctx->tensors[ctx->nodes[v->assigner].inputs[1]];
            EMBER_CHECK(
                ctx, value->type == v->type && same_shape(v, value), EMBER_INVALID_MODEL,
                "variable %s: %s assigns %s %s but %s assigned %s %s; every assignment to one variable "
                "must have its type and shape",
                name, where(node, at, sizeof at), ember_type_name(value->type),
                ember_shape_string(value, a, sizeof a), where(&ctx->nodes[v->assigner], first, sizeof first),
                ember_type_name(set->type), ember_shape_string(set, b, sizeof b));
        }
    }
    for (i = 0; i < ctx->node_count; ++i) {
        const ember_node *node = &ctx->nodes[i];
        const ember_variable *v;
        const ember_tensor *out;
        if (code_of(node) != TFL_OP_READ_VARIABLE)
            continue;
        v = &vars->list[vars->of_node[i]];
        out = &ctx->tensors[node->outputs[0]];
        ember_variable_name(v, name, sizeof name);
        EMBER_CHECK(
            ctx, v->assigner >= 0, EMBER_INVALID_MODEL,
            "%s: reads variable %s, which no ASSIGN_VARIABLE of the model sets (LiteRT fails reading it)",
            where(node, at, sizeof at), name);
        EMBER_CHECK(ctx, out->type == v->type, EMBER_INVALID_MODEL,
                    "%s: reads variable %s, which holds %s, into '%.48s' of type %s",
                    where(node, at, sizeof at), name, ember_type_name(v->type), out->name,
                    ember_type_name(out->type));
        EMBER_CHECK(ctx, same_shape(v, out), EMBER_UNSUPPORTED,
                    "%s: reads variable %s of shape %s into '%.48s' of shape %s; the output must have the "
                    "variable's shape",
                    where(node, at, sizeof at), name,
                    ember_shape_string(&ctx->tensors[ctx->nodes[v->assigner].inputs[1]], a, sizeof a),
                    out->name, ember_shape_string(out, b, sizeof b));
    }
    return EMBER_OK;
}

/* Fills vars (allocated for `handles` variables) from the model; maker: tensor_count entries of scratch. */
static ember_status load(ember_interpreter *ctx, struct ember_variables *vars, int32_t handles,
                         int32_t *maker) {
    int32_t i;
    char at[80];
    for (i = 0; i < ctx->node_count; ++i)
        vars->of_node[i] = -1;
    for (i = 0; i < ctx->subgraph_count; ++i)
        vars->init_owner[i] = -1;
    for (i = 0; i < ctx->tensor_count; ++i)
        maker[i] = -1;
    for (i = 0; i < ctx->node_count; ++i) {
        const ember_node *node = &ctx->nodes[i];
        if (code_of(node) == TFL_OP_CALL_ONCE && vars->init_owner[node->callee[0]] < 0)
            vars->init_owner[node->callee[0]] = i;
    }
    EMBER_TRY(number_variables(ctx, vars, handles));
    for (i = 0; i < ctx->node_count; ++i) {
        const ember_node *node = &ctx->nodes[i];
        if (code_of(node) != TFL_OP_VAR_HANDLE)
            continue;
        EMBER_CHECK(ctx, maker[node->outputs[0]] < 0, EMBER_INVALID_MODEL,
                    "%s: its output '%.48s' is also written by VAR_HANDLE operator %ld",
                    where(node, at, sizeof at), ctx->tensors[node->outputs[0]].name,
                    (long)ctx->nodes[maker[node->outputs[0]]].index);
        maker[node->outputs[0]] = i;
    }
    for (i = 0; i < ctx->node_count; ++i) {
        const int32_t code = code_of(&ctx->nodes[i]);
        if (code == TFL_OP_READ_VARIABLE || code == TFL_OP_ASSIGN_VARIABLE)
            EMBER_TRY(resolve_use(ctx, vars, i, maker));
    }
    return check_types(ctx, vars);
}

ember_status ember_load_variables(ember_interpreter *ctx) {
    int32_t i, handles = 0, users = 0;
    size_t bytes;
    struct ember_variables *vars;
    int32_t *maker;
    ember_status status;
    for (i = 0; i < ctx->node_count; ++i) {
        const int32_t code = code_of(&ctx->nodes[i]);
        handles += code == TFL_OP_VAR_HANDLE;
        users += is_variable_op(code) || code == TFL_OP_CALL_ONCE;
    }
    if (!users)
        return EMBER_OK;
    /* One block: the table, the variables, of_node, init_owner (each part a multiple of 8 bytes but the
     * last). */
    bytes = sizeof *vars + (size_t)handles * sizeof(ember_variable) +
            ((size_t)ctx->node_count + (size_t)ctx->subgraph_count) * sizeof(int32_t);
    vars = (struct ember_variables *)calloc(1, bytes);
    maker = (int32_t *)malloc((size_t)(ctx->tensor_count ? ctx->tensor_count : 1) * sizeof(int32_t));
    if (!vars || !maker) {
        free(vars);
        free(maker);
        return ember_fail(ctx, EMBER_OUT_OF_MEMORY, "cannot allocate the table of %ld variables",
                          (long)handles);
    }
    vars->list = (ember_variable *)(void *)(vars + 1);
    vars->of_node = (int32_t *)(void *)(vars->list + handles);
    vars->init_owner = vars->of_node + ctx->node_count;
    ctx->variables = vars; /* freed by destroy, also when the checks below fail */
    status = load(ctx, vars, handles, maker);
    free(maker);
    return status;
}

const ember_variable *ember_node_variable(const ember_interpreter *ctx, const ember_node *node, int32_t *id) {
    const int32_t k = ctx->variables ? ctx->variables->of_node[node - ctx->nodes] : -1;
    if (id)
        *id = k;
    return k >= 0 ? &ctx->variables->list[k] : NULL;
}

uint8_t *ember_variable_slot(const ember_interpreter *ctx, const ember_variable *v) {
    return (uint8_t *)ctx->nodes[v->owner].op_data;
}

int32_t *ember_init_status(const ember_interpreter *ctx, int32_t subgraph) {
    const int32_t owner = ctx->variables ? ctx->variables->init_owner[subgraph] : -1;
    return owner >= 0 ? (int32_t *)ctx->nodes[owner].op_data : NULL;
}

void ember_reset_variable_tensors(ember_interpreter *it) {
    int32_t i;
    for (i = 0; i < it->tensor_count; ++i) {
        ember_tensor *t = &it->tensors[i];
        int value = 0;
        if (!t->is_variable || t->is_constant || !t->data)
            continue;
        /* memset takes the zero point's low byte, as LiteRT's does */
        if (t->type == EMBER_INT8 && t->quant_count >= 1)
            value = (int)(uint8_t)fb_i64_at(it->model.data + t->zero_points_pos);
        memset(t->data, value, t->bytes);
    }
}

ember_status ember_interpreter_reset_variables(ember_interpreter *it) {
    int32_t i;
    if (!it)
        return EMBER_INVALID_ARGUMENT;
    it->error[0] = '\0';
    /* Unallocated: the next allocate zeroes the arena, which is the reset state already. */
    if (!it->allocated)
        return EMBER_OK;
    ember_reset_variable_tensors(it);
    if (!it->variables)
        return EMBER_OK;
    for (i = 0; i < it->variables->count; ++i) {
        const ember_variable *v = &it->variables->list[i];
        memset(ember_variable_slot(it, v), 0, EMBER_VARIABLE_VALUE_OFFSET + v->bytes);
    }
    for (i = 0; i < it->subgraph_count; ++i) {
        int32_t *done = ember_init_status(it, i);
        if (done)
            *done = 0;
    }
    return EMBER_OK;
}
