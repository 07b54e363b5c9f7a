/* SignatureDefs (ember.h, "Signatures"): the loader's check of the model's signature_defs against its
 * subgraphs, and the public calls over them. A signature names a subgraph and maps names to tensors of that
 * subgraph; the interpreter reports those tensors by their interpreter index (the subgraph's tensor_base +
 * the index in the file), so write_tensor / read_tensor / tensor_info work on them as on any tensor. */
#include <stdlib.h>
#include <string.h>

#include "tflite_schema.h"
#include "verify.h"

typedef struct ember_signature_tensor {
    const char *name;
    int32_t tensor;
} ember_signature_tensor;

struct ember_signature {
    const char *key;
    int32_t subgraph;
    int32_t input_count;
    int32_t output_count;
    ember_signature_tensor *inputs; /* then the outputs, in the same block */
    ember_signature_tensor *outputs;
};

/* Reads (fill = 0: only checks and counts) or records (fill = 1) signature i. */
static ember_status read_signature(loader *l, const fb_vector *defs, uint32_t i, struct ember_signature *sig,
                                   uint64_t *entries) {
    ember_interpreter *ctx = l->ctx;
    fb_table t, m;
    fb_vector maps;
    const char *key, *name;
    uint32_t subgraph, value, j, k;
    FB_CHECK(l, fb_vector_table(l->r, defs, i, &t), "signature %lu", (unsigned long)i);
    FB_CHECK(l, fb_get_string(l->r, &t, TFL_SIGNATURE_KEY, &key), "signature %lu: field signature_key",
             (unsigned long)i);
    FB_CHECK(l, fb_get_u32(l->r, &t, TFL_SIGNATURE_SUBGRAPH, 0, &subgraph),
             "signature %lu: field subgraph_index", (unsigned long)i);
    EMBER_CHECK(ctx, key != NULL, EMBER_INVALID_MODEL, "signature %lu has no signature_key",
                (unsigned long)i);
    EMBER_CHECK(ctx, subgraph < (uint32_t)ctx->subgraph_count, EMBER_INVALID_MODEL,
                "signature %lu ('%.64s'): subgraph_index %lu is out of range (the model has %ld subgraphs)",
                (unsigned long)i, key, (unsigned long)subgraph, (long)ctx->subgraph_count);
    if (sig) {
        sig->key = key;
        sig->subgraph = (int32_t)subgraph;
    }
    for (k = TFL_SIGNATURE_INPUTS; k <= TFL_SIGNATURE_OUTPUTS; ++k) {
        const char *what = k == TFL_SIGNATURE_INPUTS ? "input" : "output";
        const ember_subgraph *sg = &ctx->subgraphs[subgraph];
        FB_CHECK(l, fb_get_vector(l->r, &t, k, 4, &maps), "signature %lu: %ss", (unsigned long)i, what);
        for (j = 0; j < maps.len; ++j) {
            uint32_t other;
            FB_CHECK(l, fb_vector_table(l->r, &maps, j, &m), "signature %lu: %s %lu", (unsigned long)i, what,
                     (unsigned long)j);
            FB_CHECK(l,
                     fb_get_string(l->r, &m, TFL_TENSORMAP_NAME, &name) &&
                         fb_get_u32(l->r, &m, TFL_TENSORMAP_TENSOR_INDEX, 0, &value),
                     "signature %lu: %s %lu", (unsigned long)i, what, (unsigned long)j);
            EMBER_CHECK(ctx, name != NULL, EMBER_INVALID_MODEL, "signature '%.64s': %s %lu has no name", key,
                        what, (unsigned long)j);
            EMBER_CHECK(ctx, value < (uint32_t)sg->tensor_count, EMBER_INVALID_MODEL,
                        "signature '%.64s': %s '%.64s' is tensor %lu, outside subgraph %lu's %ld tensors",
                        key, what, name, (unsigned long)value, (unsigned long)subgraph,
                        (long)sg->tensor_count);
            if (!sig)
                continue;
            /* Names are how callers find tensors: two alike would make one unreachable. */
            for (other = 0; other < j; ++other)
                EMBER_CHECK(
                    ctx, strcmp((k == TFL_SIGNATURE_INPUTS ? sig->inputs : sig->outputs)[other].name, name),
                    EMBER_INVALID_MODEL, "signature '%.64s': two %ss are named '%.64s'", key, what, name);
            (k == TFL_SIGNATURE_INPUTS ? sig->inputs : sig->outputs)[j].name = name;
            (k == TFL_SIGNATURE_INPUTS ? sig->inputs : sig->outputs)[j].tensor =
                sg->tensor_base + (int32_t)value;
        }
        if (sig && k == TFL_SIGNATURE_INPUTS) {
            sig->input_count = (int32_t)maps.len;
            sig->outputs = sig->inputs + maps.len;
        } else if (sig) {
            sig->output_count = (int32_t)maps.len;
        }
        *entries += maps.len;
    }
    return EMBER_OK;
}

