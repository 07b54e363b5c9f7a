/* Memory planning: tensor lifetimes over the operator order, then greedy placement in one arena. */
#ifndef EMBER_PLANNER_H
#define EMBER_PLANNER_H

#include "ember_internal.h"

/* One buffer to place: live from operator `first` to operator `last` inclusive. */
typedef struct ember_plan_entry {
    size_t bytes;
    int32_t first;
    int32_t last;
    int32_t id;    /* caller's tag (the tensor index), carried through the sort */
    size_t offset; /* output: aligned to EMBER_ALIGNMENT */
} ember_plan_entry;

/* Computes first/last use of every tensor and checks the dataflow: each non-constant operator input is a
 * graph input or written by an earlier operator, each tensor is written once, constants and graph inputs
 * never. */
ember_status ember_compute_lifetimes(ember_interpreter *ctx);

/* Places entries largest first, each at the lowest aligned offset that does not overlap any already placed
 * entry whose lifetime overlaps its own (first fit). Reorders `entries`; `scratch` holds `count` ints. Writes
 * the arena size (aligned) to *arena_bytes; EMBER_OUT_OF_MEMORY if it does not fit size_t. */
ember_status ember_plan_greedy(ember_plan_entry *entries, int32_t count, int32_t *scratch,
                               size_t *arena_bytes);

#endif /* EMBER_PLANNER_H */
