/* The verifier's error messages (verify.h): the prefix naming the part of the model, the caller's format, and
 * for a failed flatbuffer access the reader's reason and position. */
#include <stdarg.h>
#include <string.h>

#include "verify.h"

ember_status ember_verify_fail(loader *l, unsigned how, const char *format, ...) {
    char *msg = l->ctx->error;
    size_t used;
    va_list args;
    msg[0] = '\0';
    if (how & (EMBER_VERIFY_TENSOR | EMBER_VERIFY_OPERATOR) && l->subgraph > 0)
        snprintf(msg, EMBER_ERROR_CAPACITY, "subgraph %lu ", (unsigned long)l->subgraph);
    used = strlen(msg);
    if (how & EMBER_VERIFY_TENSOR)
        snprintf(msg + used, EMBER_ERROR_CAPACITY - used, "tensor %ld ('%.64s'): ", (long)l->tensor,
                 l->ctx->tensors[l->tensor_base + l->tensor].name);
    if (how & EMBER_VERIFY_OPERATOR)
        snprintf(msg + used, EMBER_ERROR_CAPACITY - used, "operator %lu: ", (unsigned long)l->op);
    if (how & EMBER_VERIFY_PLAN)
        snprintf(msg, EMBER_ERROR_CAPACITY, "metadata OfflineMemoryAllocation: ");
    used = strlen(msg);
    va_start(args, format);
    vsnprintf(msg + used, EMBER_ERROR_CAPACITY - used, format, args);
    va_end(args);
    if (how & EMBER_VERIFY_READER) {
        used = strlen(msg);
        snprintf(msg + used, EMBER_ERROR_CAPACITY - used, ": %s (byte %lu of a %lu-byte model)", l->r->why,
                 (unsigned long)l->r->at, (unsigned long)l->r->size);
    }
    return (ember_status)(how & 0xffu);
}
