#include "planner.h"

#include <stdlib.h>

static void mark_use(ember_tensor *t, int32_t op) {
    if (t->first_op < 0 || op < t->first_op)
        t->first_op = op;
    if (op > t->last_op)
        t->last_op = op;
}

/* Lifetimes of the tensors of one subgraph, in the operator indices of that subgraph: each subgraph is
 * planned in a region of its own (interpreter.c), since a called subgraph runs inside its caller's node. */
static ember_status subgraph_lifetimes(ember_interpreter *ctx, const ember_subgraph *sg, int32_t s) {
    int32_t i, j;
    /* A graph with no operators still keeps its inputs (which may also be outputs) alive at "operator 0". */
    const int32_t end = sg->node_count > 0 ? sg->node_count - 1 : 0;
    for (i = 0; i < sg->input_count; ++i) {
        ember_tensor *t = &ctx->tensors[sg->inputs[i]];
        EMBER_CHECK(ctx, !t->is_constant, EMBER_INVALID_MODEL,
                    "subgraph %ld: graph input %ld is tensor %ld ('%.64s'), which holds constant data",
                    (long)s, (long)i, (long)(sg->inputs[i] - sg->tensor_base), t->name);
        t->is_graph_input = 1;
        /* Inputs stay intact for the whole invoke (as in LiteRT): a second invoke without a new write must
         * read the same values, so nothing written during invoke may reuse their bytes. */
        mark_use(t, 0);
        mark_use(t, end);
    }
    for (i = 0; i < sg->node_count; ++i) {
        const ember_node *node = &ctx->nodes[sg->node_base + i];
        if (node->folded)
            continue; /* constant inputs, constant outputs written at prepare */
        for (j = 0; j < node->input_count; ++j) {
            ember_tensor *t;
            if (node->inputs[j] < 0)
                continue;
            t = &ctx->tensors[node->inputs[j]];
            if (t->is_constant)
                continue;
            /* TFLite stores operators in execution order, so a value must exist before it is read. */
            EMBER_CHECK(ctx, t->first_op >= 0, EMBER_INVALID_MODEL,
                        "subgraph %ld: operator %ld (%s) reads tensor %ld ('%.64s') before any operator "
                        "writes it, and it is "
                        "neither a graph input nor constant",
                        (long)s, (long)i, node->kernel->name, (long)(node->inputs[j] - sg->tensor_base),
                        t->name);
            mark_use(t, i);
        }
        for (j = 0; j < node->output_count; ++j) {
            ember_tensor *t = &ctx->tensors[node->outputs[j]];
            EMBER_CHECK(ctx, !t->is_constant && !t->is_graph_input && t->first_op < 0, EMBER_INVALID_MODEL,
                        "subgraph %ld: operator %ld (%s) writes tensor %ld ('%.64s'), which is %s", (long)s,
                        (long)i, node->kernel->name, (long)(node->outputs[j] - sg->tensor_base), t->name,
                        t->is_constant      ? "constant"
                        : t->is_graph_input ? "a graph input"
                                            : "written earlier");
            mark_use(t, i);
        }
    }
    for (i = 0; i < sg->output_count; ++i) {
        ember_tensor *t = &ctx->tensors[sg->outputs[i]];
        t->is_graph_output = 1;
        if (t->is_constant)
            continue;
        EMBER_CHECK(ctx, t->first_op >= 0, EMBER_INVALID_MODEL,
                    "subgraph %ld: graph output %ld is tensor %ld ('%.64s'), which no operator writes",
                    (long)s, (long)i, (long)(sg->outputs[i] - sg->tensor_base), t->name);
        /* Outputs too span the whole invoke, so no tensor written before them shares their bytes. */
        mark_use(t, 0);
        mark_use(t, end);
    }
    return EMBER_OK;
}

ember_status ember_compute_lifetimes(ember_interpreter *ctx) {
    int32_t s;
    for (s = 0; s < ctx->subgraph_count; ++s)
        EMBER_TRY(subgraph_lifetimes(ctx, &ctx->subgraphs[s], s));
    return EMBER_OK;
}

static size_t align_up(size_t n) {
    return (n + (EMBER_ALIGNMENT - 1)) & ~(size_t)(EMBER_ALIGNMENT - 1);
}

/* Fixed entries first, by offset; then largest first, ties by earlier start, then by id, so the plan is
 * deterministic on every libc. */
