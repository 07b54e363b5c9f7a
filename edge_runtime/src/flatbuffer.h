/* A small bounds-checked FlatBuffers reader (no third-party code).
 *
 * Every accessor validates what it touches before reading: offsets stay inside the buffer, tables and vtables
 * are aligned and complete, vectors and strings fit, sizes never overflow. On failure it returns 0 and
 * records a short reason and the byte position in the reader, so the model verifier can add context ("tensor
 * 3, field shape"). Multi-byte values are assembled from bytes (FlatBuffers is little-endian), so host
 * alignment and byte order of the caller's buffer never matter here. */
#ifndef EMBER_FLATBUFFER_H
#define EMBER_FLATBUFFER_H

#include <stddef.h>
#include <stdint.h>

typedef struct fb_reader {
    const uint8_t *data;
    size_t size;
    const char *why; /* reason of the last failure (a string literal) */
    size_t at;       /* byte position where it was detected */
} fb_reader;

/* A verified table: its position, its vtable and the sizes both declare. */
typedef struct fb_table {
    size_t pos;
    size_t vtable;
    uint16_t vtable_size;
    uint16_t table_size;
} fb_table;

/* A verified vector: position of element 0 and element count (all elements lie inside the buffer). */
typedef struct fb_vector {
    size_t pos;
    uint32_t len;
} fb_vector;

static inline uint16_t fb_u16_at(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t fb_u32_at(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t fb_u64_at(const uint8_t *p) {
    return (uint64_t)fb_u32_at(p) | ((uint64_t)fb_u32_at(p + 4) << 32);
}

/* Two's complement conversion without implementation-defined casts of out-of-range values. */
static inline int32_t fb_i32_at(const uint8_t *p) {
    uint32_t u = fb_u32_at(p);
    return u <= 0x7fffffffu ? (int32_t)u : (int32_t)(u - 0x80000000u) - 0x7fffffff - 1;
}

static inline int64_t fb_i64_at(const uint8_t *p) {
    uint64_t u = fb_u64_at(p);
    return u <= 0x7fffffffffffffffu ? (int64_t)u
                                    : (int64_t)(u - 0x8000000000000000u) - 0x7fffffffffffffff - 1;
}

float fb_f32_at(const uint8_t *p);

/* Initialises a reader over data[0, size). */
void fb_init(fb_reader *r, const void *data, size_t size);

/* Root table of the buffer (uoffset at byte 0). */
int fb_root(fb_reader *r, fb_table *root);

/* Position of field `id` holding `size` bytes, checked to lie inside the table and to be aligned to `size`;
 * *pos = 0 when the field is absent. */
int fb_field(fb_reader *r, const fb_table *t, unsigned id, size_t size, size_t *pos);

/* Scalars: `def` when absent. */
int fb_get_u8(fb_reader *r, const fb_table *t, unsigned id, uint8_t def, uint8_t *out);
int fb_get_i8(fb_reader *r, const fb_table *t, unsigned id, int8_t def, int8_t *out);
int fb_get_i32(fb_reader *r, const fb_table *t, unsigned id, int32_t def, int32_t *out);
int fb_get_u32(fb_reader *r, const fb_table *t, unsigned id, uint32_t def, uint32_t *out);
int fb_get_u64(fb_reader *r, const fb_table *t, unsigned id, uint64_t def, uint64_t *out);
int fb_get_f32(fb_reader *r, const fb_table *t, unsigned id, float def, float *out);

/* Sub-table; *present = 0 (and *out zeroed) when absent. */
int fb_get_table(fb_reader *r, const fb_table *t, unsigned id, fb_table *out, int *present);

/* Vector of `elem_size`-byte elements; an absent vector reads as empty (len 0). */
int fb_get_vector(fb_reader *r, const fb_table *t, unsigned id, size_t elem_size, fb_vector *out);

/* NUL-terminated string; *out = NULL when absent. */
int fb_get_string(fb_reader *r, const fb_table *t, unsigned id, const char **out);

/* Element i (< v->len) of a vector of tables / strings. */
int fb_vector_table(fb_reader *r, const fb_vector *v, uint32_t i, fb_table *out);
int fb_vector_string(fb_reader *r, const fb_vector *v, uint32_t i, const char **out);

/* Element i (< v->len) of a verified scalar vector; no check needed, the vector was verified whole. */
static inline int32_t fb_vector_i32(const fb_reader *r, const fb_vector *v, uint32_t i) {
    return fb_i32_at(r->data + v->pos + 4 * (size_t)i);
}

#endif /* EMBER_FLATBUFFER_H */