ember_status ember_load_signatures(loader *l, const fb_table *model) {
    ember_interpreter *ctx = l->ctx;
    fb_vector defs;
    uint64_t entries = 0;
    uint32_t i, j;
    ember_signature_tensor *next;
    FB_CHECK(l, fb_get_vector(l->r, model, TFL_MODEL_SIGNATURE_DEFS, 4, &defs), "model signature_defs");
    for (i = 0; i < defs.len; ++i)
        EMBER_TRY(read_signature(l, &defs, i, NULL, &entries));
    if (defs.len == 0)
        return EMBER_OK;
    /* Every entry is a table of its own in the file, so the counts are bounded by its size. */
    EMBER_CHECK(ctx, entries <= l->r->size / 4, EMBER_INVALID_MODEL,
                "signatures list %llu tensors, more than a %lu-byte file holds", (unsigned long long)entries,
                (unsigned long)l->r->size);
    ctx->signatures = (struct ember_signature *)malloc(defs.len * sizeof(struct ember_signature) +
                                                       (size_t)entries * sizeof(ember_signature_tensor));
    EMBER_CHECK(ctx, ctx->signatures != NULL, EMBER_OUT_OF_MEMORY, "cannot allocate %lu signatures",
                (unsigned long)defs.len);
    next = (ember_signature_tensor *)(ctx->signatures + defs.len);
    for (i = 0; i < defs.len; ++i) {
        struct ember_signature *sig = &ctx->signatures[i];
        uint64_t count = 0;
        sig->inputs = next;
        EMBER_TRY(read_signature(l, &defs, i, sig, &count));
        next += count;
        for (j = 0; j < i; ++j)
            EMBER_CHECK(ctx, strcmp(ctx->signatures[j].key, sig->key) != 0, EMBER_INVALID_MODEL,
                        "signatures %lu and %lu are both named '%.64s'", (unsigned long)j, (unsigned long)i,
                        sig->key);
    }
    ctx->signature_count = (int32_t)defs.len;
    return EMBER_OK;
}

/* ---- public calls ---- */

static ember_status check_signature(ember_interpreter *it, int32_t signature) {
    EMBER_CHECK(it, signature >= 0 && signature < it->signature_count, EMBER_INVALID_ARGUMENT,
                "signature %ld does not exist (the model has %ld)", (long)signature,
                (long)it->signature_count);
    return EMBER_OK;
}

int32_t ember_interpreter_signature_count(const ember_interpreter *it) {
    return it ? it->signature_count : 0;
}

const char *ember_interpreter_signature_key(const ember_interpreter *it, int32_t signature) {
    return it && signature >= 0 && signature < it->signature_count ? it->signatures[signature].key : "";
}

ember_status ember_interpreter_find_signature(ember_interpreter *it, const char *key, int32_t *signature) {
    int32_t i;
    if (!it || !key || !signature)
        return EMBER_INVALID_ARGUMENT;
    for (i = 0; i < it->signature_count; ++i) {
        if (strcmp(it->signatures[i].key, key) == 0) {
            *signature = i;
            return EMBER_OK;
        }
    }
    return ember_fail(it, EMBER_INVALID_ARGUMENT, "the model has no signature '%.64s' (it has %ld)", key,
                      (long)it->signature_count);
}

ember_status ember_interpreter_signature_subgraph(ember_interpreter *it, int32_t signature,
                                                  int32_t *subgraph) {
    if (!it || !subgraph)
        return EMBER_INVALID_ARGUMENT;
    EMBER_TRY(check_signature(it, signature));
    *subgraph = it->signatures[signature].subgraph;
    return EMBER_OK;
}

int32_t ember_interpreter_signature_input_count(const ember_interpreter *it, int32_t signature) {
    return it && signature >= 0 && signature < it->signature_count ? it->signatures[signature].input_count
                                                                   : 0;
}

int32_t ember_interpreter_signature_output_count(const ember_interpreter *it, int32_t signature) {
    return it && signature >= 0 && signature < it->signature_count ? it->signatures[signature].output_count
                                                                   : 0;
}

