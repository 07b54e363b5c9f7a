/* Tensor types and shapes. */
#include "ember_internal.h"

const char *ember_type_name(ember_type type) {
    /* Every TFLite TensorType, also those no kernel takes, for "type complex64 is not supported" messages. */
    static const char *const names[] = {"float32", "float16",    "int32",  "uint8",     "int64",
                                        "string",  "bool",       "int16",  "complex64", "int8",
                                        "float64", "complex128", "uint64", "resource",  "variant",
                                        "uint32",  "uint16",     "int4",   "bfloat16"};
    if ((int)type >= 0 && (size_t)type < sizeof names / sizeof names[0])
        return names[type];
    return "unknown";
}

size_t ember_type_size(int32_t type) {
    switch (type) {
    case EMBER_FLOAT32:
    case EMBER_INT32:
    case EMBER_RESOURCE: /* the id of a variable (VAR_HANDLE's output), as in LiteRT */
        return 4;
    case EMBER_INT8:
    case EMBER_UINT8:
    case EMBER_BOOL:
        return 1;
    case EMBER_FLOAT16:
    case EMBER_INT16:
        return 2;
    case EMBER_INT64:
        return 8;
    default:
        return 0;
    }
}

int32_t ember_element_count(const ember_tensor *t) {
    int32_t count = 1;
    int32_t d;
    /* An empty tensor's other dims may multiply past int32 (EMBER_MAX_TENSOR_SPAN): look for the 0 first. */
    for (d = 0; d < t->rank; ++d) {
        if (t->dims[d] == 0)
            return 0;
    }
    for (d = 0; d < t->rank; ++d)
        count *= t->dims[d];
    return count;
}

const char *ember_shape_string(const ember_tensor *t, char *buf, size_t capacity) {
    size_t used = 0;
    int32_t d;
    buf[0] = '\0';
    for (d = 0; d <= t->rank && used < capacity; ++d) {
        int n;
        if (d == t->rank)
            n = snprintf(buf + used, capacity - used, "]");
        else
            n = snprintf(buf + used, capacity - used, "%s%ld", d == 0 ? "[" : ",", (long)t->dims[d]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    if (t->rank == 0)
        snprintf(buf, capacity, "[]");
    return buf;
}
