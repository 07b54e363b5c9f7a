/* Sparse constant tensors: TFLite's SparsityParameters, verified at load and densified once into the arena
 * (ember_sparsity_verify / ember_sparsity_densify, ember_internal.h).
 *
 * The tensor's n = rank + blocks "expanded" dims are the original dims (each blocked one divided by its block
 * size) followed by one dim per block_map entry (the block's size); traversal_order lists them outermost
 * first, and dim_metadata[level] describes the level-th of them: DENSE (dense_size entries, all present) or
 * SPARSE_CSR (array_segments[p] .. array_segments[p + 1] give the present entries under entry p of the level
 * above, array_indices their coordinates; int32, uint16 or uint8 vectors). The buffer holds the present
 * values in that order. One walker does both jobs: checking every segment and index as it goes (no
 * destination) and scattering the values into the zeroed dense tensor. */
#include <string.h>

#include "ember_internal.h"

#define MAX_LEVELS (2 * EMBER_MAX_DIMS)

enum { SP_TRAVERSAL = 0, SP_BLOCK_MAP = 1, SP_DIM_METADATA = 2 };
enum {
    DM_FORMAT = 0,
    DM_DENSE_SIZE = 1,
    DM_SEGMENTS_TYPE = 2,
    DM_SEGMENTS = 3,
    DM_INDICES_TYPE = 4,
    DM_INDICES = 5
};

typedef struct index_vector {
    const uint8_t *at;
    uint32_t len, width; /* width: bytes of one entry (4, 2, 1) */
} index_vector;

typedef struct level {
    int32_t dim; /* expanded dim this level walks */
    int32_t dense_size;
    int csr;
    index_vector segments, indices;
} level;

typedef struct walk {
    ember_interpreter *ctx;
    const ember_tensor *t;
    int32_t n, rank, blocks;
    int32_t block_map[EMBER_MAX_DIMS];
    int32_t expanded[MAX_LEVELS];
    level levels[MAX_LEVELS];
    int32_t coord[MAX_LEVELS];
    const uint8_t *values;
    size_t elem, next; /* values consumed so far */
    uint8_t *dest;     /* NULL: verify only */
} walk;

static uint32_t entry(const index_vector *v, uint32_t i) {
    const uint8_t *p = v->at + (size_t)i * v->width;
    return v->width == 4 ? (uint32_t)fb_i32_at(p) : v->width == 2 ? fb_u16_at(p) : p[0];
}

static ember_status fail(walk *w, const char *what) {
    return ember_fail(w->ctx, EMBER_INVALID_MODEL, "tensor '%.64s': sparsity: %s", w->t->name, what);
}

static ember_status read_index_vector(walk *w, fb_reader *r, const fb_table *dm, unsigned type_id,
                                      unsigned id, index_vector *out) {
    uint8_t type;
    fb_table u;
    fb_vector v;
    int present;
    static const uint32_t widths[4] = {0, 4, 2, 1}; /* SparseIndexVector: Int32, Uint16, Uint8 Vector */
    if (!fb_get_u8(r, dm, type_id, 0, &type) || !fb_get_table(r, dm, id, &u, &present))
        return fail(w, "unreadable dim_metadata index vector");
    if (!present || type < 1 || type > 3)
        return fail(w, "a SPARSE_CSR dim needs int32, uint16 or uint8 array_segments and array_indices");
    if (!fb_get_vector(r, &u, 0, widths[type], &v))
        return fail(w, "unreadable index vector values");
    out->at = r->data + v.pos;
    out->len = v.len;
    out->width = widths[type];
    return EMBER_OK;
}

