/* What the two halves of the verifying loader share: model_loader.c (model, operator codes, operators,
 * metadata) and tensor_loader.c (buffers, tensors, quantisation, the offline memory plan). */
#ifndef EMBER_MODEL_LOADER_H
#define EMBER_MODEL_LOADER_H

#include "ember_internal.h"

typedef struct loader {
    ember_interpreter *ctx;
    fb_reader *r;
    fb_vector opcodes;
    fb_vector buffers;
    fb_vector tensors;
    fb_vector operators;
    int64_t offline_plan_buffer; /* buffer of the "OfflineMemoryAllocation" metadata, -1 when absent */
} loader;

/* Message for a failed flatbuffer access: caller's context, then the reader's reason and position. */
ember_status ember_loader_fb_error(loader *l, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#define FB_CHECK(l, expr, ...)                                                                               \
    do {                                                                                                     \
        if (!(expr))                                                                                         \
            return ember_loader_fb_error((l), __VA_ARGS__);                                                  \
    } while (0)

/* Data of buffer `index` (verified to lie inside the model); *data = NULL when empty. */
ember_status ember_loader_buffer(loader *l, uint32_t index, const uint8_t **data, size_t *size);

/* Verifies tensor `index` of subgraph 0 and fills ctx->tensors[index]. */
ember_status ember_loader_tensor(loader *l, int32_t index);

/* Verifies the "OfflineMemoryAllocation" metadata, when present, and points ctx->offline_plan at its offsets.
 */
ember_status ember_loader_offline_plan(loader *l);

#endif /* EMBER_MODEL_LOADER_H */
