/* The verifying loader's internal interface. verify_model.c (ember_load_model: the model, operator codes,
 * operators, metadata) calls verify_tensors.c (buffers, tensors, quantisation, the offline memory plan),
 * never the other way; both report through ember_verify_fail (verify_messages.c). */
#ifndef EMBER_VERIFY_H
#define EMBER_VERIFY_H

#include "ember_internal.h"

typedef struct loader {
    ember_interpreter *ctx;
    fb_reader *r;
    fb_vector opcodes;
    fb_vector buffers;
    fb_vector tensors;   /* of subgraph `subgraph`, whose tensors start at ctx->tensors[tensor_base] */
    fb_vector operators; /* of subgraph `subgraph` */
    uint32_t subgraph;   /* named (when not 0) by the EMBER_VERIFY_TENSOR and _OPERATOR prefixes */
    int32_t tensor_base;
    int64_t offline_plan_buffer; /* buffer of the "OfflineMemoryAllocation" metadata, -1 when absent */
    int32_t tensor;              /* the tensor being verified, named by EMBER_VERIFY_TENSOR messages */
    uint32_t op;                 /* the operator being verified, named by EMBER_VERIFY_OPERATOR messages */
} loader;

/* What ember_verify_fail writes around the formatted message, or'ed with the status it returns. Prefixes keep
 * each format string (and each call site) short: most of the verifier's size is its messages. */
#define EMBER_VERIFY_TENSOR 0x100u   /* prefix "[subgraph <s> ]tensor <l->tensor> ('<its name>'): " */
#define EMBER_VERIFY_OPERATOR 0x200u /* prefix "operator <l->op>: " */
#define EMBER_VERIFY_PLAN 0x400u     /* prefix "metadata OfflineMemoryAllocation: " */
#define EMBER_VERIFY_READER                                                                                  \
    0x800u /* suffix: the reader's reason and position, for a failed flatbuffer access */

/* Records the message (prefix, format, suffix as `how` selects) in ctx->error and returns the status in the
 * low bits of `how`. */
ember_status ember_verify_fail(loader *l, unsigned how, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Returns ember_verify_fail(l, how, format, args...) unless cond holds. */
#define VERIFY_CHECK(l, cond, how, ...)                                                                      \
    do {                                                                                                     \
        if (!(cond))                                                                                         \
            return ember_verify_fail((l), (how), __VA_ARGS__);                                               \
    } while (0)

/* A failed flatbuffer access: the caller's context, then the reader's reason and position. */
#define FB_CHECK(l, expr, ...) VERIFY_CHECK(l, expr, EMBER_INVALID_MODEL | EMBER_VERIFY_READER, __VA_ARGS__)

/* FB_CHECK and EMBER_CHECK for messages about the tensor (l->tensor) or operator (l->op) being verified, and
 * EMBER_CHECK for the offline memory plan's. */
#define TENSOR_FB_CHECK(l, expr, ...)                                                                        \
    VERIFY_CHECK(l, expr, EMBER_INVALID_MODEL | EMBER_VERIFY_READER | EMBER_VERIFY_TENSOR, __VA_ARGS__)
#define TENSOR_CHECK(l, cond, status, ...) VERIFY_CHECK(l, cond, (status) | EMBER_VERIFY_TENSOR, __VA_ARGS__)
#define OP_FB_CHECK(l, expr, ...)                                                                            \
    VERIFY_CHECK(l, expr, EMBER_INVALID_MODEL | EMBER_VERIFY_READER | EMBER_VERIFY_OPERATOR, __VA_ARGS__)
#define OP_CHECK(l, cond, status, ...) VERIFY_CHECK(l, cond, (status) | EMBER_VERIFY_OPERATOR, __VA_ARGS__)
#define PLAN_CHECK(l, cond, status, ...) VERIFY_CHECK(l, cond, (status) | EMBER_VERIFY_PLAN, __VA_ARGS__)

/* Data of buffer `index` (verified to lie inside the model); *data = NULL when empty. */
ember_status ember_verify_buffer(loader *l, uint32_t index, const uint8_t **data, size_t *size);

/* Verifies tensor `index` of subgraph l->subgraph and fills ctx->tensors[l->tensor_base + index]. */
ember_status ember_verify_tensor(loader *l, int32_t index);

/* Verifies the "OfflineMemoryAllocation" metadata, when present, and points ctx->offline_plan at its offsets.
 */
ember_status ember_verify_offline_plan(loader *l);

/* Verifies the model's SignatureDefs against its subgraphs and records them in ctx->signatures
 * (signature.c). */
ember_status ember_load_signatures(loader *l, const fb_table *model);

#endif /* EMBER_VERIFY_H */