static int by_placement_order(const void *a, const void *b) {
    const ember_plan_entry *x = (const ember_plan_entry *)a, *y = (const ember_plan_entry *)b;
    if (x->fixed != y->fixed)
        return x->fixed ? -1 : 1;
    if (x->fixed && x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int live_together(const ember_plan_entry *p, const ember_plan_entry *e) {
    return !(p->last < e->first || e->last < p->first);
}

ember_status ember_plan_greedy(ember_plan_entry *entries, int32_t count, int32_t *scratch,
                               size_t *arena_bytes, int32_t conflict[2]) {
    /* scratch: indices of already placed entries, kept sorted by offset, so one pass finds the first gap. */
    int32_t placed = 0, i, k;
    size_t arena = 0;
    const size_t limit = (size_t)-1 - EMBER_ALIGNMENT;
    if (count > 1)
        qsort(entries, (size_t)count, sizeof *entries, by_placement_order);
    for (i = 0; i < count; ++i) {
        ember_plan_entry *e = &entries[i];
        size_t candidate = 0;
        int32_t at;
        if (e->fixed) {
            /* Callers bound fixed offsets and sizes to 2^31 each, so the ends cannot wrap. */
            for (k = 0; k < placed; ++k) {
                const ember_plan_entry *p = &entries[scratch[k]];
                if (p->offset >= e->offset + e->bytes)
                    break; /* sorted by offset: nothing further can overlap */
                if (e->bytes && p->bytes && p->offset + p->bytes > e->offset && live_together(p, e)) {
                    conflict[0] = p->id;
                    conflict[1] = e->id;
                    return EMBER_INVALID_MODEL;
                }
            }
            candidate = e->offset;
        } else {
            for (k = 0; k < placed; ++k) {
                const ember_plan_entry *p = &entries[scratch[k]];
                size_t end;
                if (!live_together(p, e))
                    continue; /* never alive at the same time: may share bytes */
                if (e->bytes <= p->offset && candidate <= p->offset - e->bytes)
                    break; /* fits in the gap before p; later entries start even higher */
                end =
                    p->offset + p->bytes; /* p->offset <= arena <= limit and p->bytes < 2^31 checked below */
                if (end > limit)
                    return EMBER_OUT_OF_MEMORY;
                if (align_up(end) > candidate)
                    candidate = align_up(end);
            }
        }
        if (e->bytes > limit - candidate)
            return EMBER_OUT_OF_MEMORY;
        e->offset = candidate;
        if (candidate + e->bytes > arena)
            arena = candidate + e->bytes;
        /* Insert keeping scratch sorted by offset (after equal offsets: stable, deterministic). */
        for (at = placed; at > 0 && entries[scratch[at - 1]].offset > candidate; --at)
            scratch[at] = scratch[at - 1];
        scratch[at] = i;
        ++placed;
    }
    *arena_bytes = align_up(arena);
    return EMBER_OK;
}

ember_status ember_plan_subgraph(ember_interpreter *it, const ember_subgraph *sg, size_t *end) {
    ember_plan_entry *entries = it->plan_entries;
    int32_t i, count = 0, conflict[2] = {0, 0};
    size_t region = 0;
    ember_status status;

    for (i = sg->tensor_base; i < sg->tensor_base + sg->tensor_count; ++i) {
        const ember_tensor *t = &it->tensors[i];
        /* The offline plan is subgraph 0's (TFLite Micro's layout names one subgraph). */
        const int32_t offline =
            it->offline_plan && !it->preserve_all_tensors && i < it->subgraphs[0].tensor_count
                ? fb_i32_at(it->offline_plan + 4 * (size_t)i)
                : -1;
        if (t->is_constant || t->first_op < 0)
            continue; /* no arena slot: an offline offset for it is ignored */
        EMBER_CHECK(
            it, offline < 0 || offline % (int32_t)ember_type_size(t->type) == 0, EMBER_INVALID_MODEL,
            "metadata OfflineMemoryAllocation: tensor %ld ('%.64s', %s) at offset %ld is not aligned to "
            "its %lu-byte elements",
            (long)i, t->name, ember_type_name(t->type), (long)offline,
            (unsigned long)ember_type_size(t->type));
        /* A runtime_shape tensor gets its bound (bytes may hold its last actual size, never more; the OR,
         * cheaper than a max in the 20 KiB core, is at least the bound); the others' bound_bytes is 0. */
        entries[count].bytes = t->bytes | t->bound_bytes;
        /* Preserving every tensor (a debugging aid): all alive for their subgraph's whole run, so none shares
         * bytes. */
        entries[count].first = it->preserve_all_tensors ? 0 : t->first_op;
        entries[count].last = it->preserve_all_tensors ? INT32_MAX : t->last_op;
        entries[count].id = i;
        entries[count].offset = offline < 0 ? 0 : (size_t)offline;
        entries[count].fixed = offline >= 0;
        ++count;
    }
    status = ember_plan_greedy(entries, count, it->plan_scratch, &region, conflict);
    if (status == EMBER_INVALID_MODEL) {
        /* Graph inputs and outputs live for the whole invoke, so an overlap with one is refused too. */
        const ember_tensor *x = &it->tensors[conflict[0]], *y = &it->tensors[conflict[1]];
        const ember_tensor *io = x->is_graph_input || x->is_graph_output ? x : y;
        return ember_fail(
            it, status,
            "metadata OfflineMemoryAllocation: tensors %ld ('%.48s') and %ld ('%.48s') are alive "
            "together but share bytes%s",
            (long)conflict[0], x->name, (long)conflict[1], y->name,
            io->is_graph_input || io->is_graph_output
                ? " (graph inputs and outputs keep their bytes for the whole invoke)"
                : "");
    }
    /* *end and region are each below SIZE_MAX - EMBER_ALIGNMENT (plan_greedy, the caller), so the check
     * cannot wrap. */
    EMBER_CHECK(it, status == EMBER_OK && region <= (size_t)-1 - EMBER_ALIGNMENT - *end, EMBER_OUT_OF_MEMORY,
                "the tensor arena does not fit the address space");
    for (i = 0; i < count; ++i)
        it->tensors[entries[i].id].arena_offset = *end + entries[i].offset;
    *end += region; /* plan_greedy's size is aligned */
    return EMBER_OK;
}
