/* Subgraphs and the nodes that call them (ember_internal.h): the call checks the loader runs once every
 * subgraph is loaded, running one subgraph, and the copies that pass tensors across a call.
 *
 * Calls are checked here, at create, so that the control-flow kernels (kernels/while.c, if.c, call_once.c)
 * need no checks of their own: every callee index is in range, no subgraph reaches itself through a chain of
 * calls (LiteRT would recurse without end), chains nest at most EMBER_MAX_CALL_DEPTH deep (invoke recurses on
 * the C stack), and each tensor handed across a call has the type and shape of the tensor it is copied to,
 * so a copy is always exactly the bytes of both. */
#include <stdlib.h>
#include <string.h>

#include "tflite_schema.h"

#include "ember_internal.h"

ember_status ember_invoke_subgraph(ember_interpreter *ctx, int32_t index) {
    const ember_subgraph *sg = &ctx->subgraphs[index];
    int32_t i;
    for (i = 0; i < sg->node_count; ++i) {
        const ember_node *node = &ctx->nodes[sg->node_base + i];
        if (node->folded)
            continue; /* its outputs are constants computed at prepare */
        /* Hooks (profiling) see the model's own operators, numbered as in subgraph 0. */
        if (ctx->node_hook && index == 0)
            ctx->node_hook(ctx->node_hook_user, i, 0);
        EMBER_TRY(node->kernel->eval(ctx, node));
        if (ctx->node_hook && index == 0)
            ctx->node_hook(ctx->node_hook_user, i, 1);
    }
    return EMBER_OK;
}

void ember_copy_tensors(ember_interpreter *ctx, const int32_t *from, const int32_t *to, int32_t count) {
    int32_t i;
    for (i = 0; i < count; ++i) {
        const ember_tensor *src = &ctx->tensors[from[i]];
        ember_tensor *dst = &ctx->tensors[to[i]];
        if (dst->bytes && dst->data != src->data)
            memcpy(dst->data, src->data, dst->bytes);
    }
}

/* Option fields naming subgraphs, by the calling op; 0 for ops that call none. */
static int32_t callee_fields(int32_t code) {
    switch (code) {
    case TFL_OP_WHILE:
    case TFL_OP_IF:
        return 2;
    case TFL_OP_CALL_ONCE:
        return 1;
    default:
        return 0;
    }
}

static const char *callee_field_name(int32_t code, int32_t field) {
    switch (code) {
    case TFL_OP_WHILE:
        return field ? "body_subgraph_index" : "cond_subgraph_index";
    case TFL_OP_IF:
        return field ? "else_subgraph_index" : "then_subgraph_index";
    default:
        return "init_subgraph_index";
    }
}

/* "subgraph 2 operator 5 (WHILE)", for messages. */
static const char *node_where(const ember_node *node, char *buf, size_t capacity) {
    snprintf(buf, capacity, "subgraph %ld operator %ld (%s)", (long)node->subgraph, (long)node->index,
             node->kernel->name);
    return buf;
}

/* Reads and range-checks the subgraph indices of every calling node into node->callee. */
static ember_status read_callees(ember_interpreter *ctx) {
    int32_t i, f;
    char where[64];
    for (i = 0; i < ctx->node_count; ++i) {
        ember_node *node = &ctx->nodes[i];
        const int32_t fields = callee_fields(node->kernel->builtin_code);
        node->callee[0] = node->callee[1] = -1;
        if (!fields)
            continue;
        EMBER_CHECK(ctx, node->has_options, EMBER_INVALID_MODEL,
                    "%s: has no options, so it names no subgraph to call",
                    node_where(node, where, sizeof where));
        for (f = 0; f < fields; ++f) {
            int32_t callee;
            EMBER_CHECK(ctx, fb_get_i32(&ctx->model, &node->options, (unsigned)f, 0, &callee),
                        EMBER_INVALID_MODEL, "%s: field %s: %s (byte %lu)",
                        node_where(node, where, sizeof where),
                        callee_field_name(node->kernel->builtin_code, f), ctx->model.why,
                        (unsigned long)ctx->model.at);
            EMBER_CHECK(
                ctx, callee >= 0 && callee < ctx->subgraph_count, EMBER_INVALID_MODEL,
                "%s: %s is %ld, outside the model's %ld subgraphs", node_where(node, where, sizeof where),
                callee_field_name(node->kernel->builtin_code, f), (long)callee, (long)ctx->subgraph_count);
            node->callee[f] = callee;
        }
    }
    return EMBER_OK;
}

