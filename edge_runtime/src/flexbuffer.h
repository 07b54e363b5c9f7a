/* A small bounds-checked reader of FlexBuffers (the schema-less format of TFLite's custom_options, e.g.
 * TFLite_Detection_PostProcess's attributes): the root map and its numeric values, all TensorFlow's converter
 * writes there. Every offset is checked against the buffer before it is followed; a malformed buffer gives
 * 0 and a short reason, never a read outside it. */
#ifndef EMBER_FLEXBUFFER_H
#define EMBER_FLEXBUFFER_H

#include <stddef.h>
#include <stdint.h>

typedef struct flex_map {
    const uint8_t *data;
    size_t size;
    size_t pos;      /* value 0 */
    uint32_t width;  /* bytes of each value slot */
    uint32_t len;    /* entries */
    size_t keys_pos; /* key offset 0 */
    uint32_t key_width;
} flex_map;

/* The root of data[0, size), which must be a map; 0 and *why otherwise. */
int flex_root_map(const uint8_t *data, size_t size, flex_map *out, const char **why);

/* Value of `key` as a number (int, uint, bool or float, inline or indirect) in *value; *found 0 when the map
 * has no such key or it is null (FlexBuffers' IsNull, what LiteRT then defaults). 0 and *why when the entry
 * is malformed or not a number. */
int flex_map_number(const flex_map *map, const char *key, int *found, double *value, const char **why);

#endif /* EMBER_FLEXBUFFER_H */