/* Reads and checks everything but the CSR contents, which the walk checks. */
static ember_status setup(walk *w, ember_interpreter *ctx, const ember_tensor *t, const uint8_t *values,
                          size_t value_bytes) {
    fb_reader *r = &ctx->model;
    fb_vector trav, bmap, dims;
    uint64_t count = 1;
    uint32_t seen = 0;
    int32_t i;
    memset(w, 0, sizeof *w);
    w->ctx = ctx, w->t = t, w->values = values, w->elem = ember_type_size(t->type);
    w->rank = t->rank;
    if (!fb_get_vector(r, &t->sparsity, SP_TRAVERSAL, 4, &trav) ||
        !fb_get_vector(r, &t->sparsity, SP_BLOCK_MAP, 4, &bmap) ||
        !fb_get_vector(r, &t->sparsity, SP_DIM_METADATA, 4, &dims))
        return fail(w, "unreadable traversal_order, block_map or dim_metadata");
    if (bmap.len > (uint32_t)t->rank || trav.len != (uint32_t)t->rank + bmap.len || dims.len != trav.len ||
        t->rank < 1)
        return fail(w, "traversal_order and dim_metadata need rank + len(block_map) entries, block_map at "
                       "most rank");
    w->blocks = (int32_t)bmap.len;
    w->n = (int32_t)trav.len;
    for (i = 0; i < w->rank; ++i)
        w->expanded[i] = t->dims[i];
    for (i = 0; i < w->n; ++i) {
        const int32_t d = fb_vector_i32(r, &trav, (uint32_t)i);
        if (d < 0 || d >= w->n || (seen >> d) & 1u)
            return fail(w, "traversal_order is not a permutation of the expanded dims");
        seen |= 1u << d;
        w->levels[i].dim = d;
    }
    for (i = 0; i < w->n; ++i) {
        level *lv = &w->levels[i];
        fb_table dm;
        int8_t format;
        if (!fb_vector_table(r, &dims, (uint32_t)i, &dm) || !fb_get_i8(r, &dm, DM_FORMAT, 0, &format) ||
            !fb_get_i32(r, &dm, DM_DENSE_SIZE, 0, &lv->dense_size))
            return fail(w, "unreadable dim_metadata");
        if (format != 0 && format != 1)
            return fail(w, "dim_metadata format is neither DENSE nor SPARSE_CSR");
        lv->csr = format == 1;
        if (lv->csr) {
            EMBER_TRY(read_index_vector(w, r, &dm, DM_SEGMENTS_TYPE, DM_SEGMENTS, &lv->segments));
            EMBER_TRY(read_index_vector(w, r, &dm, DM_INDICES_TYPE, DM_INDICES, &lv->indices));
        } else if (lv->dense_size < 1) {
            return fail(w, "a DENSE dim needs dense_size >= 1");
        }
    }
    for (i = 0; i < w->blocks; ++i) {
        const int32_t d = fb_vector_i32(r, &bmap, (uint32_t)i);
        int32_t k, size = 0;
        for (k = 0; k < w->n; ++k)
            if (w->levels[k].dim == w->rank + i)
                size = w->levels[k].csr ? 0 : w->levels[k].dense_size;
        if (d < 0 || d >= w->rank || size < 1 || w->expanded[d] % size != 0)
            return fail(w, "block_map names a dim outside the rank, twice, or one its DENSE block size does "
                           "not divide");
        for (k = 0; k < i; ++k)
            if (w->block_map[k] == d)
                return fail(w, "block_map names a dim twice");
        w->block_map[i] = d;
        w->expanded[d] /= size;
        w->expanded[w->rank + i] = size;
    }
    for (i = 0; i < w->n; ++i) {
        const level *lv = &w->levels[i];
        if (!lv->csr) {
            if (lv->dense_size != w->expanded[lv->dim])
                return fail(w, "a DENSE dim's dense_size is not its dim's size");
            count *= (uint64_t)lv->dense_size; /* at most the element count (< 2^31) */
        } else {
            if ((uint64_t)lv->segments.len != count + 1 || entry(&lv->segments, 0) != 0 ||
                entry(&lv->segments, lv->segments.len - 1) != lv->indices.len)
                return fail(w, "array_segments must have one entry more than the level above has entries, "
                               "start at 0 and end at len(array_indices)");
            count = lv->indices.len;
        }
    }
    if (count * w->elem != value_bytes)
        return fail(w, "the buffer does not hold one value per stored entry");
    return EMBER_OK;
}

static ember_status visit(walk *w, int32_t depth, uint32_t parent) {
    const level *lv;
    uint32_t i, begin, end;
    if (depth == w->n) {
        if (w->dest) {
            size_t at = 0;
            int32_t d, k;
            for (d = 0; d < w->rank; ++d) {
                int64_t c = w->coord[d];
                for (k = 0; k < w->blocks; ++k)
                    if (w->block_map[k] == d)
                        c = c * w->expanded[w->rank + k] + w->coord[w->rank + k];
                at = at * (size_t)w->t->dims[d] + (size_t)c;
            }
            memcpy(w->dest + at * w->elem, w->values + w->next * w->elem, w->elem);
        }
        ++w->next;
        return EMBER_OK;
    }
    lv = &w->levels[depth];
    if (!lv->csr) {
        for (i = 0; i < (uint32_t)lv->dense_size; ++i) {
            w->coord[lv->dim] = (int32_t)i;
            EMBER_TRY(visit(w, depth + 1, parent * (uint32_t)lv->dense_size + i));
        }
        return EMBER_OK;
    }
    begin = entry(&lv->segments, parent);
    end = entry(&lv->segments, parent + 1);
    if (begin > end || end > lv->indices.len)
        return fail(w, "array_segments decrease or pass the end of array_indices");
    for (i = begin; i < end; ++i) {
        const uint32_t c = entry(&lv->indices, i);
        if (c >= (uint32_t)w->expanded[lv->dim] || (i > begin && c <= entry(&lv->indices, i - 1)))
            return fail(w, "array_indices out of the dim's range or not increasing within a segment");
        w->coord[lv->dim] = (int32_t)c;
        EMBER_TRY(visit(w, depth + 1, i));
    }
    return EMBER_OK;
}

ember_status ember_sparsity_load(ember_interpreter *ctx, ember_tensor *t, const fb_table *sparsity,
                                 const uint8_t *values, size_t value_bytes) {
    walk w;
    t->is_sparse = 1;
    t->sparsity = *sparsity;
    t->sparse_bytes = value_bytes;
    EMBER_CHECK(ctx, values != NULL, EMBER_INVALID_MODEL,
                "tensor '%.64s': sparsity parameters on a tensor without data", t->name);
    EMBER_TRY(setup(&w, ctx, t, values, value_bytes));
    return visit(&w, 0, 0);
}

void ember_copy_constant(ember_interpreter *ctx, const ember_tensor *t, void *dest) {
    walk w;
    if (!t->is_sparse) {
        memcpy(dest, t->const_data, t->bytes);
        return;
    }
    if (setup(&w, ctx, t, t->const_data, t->sparse_bytes) != EMBER_OK)
        return; /* verified at load: cannot happen */
    w.dest = (uint8_t *)dest;
    (void)visit(&w, 0, 0);
}