/* Depth-first walk of the call graph from every subgraph, with an explicit stack (a hostile file may chain
 * many subgraphs): a callee still on the stack is a cycle. */
static ember_status check_call_graph(ember_interpreter *ctx) {
    const int32_t n = ctx->subgraph_count;
    /* state[s]: 0 unvisited, 1 on the stack, 2 done; stack[d]: a subgraph, next[d]: its next node*2+field. */
    uint8_t *state = (uint8_t *)calloc((size_t)n, 1);
    int32_t *stack = (int32_t *)malloc((size_t)n * sizeof(int32_t));
    int32_t *next = (int32_t *)malloc((size_t)n * sizeof(int32_t));
    ember_status status = EMBER_OK;
    int32_t root;
    char where[64];
    if (!state || !stack || !next) {
        status =
            ember_fail(ctx, EMBER_OUT_OF_MEMORY, "cannot allocate the call graph of %ld subgraphs", (long)n);
        goto done;
    }
    for (root = 0; root < n && status == EMBER_OK; ++root) {
        int32_t depth = 0;
        if (state[root])
            continue;
        stack[0] = root;
        next[0] = 0;
        state[root] = 1;
        while (depth >= 0 && status == EMBER_OK) {
            const ember_subgraph *sg = &ctx->subgraphs[stack[depth]];
            int32_t callee = -1;
            const ember_node *node = NULL;
            while (next[depth] < 2 * sg->node_count) {
                node = &ctx->nodes[sg->node_base + next[depth] / 2];
                callee = node->callee[next[depth] % 2];
                ++next[depth];
                if (callee >= 0)
                    break;
            }
            if (callee < 0) {
                state[stack[depth--]] = 2;
                continue;
            }
            if (state[callee] == 1) {
                status =
                    ember_fail(ctx, EMBER_INVALID_MODEL,
                               "%s calls subgraph %ld, which is already running: the calls are recursive "
                               "(a subgraph reaches itself), which would never end",
                               node_where(node, where, sizeof where), (long)callee);
            } else if (state[callee] == 0) {
                if (depth + 1 > EMBER_MAX_CALL_DEPTH) {
                    status = ember_fail(ctx, EMBER_UNSUPPORTED,
                                        "%s calls subgraph %ld at call depth %ld; at most %d nested calls "
                                        "are supported (EMBER_MAX_CALL_DEPTH)",
                                        node_where(node, where, sizeof where), (long)callee,
                                        (long)(depth + 1), EMBER_MAX_CALL_DEPTH);
                } else {
                    ++depth;
                    stack[depth] = callee;
                    next[depth] = 0;
                    state[callee] = 1;
                }
            }
        }
    }
done:
    free(state);
    free(stack);
    free(next);
    return status;
}

/* Tensor a (the caller's side) and tensor b (the callee's) must agree in type and shape. */
static ember_status check_pair(ember_interpreter *ctx, const ember_node *node, const char *what, int32_t i,
                               int32_t a, int32_t callee, const char *side, int32_t b) {
    const ember_tensor *x = &ctx->tensors[a], *y = &ctx->tensors[b];
    char where[64], xs[64], ys[64];
    int32_t d;
    int same = x->rank == y->rank;
    for (d = 0; same && d < x->rank; ++d)
        same = x->dims[d] == y->dims[d];
    EMBER_CHECK(ctx, x->type == y->type && same, EMBER_UNSUPPORTED,
                "%s: %s %ld ('%.40s') is %s %s but subgraph %ld's %s ('%.40s') is %s %s; shapes that change "
                "across a call are not supported",
                node_where(node, where, sizeof where), what, (long)i, x->name, ember_type_name(x->type),
                ember_shape_string(x, xs, sizeof xs), (long)callee, side, y->name, ember_type_name(y->type),
                ember_shape_string(y, ys, sizeof ys));
    return EMBER_OK;
}