static ember_status entry(ember_interpreter *it, int32_t signature, int outputs, int32_t i, const char **name,
                          int32_t *tensor_index) {
    const struct ember_signature *sig;
    int32_t count;
    if (!it || !name || !tensor_index)
        return EMBER_INVALID_ARGUMENT;
    EMBER_TRY(check_signature(it, signature));
    sig = &it->signatures[signature];
    count = outputs ? sig->output_count : sig->input_count;
    EMBER_CHECK(it, i >= 0 && i < count, EMBER_INVALID_ARGUMENT,
                "signature '%.64s' has %ld %ss, asked for %ld", sig->key, (long)count,
                outputs ? "output" : "input", (long)i);
    *name = (outputs ? sig->outputs : sig->inputs)[i].name;
    *tensor_index = (outputs ? sig->outputs : sig->inputs)[i].tensor;
    return EMBER_OK;
}

ember_status ember_interpreter_signature_input(ember_interpreter *it, int32_t signature, int32_t i,
                                               const char **name, int32_t *tensor_index) {
    return entry(it, signature, 0, i, name, tensor_index);
}

ember_status ember_interpreter_signature_output(ember_interpreter *it, int32_t signature, int32_t i,
                                                const char **name, int32_t *tensor_index) {
    return entry(it, signature, 1, i, name, tensor_index);
}

static ember_status by_name(ember_interpreter *it, int32_t signature, int outputs, const char *name,
                            int32_t *tensor_index) {
    const struct ember_signature *sig;
    const ember_signature_tensor *list;
    int32_t i, count;
    if (!it || !name || !tensor_index)
        return EMBER_INVALID_ARGUMENT;
    EMBER_TRY(check_signature(it, signature));
    sig = &it->signatures[signature];
    list = outputs ? sig->outputs : sig->inputs;
    count = outputs ? sig->output_count : sig->input_count;
    for (i = 0; i < count; ++i) {
        if (strcmp(list[i].name, name) == 0) {
            *tensor_index = list[i].tensor;
            return EMBER_OK;
        }
    }
    return ember_fail(it, EMBER_INVALID_ARGUMENT, "signature '%.64s' has no %s named '%.64s'", sig->key,
                      outputs ? "output" : "input", name);
}

ember_status ember_interpreter_signature_input_tensor(ember_interpreter *it, int32_t signature,
                                                      const char *name, int32_t *tensor_index) {
    return by_name(it, signature, 0, name, tensor_index);
}

ember_status ember_interpreter_signature_output_tensor(ember_interpreter *it, int32_t signature,
                                                       const char *name, int32_t *tensor_index) {
    return by_name(it, signature, 1, name, tensor_index);
}

ember_status ember_interpreter_invoke_signature(ember_interpreter *it, int32_t signature) {
    if (!it)
        return EMBER_INVALID_ARGUMENT;
    EMBER_TRY(check_signature(it, signature));
    EMBER_CHECK(it, it->allocated, EMBER_BAD_STATE, "invoke called before allocate_tensors succeeded");
    return ember_invoke_subgraph(it, it->signatures[signature].subgraph);
}

/* ---- subgraphs ---- */

int32_t ember_interpreter_subgraph_count(const ember_interpreter *it) {
    return it ? it->subgraph_count : 0;
}

ember_status ember_interpreter_subgraph_info(ember_interpreter *it, int32_t subgraph,
                                             ember_subgraph_info *info) {
    const ember_subgraph *sg;
    if (!it || !info)
        return EMBER_INVALID_ARGUMENT;
    EMBER_CHECK(it, subgraph >= 0 && subgraph < it->subgraph_count, EMBER_INVALID_ARGUMENT,
                "subgraph %ld does not exist (the model has %ld)", (long)subgraph, (long)it->subgraph_count);
    sg = &it->subgraphs[subgraph];
    info->name = sg->name;
    info->tensor_base = sg->tensor_base;
    info->tensor_count = sg->tensor_count;
    info->node_count = sg->node_count;
    info->input_count = sg->input_count;
    info->inputs = sg->inputs;
    info->output_count = sg->output_count;
    info->outputs = sg->outputs;
    return EMBER_OK;
}

const char *ember_interpreter_subgraph_node_name(const ember_interpreter *it, int32_t subgraph,
                                                 int32_t node) {
    if (!it || subgraph < 0 || subgraph >= it->subgraph_count || node < 0 ||
        node >= it->subgraphs[subgraph].node_count)
        return "";
    return it->nodes[it->subgraphs[subgraph].node_base + node].kernel->name;
}
