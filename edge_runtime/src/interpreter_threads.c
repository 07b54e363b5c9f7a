/* The interpreter's worker threads: how many (ember_interpreter_set_num_threads, LiteRT's num_threads), the
 * pool that allocate makes in the arena and destroy joins, and how kernels split an eval over it. */
#include "ember_internal.h"

ember_status ember_interpreter_set_num_threads(ember_interpreter *it, int32_t num_threads) {
    int32_t before, threads;
    ember_status status;
    if (!it)
        return EMBER_INVALID_ARGUMENT;
    EMBER_CHECK(
        it, !it->allocated, EMBER_BAD_STATE,
        "set_num_threads: tensors are already allocated; set the thread count before allocate_tensors");
    EMBER_CHECK(it, num_threads >= -1 && num_threads <= EMBER_POOL_MAX_THREADS, EMBER_INVALID_ARGUMENT,
                "num_threads %ld: give -1 (all cores), 0 or 1 (one thread) or up to %d threads",
                (long)num_threads, EMBER_POOL_MAX_THREADS);
    /* LiteRT's meaning: -1 is the implementation's choice, 0 disables multithreading as 1 does. */
    threads = num_threads == -1 ? ember_pool_default_threads() : num_threads == 0 ? 1 : num_threads;
    if (threads > ember_pool_max_threads() || it->reference_kernels)
        threads = 1; /* threads compiled out; EMBER_ISA=reference runs the plain loops on the caller */
    if (threads == it->threads)
        return EMBER_OK;
    before = it->threads;
    it->threads = threads;
    status = ember_plan_layout(it);
    if (status != EMBER_OK) {
        it->threads = before; /* the layout that was fine before: the interpreter stays usable */
        ember_plan_layout(it);
    }
    return status;
}

int32_t ember_interpreter_num_threads(const ember_interpreter *it) {
    return it ? it->threads : 1;
}

size_t ember_threads_pool_bytes(const ember_interpreter *ctx) {
    return ctx->threads > 1 ? ember_pool_bytes(ctx->threads) : 0;
}

ember_status ember_threads_start(ember_interpreter *ctx, void *memory) {
    if (ctx->threads <= 1)
        return EMBER_OK;
    return ember_pool_init(memory, ember_pool_bytes(ctx->threads), ctx->threads, &ctx->pool, ctx->error,
                           sizeof ctx->error);
}

void ember_threads_stop(ember_interpreter *ctx) {
    ember_pool_destroy(ctx->pool);
    ctx->pool = NULL;
}

int32_t ember_parallel_tasks(const ember_interpreter *ctx, int64_t units, int64_t unit_macs) {
    int64_t tasks;
    if (!ctx->pool || units < 2)
        return 1;
    /* units < 2^31 and unit_macs capped at the minimum keep the product far from overflow. */
    tasks = units * (unit_macs < EMBER_MIN_TASK_MACS ? unit_macs : EMBER_MIN_TASK_MACS) / EMBER_MIN_TASK_MACS;
    if (tasks > 4 * (int64_t)ctx->threads)
        tasks = 4 * (int64_t)ctx->threads;
    return tasks < 2 ? 1 : (int32_t)tasks;
}

void ember_parallel_run(ember_interpreter *ctx, int32_t tasks, ember_task_fn *fn, void *arg) {
    ember_pool_run(ctx->pool, tasks, fn, arg);
}
