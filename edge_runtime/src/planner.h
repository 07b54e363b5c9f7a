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
    size_t offset; /* output (aligned to EMBER_ALIGNMENT), or input when `fixed` */
    int32_t fixed; /* 1: placed by an offline plan at `offset`, which the planner verifies and keeps */
} ember_plan_entry;

/* Computes first/last use of every tensor and checks the dataflow: each non-constant operator input is a
 * graph input or written by an earlier operator, each tensor is written once, constants and graph inputs
 * never. Graph inputs and outputs live from the first operator to the last: no tensor shares their bytes.
 * Per subgraph, in the operator indices of that subgraph. */
ember_status ember_compute_lifetimes(ember_interpreter *ctx);

/* Places entries: fixed ones (an offline plan) first, each checked against the fixed ones before it (two
 * entries whose lifetimes overlap must not share a byte); then the others largest first, each at the lowest
 * aligned offset that overlaps no placed entry alive at the same time (first fit). Reorders `entries`;
 * `scratch` holds `count` ints. Writes the arena size (aligned) to *arena_bytes. EMBER_INVALID_MODEL when two
 * fixed entries collide (their ids in conflict[0..1]); EMBER_OUT_OF_MEMORY if the arena does not fit size_t.
 */
ember_status ember_plan_greedy(ember_plan_entry *entries, int32_t count, int32_t *scratch,
                               size_t *arena_bytes, int32_t conflict[2]);

/* Plans the tensors of subgraph `sg` alone (lifetimes in its own operator indices) with ember_plan_greedy,
 * fixed entries from the model's offline plan (subgraph 0's), in a region of the arena of its own that starts
 * at *end (aligned): sets each planned tensor's arena_offset and moves *end past the region. Each subgraph
 * has its own region since a called subgraph runs while its caller's tensors are alive. */
ember_status ember_plan_subgraph(ember_interpreter *ctx, const ember_subgraph *sg, size_t *end);

#endif /* EMBER_PLANNER_H */
