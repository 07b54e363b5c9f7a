/* FlexBuffers reader (flexbuffer.h). Layout (flatbuffers/flexbuffers.h): the buffer ends with the root value,
 * its packed type byte and the root's byte width; offsets point backwards from where they are stored; a map
 * is a vector of values preceded by its length, the keys vector's offset and byte width, and followed by one
 * packed type byte a value; each key is an offset to a NUL-terminated string. */
#include "flexbuffer.h"

#include <string.h>

enum {
    FLEX_NULL = 0,
    FLEX_INT = 1,
    FLEX_UINT = 2,
    FLEX_FLOAT = 3,
    FLEX_INDIRECT_INT = 6,
    FLEX_INDIRECT_UINT = 7,
    FLEX_INDIRECT_FLOAT = 8,
    FLEX_MAP = 9,
    FLEX_BOOL = 26
};

static int valid_width(uint64_t w) {
    return w == 1 || w == 2 || w == 4 || w == 8;
}

/* Unsigned little-endian value of `width` bytes at pos; 0 when it does not lie inside the buffer. */
static int read_uint(const uint8_t *data, size_t size, size_t pos, uint32_t width, uint64_t *out) {
    uint32_t i;
    uint64_t v = 0;
    if (pos > size || width > size - pos)
        return 0;
    for (i = 0; i < width; ++i)
        v |= (uint64_t)data[pos + i] << (8 * i);
    *out = v;
    return 1;
}

/* Position `offset` bytes before `from`; 0 when that leaves the buffer. */
static int back(size_t from, uint64_t offset, size_t *out) {
    if (offset > from)
        return 0;
    *out = from - (size_t)offset;
    return 1;
}

static int fail(const char **why, const char *reason) {
    if (why)
        *why = reason;
    return 0;
}

int flex_root_map(const uint8_t *data, size_t size, flex_map *out, const char **why) {
    uint64_t root_width, offset, len, key_offset, key_width, key_len;
    size_t root_pos, keys_field;
    uint8_t packed;
    if (!data || size < 3)
        return fail(why, "shorter than a flexbuffer's 3-byte trailer");
    root_width = data[size - 1];
    packed = data[size - 2];
    if (!valid_width(root_width) || root_width > size - 2)
        return fail(why, "bad root byte width");
    root_pos = size - 2 - (size_t)root_width;
    if (packed >> 2 != FLEX_MAP)
        return fail(why, "the root is not a map");
    out->data = data;
    out->size = size;
    out->width = 1u << (packed & 3);
    if (!read_uint(data, size, root_pos, (uint32_t)root_width, &offset) || !back(root_pos, offset, &out->pos))
        return fail(why, "the root map's offset leaves the buffer");
    /* [keys offset][keys width][length] precede the values. */
    if (out->pos < 3 * (size_t)out->width)
        return fail(why, "the map's header leaves the buffer");
    keys_field = out->pos - 3 * (size_t)out->width;
    if (!read_uint(data, size, out->pos - out->width, out->width, &len) ||
        !read_uint(data, size, out->pos - 2 * (size_t)out->width, out->width, &key_width) ||
        !read_uint(data, size, keys_field, out->width, &key_offset))
        return fail(why, "the map's header leaves the buffer");
    if (len > 0xffffu || len * (out->width + 1) > size - out->pos)
        return fail(why, "the map's values leave the buffer");
    if (!valid_width(key_width) || !back(keys_field, key_offset, &out->keys_pos) || out->keys_pos < key_width)
        return fail(why, "the map's keys leave the buffer");
    out->key_width = (uint32_t)key_width;
    out->len = (uint32_t)len;
    if (!read_uint(data, size, out->keys_pos - out->key_width, out->key_width, &key_len) || key_len != len ||
        len * key_width > size - out->keys_pos)
        return fail(why, "the map's keys do not match its values");
    return 1;
}

/* Key i as a NUL-terminated string inside the buffer, or NULL. */
static const char *key_at(const flex_map *m, uint32_t i) {
    const size_t pos = m->keys_pos + (size_t)i * m->key_width;
    uint64_t offset;
    size_t at;
    if (!read_uint(m->data, m->size, pos, m->key_width, &offset) || !back(pos, offset, &at) ||
        !memchr(m->data + at, 0, m->size - at))
        return NULL;
    return (const char *)(m->data + at);
}

/* The number stored as `type` in `width` bytes at pos. */
static int number_at(const flex_map *m, size_t pos, int type, uint32_t width, double *value) {
    uint64_t bits;
    if (!read_uint(m->data, m->size, pos, width, &bits))
        return 0;
    if (type == FLEX_INT) {
        /* Sign-extend from `width` bytes. */
        const uint64_t sign = (uint64_t)1 << (8 * width - 1);
        const int64_t v = width == 8 ? (int64_t)bits : (int64_t)(bits ^ sign) - (int64_t)sign;
        *value = (double)v;
    } else if (type == FLEX_UINT || type == FLEX_BOOL) {
        *value = (double)bits;
    } else if (width == 4) {
        float f;
        uint32_t b32 = (uint32_t)bits;
        memcpy(&f, &b32, 4);
        *value = f;
    } else if (width == 8) {
        memcpy(value, &bits, 8);
    } else {
        return 0; /* FlexBuffers floats are 4 or 8 bytes */
    }
    return 1;
}

int flex_map_number(const flex_map *m, const char *key, int *found, double *value, const char **why) {
    uint32_t i;
    *found = 0;
    for (i = 0; i < m->len; ++i) {
        const char *k = key_at(m, i);
        const size_t slot = m->pos + (size_t)i * m->width;
        uint8_t packed;
        int type;
        uint32_t width;
        if (!k)
            return fail(why, "a key leaves the buffer");
        if (strcmp(k, key) != 0)
            continue;
        packed = m->data[m->pos + (size_t)m->len * m->width + i]; /* inside: checked by flex_root_map */
        type = packed >> 2;
        width = 1u << (packed & 3);
        if (type == FLEX_NULL)
            return 1;
        if (type == FLEX_INT || type == FLEX_UINT || type == FLEX_FLOAT || type == FLEX_BOOL) {
            if (!number_at(m, slot, type, m->width, value))
                return fail(why, "a value leaves the buffer or has a bad width");
        } else if (type == FLEX_INDIRECT_INT || type == FLEX_INDIRECT_UINT || type == FLEX_INDIRECT_FLOAT) {
            uint64_t offset;
            size_t at;
            if (!read_uint(m->data, m->size, slot, m->width, &offset) || !back(slot, offset, &at) ||
                !number_at(m, at, type - (FLEX_INDIRECT_INT - FLEX_INT), width, value))
                return fail(why, "an indirect value leaves the buffer or has a bad width");
        } else {
            return fail(why, "a value is not a number");
        }
        *found = 1;
        return 1;
    }
    return 1;
}