/* Counts and pairs of one call: `count` caller tensors `mine` against the callee's list `theirs`. */
static ember_status check_list(ember_interpreter *ctx, const ember_node *node, const char *what,
                               const int32_t *mine, int32_t count, int32_t callee, const char *side,
                               const int32_t *theirs, int32_t their_count) {
    int32_t i;
    char where[64];
    EMBER_CHECK(ctx, count == their_count, EMBER_INVALID_MODEL,
                "%s: passes %ld %ss but subgraph %ld has %ld %ss", node_where(node, where, sizeof where),
                (long)count, what, (long)callee, (long)their_count, side);
    for (i = 0; i < count; ++i)
        EMBER_TRY(check_pair(ctx, node, what, i, mine[i], callee, side, theirs[i]));
    return EMBER_OK;
}

static int is_one_bool(const ember_tensor *t) {
    return t->type == EMBER_BOOL && ember_element_count(t) == 1;
}

ember_status ember_check_call(ember_interpreter *ctx, const ember_node *node) {
    const int32_t code = node->kernel->builtin_code;
    const ember_subgraph *a = &ctx->subgraphs[node->callee[0]];
    char where[64];
    if (code == TFL_OP_WHILE) {
        /* The loop state: node inputs -> cond inputs and body inputs; body outputs -> the same, and at the
         * end the node outputs. */
        const ember_subgraph *body = &ctx->subgraphs[node->callee[1]];
        EMBER_TRY(check_list(ctx, node, "input", node->inputs, node->input_count, node->callee[0], "input",
                             a->inputs, a->input_count));
        EMBER_TRY(check_list(ctx, node, "input", node->inputs, node->input_count, node->callee[1], "input",
                             body->inputs, body->input_count));
        EMBER_TRY(check_list(ctx, node, "input", node->inputs, node->input_count, node->callee[1], "output",
                             body->outputs, body->output_count));
        EMBER_TRY(check_list(ctx, node, "output", node->outputs, node->output_count, node->callee[1],
                             "output", body->outputs, body->output_count));
        EMBER_CHECK(ctx, a->output_count == 1 && is_one_bool(&ctx->tensors[a->outputs[0]]),
                    EMBER_INVALID_MODEL, "%s: cond subgraph %ld must have one output holding one bool",
                    node_where(node, where, sizeof where), (long)node->callee[0]);
    } else if (code == TFL_OP_IF) {
        int32_t k;
        EMBER_CHECK(ctx, node->input_count >= 1 && is_one_bool(&ctx->tensors[node->inputs[0]]),
                    EMBER_INVALID_MODEL, "%s: input 0, the condition, must hold one bool",
                    node_where(node, where, sizeof where));
        for (k = 0; k < 2; ++k) {
            const ember_subgraph *branch = &ctx->subgraphs[node->callee[k]];
            EMBER_TRY(check_list(ctx, node, "input", node->inputs + 1, node->input_count - 1, node->callee[k],
                                 "input", branch->inputs, branch->input_count));
            EMBER_TRY(check_list(ctx, node, "output", node->outputs, node->output_count, node->callee[k],
                                 "output", branch->outputs, branch->output_count));
        }
    } else {
        /* CALL_ONCE runs an initialiser for its side effects (resource variables): nothing passes. */
        EMBER_CHECK(ctx,
                    node->input_count == 0 && node->output_count == 0 && a->input_count == 0 &&
                        a->output_count == 0,
                    EMBER_INVALID_MODEL,
                    "%s: takes %ld inputs and %ld outputs, and subgraph %ld %ld and %ld; CALL_ONCE and its "
                    "init subgraph take none",
                    node_where(node, where, sizeof where), (long)node->input_count, (long)node->output_count,
                    (long)node->callee[0], (long)a->input_count, (long)a->output_count);
    }
    return EMBER_OK;
}

ember_status ember_verify_calls(ember_interpreter *ctx) {
    int32_t i;
    EMBER_TRY(read_callees(ctx));
    EMBER_TRY(check_call_graph(ctx));
    for (i = 0; i < ctx->node_count; ++i)
        if (ctx->nodes[i].callee[0] >= 0)
            EMBER_TRY(ember_check_call(ctx, &ctx->nodes[i]));
    return ember_load_variables(ctx); /* CALL_ONCE's callees are known now */
}
