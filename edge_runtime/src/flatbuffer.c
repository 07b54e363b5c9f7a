#include "flatbuffer.h"

#include <string.h>

/* FlatBuffers offsets are 32-bit; like the reference verifier we refuse values that would be negative as
 * soffset, which also keeps every sum below 2^32 + size and so free of size_t overflow on 64-bit hosts. */
#define FB_MAX_OFFSET 0x7fffffffu

static int fb_fail(fb_reader *r, const char *why, size_t at) {
    r->why = why;
    r->at = at;
    return 0;
}

float fb_f32_at(const uint8_t *p) {
    uint32_t bits = fb_u32_at(p);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

void fb_init(fb_reader *r, const void *data, size_t size) {
    r->data = (const uint8_t *)data;
    r->size = data ? size : 0;
    r->why = "";
    r->at = 0;
}

/* Is [pos, pos + len) inside the buffer? Written so that no intermediate sum can wrap. */
static int fb_in_bounds(const fb_reader *r, size_t pos, size_t len) {
    return pos <= r->size && len <= r->size - pos;
}

/* Follows the uoffset stored at `pos` (already known to be in bounds and 4-aligned). */
static int fb_follow(fb_reader *r, size_t pos, size_t *target) {
    uint32_t off = fb_u32_at(r->data + pos);
    if (off == 0 || off > FB_MAX_OFFSET)
        return fb_fail(r, "offset is zero or larger than 2 GiB", pos);
    if (!fb_in_bounds(r, pos, off) || pos + off >= r->size)
        return fb_fail(r, "offset points past the end of the buffer", pos);
    *target = pos + off;
    return 1;
}

static int fb_table_at(fb_reader *r, size_t pos, fb_table *t) {
    int32_t soff;
    int64_t vtable;
    if (pos % 4 != 0)
        return fb_fail(r, "table is not 4-byte aligned", pos);
    if (!fb_in_bounds(r, pos, 4))
        return fb_fail(r, "table starts past the end of the buffer", pos);
    /* The vtable lies at table - soffset; soffset may point either way. */
    soff = fb_i32_at(r->data + pos);
    vtable = (int64_t)pos - (int64_t)soff;
    if (vtable < 0 || (uint64_t)vtable > (uint64_t)r->size)
        return fb_fail(r, "vtable offset points outside the buffer", pos);
    if (vtable % 2 != 0)
        return fb_fail(r, "vtable is not 2-byte aligned", (size_t)vtable);
    if (!fb_in_bounds(r, (size_t)vtable, 4))
        return fb_fail(r, "vtable header runs past the end of the buffer", (size_t)vtable);
    t->pos = pos;
    t->vtable = (size_t)vtable;
    t->vtable_size = fb_u16_at(r->data + t->vtable);
    t->table_size = fb_u16_at(r->data + t->vtable + 2);
    if (t->vtable_size < 4 || t->vtable_size % 2 != 0)
        return fb_fail(r, "vtable size is not an even number >= 4", t->vtable);
    if (!fb_in_bounds(r, t->vtable, t->vtable_size))
        return fb_fail(r, "vtable runs past the end of the buffer", t->vtable);
    if (t->table_size < 4)
        return fb_fail(r, "table size is smaller than its vtable offset", pos);
    if (!fb_in_bounds(r, pos, t->table_size))
        return fb_fail(r, "table runs past the end of the buffer", pos);
    return 1;
}

int fb_root(fb_reader *r, fb_table *root) {
    size_t pos;
    if (r->size < 8)
        return fb_fail(r, "buffer is shorter than a FlatBuffers header (8 bytes)", 0);
    return fb_follow(r, 0, &pos) && fb_table_at(r, pos, root);
}

int fb_field(fb_reader *r, const fb_table *t, unsigned id, size_t size, size_t *pos) {
    size_t entry = 4 + 2 * (size_t)id;
    uint16_t off;
    *pos = 0;
    if (entry + 2 > t->vtable_size)
        return 1; /* the vtable predates this field: absent */
    off = fb_u16_at(r->data + t->vtable + entry);
    if (off == 0)
        return 1;
    if ((size_t)off + size > t->table_size)
        return fb_fail(r, "field runs past the end of its table", t->pos + off);
    /* Scalars and offsets are aligned to their size (up to 8) relative to the buffer start. */
    if ((t->pos + off) % (size > 8 ? 8 : size) != 0)
        return fb_fail(r, "field is misaligned", t->pos + off);
    *pos = t->pos + off;
    return 1;
}

#define FB_GET_SCALAR(name, type, size, read)                                                                \
    int name(fb_reader *r, const fb_table *t, unsigned id, type def, type *out) {                            \
        size_t pos;                                                                                          \
        if (!fb_field(r, t, id, size, &pos))                                                                 \
            return 0;                                                                                        \
        *out = pos ? read : def;                                                                             \
        return 1;                                                                                            \
    }

FB_GET_SCALAR(fb_get_u8, uint8_t, 1, r->data[pos])
FB_GET_SCALAR(fb_get_i8, int8_t, 1,
              (int8_t)(r->data[pos] <= 127 ? (int)r->data[pos] : (int)r->data[pos] - 256))
FB_GET_SCALAR(fb_get_i32, int32_t, 4, fb_i32_at(r->data + pos))
FB_GET_SCALAR(fb_get_u32, uint32_t, 4, fb_u32_at(r->data + pos))
FB_GET_SCALAR(fb_get_u64, uint64_t, 8, fb_u64_at(r->data + pos))
FB_GET_SCALAR(fb_get_f32, float, 4, fb_f32_at(r->data + pos))

/* Position of the object an offset field points to; 0 when the field is absent. */
static int fb_offset_field(fb_reader *r, const fb_table *t, unsigned id, size_t *target) {
    size_t pos;
    *target = 0;
    if (!fb_field(r, t, id, 4, &pos))
        return 0;
    return pos == 0 || fb_follow(r, pos, target);
}

int fb_get_table(fb_reader *r, const fb_table *t, unsigned id, fb_table *out, int *present) {
    size_t pos;
    memset(out, 0, sizeof *out);
    *present = 0;
    if (!fb_offset_field(r, t, id, &pos))
        return 0;
    if (pos == 0)
        return 1;
    *present = 1;
    return fb_table_at(r, pos, out);
}

/* Vector whose length word is at `pos`. */
static int fb_vector_at(fb_reader *r, size_t pos, size_t elem_size, fb_vector *out) {
    uint32_t len;
    if (pos % 4 != 0)
        return fb_fail(r, "vector is not 4-byte aligned", pos);
    if (!fb_in_bounds(r, pos, 4))
        return fb_fail(r, "vector length runs past the end of the buffer", pos);
    len = fb_u32_at(r->data + pos);
    /* Division instead of len * elem_size: the product may overflow a 32-bit size_t. */
    if ((size_t)len > (r->size - pos - 4) / elem_size)
        return fb_fail(r, "vector length runs past the end of the buffer", pos);
    out->pos = pos + 4;
    out->len = len;
    return 1;
}

int fb_get_vector(fb_reader *r, const fb_table *t, unsigned id, size_t elem_size, fb_vector *out) {
    size_t pos;
    out->pos = 0;
    out->len = 0;
    if (!fb_offset_field(r, t, id, &pos))
        return 0;
    return pos == 0 || fb_vector_at(r, pos, elem_size, out);
}

static int fb_string_at(fb_reader *r, size_t pos, const char **out) {
    fb_vector v;
    if (!fb_vector_at(r, pos, 1, &v))
        return 0;
    /* The terminating NUL is part of the format; without it the string would run on into other data. */
    if (v.pos + v.len >= r->size || r->data[v.pos + v.len] != 0)
        return fb_fail(r, "string is not NUL-terminated inside the buffer", pos);
    *out = (const char *)(r->data + v.pos);
    return 1;
}

int fb_get_string(fb_reader *r, const fb_table *t, unsigned id, const char **out) {
    size_t pos;
    *out = NULL;
    if (!fb_offset_field(r, t, id, &pos))
        return 0;
    return pos == 0 || fb_string_at(r, pos, out);
}

int fb_vector_table(fb_reader *r, const fb_vector *v, uint32_t i, fb_table *out) {
    size_t target;
    return fb_follow(r, v->pos + 4 * (size_t)i, &target) && fb_table_at(r, target, out);
}

int fb_vector_string(fb_reader *r, const fb_vector *v, uint32_t i, const char **out) {
    size_t target;
    return fb_follow(r, v->pos + 4 * (size_t)i, &target) && fb_string_at(r, target, out);
}
