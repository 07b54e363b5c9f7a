/* The worker pool of multi-threaded kernels: made once (when an interpreter allocates its tensors), then each
 * ember_pool_run hands tasks 0..tasks-1 to its participants, the calling thread included, and returns when
 * every task is done. A run creates no thread and allocates nothing.
 *
 * Tasks are claimed one at a time from a shared counter, so which thread runs which task changes from run to
 * run: a task must depend on its index only (kernels give each task a disjoint range of rows), never on the
 * thread. `thread` (0 = the caller, 1..threads-1 = the workers) is for per-thread scratch: no two tasks run
 * at the same time with the same `thread`.
 *
 * Waiting workers spin on the run counter for EMBER_POOL_SPIN_US microseconds (so that the next operator of
 * an invoke reaches them in well under a microsecond), then sleep on a condition variable, so that an idle
 * interpreter burns no core. The caller never waits for a sleeping worker: it runs the tasks nobody claimed.
 *
 * -DEMBER_NO_THREADS (bare-metal targets) compiles the threads out: every pool has one participant and runs
 * inline; so do targets without pthreads or lock-free 64-bit atomics. */
#ifndef EMBER_THREAD_POOL_H
#define EMBER_THREAD_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "ember.h"

/* Most participants a pool accepts (ember-bench's --num_threads range). */
#define EMBER_POOL_MAX_THREADS 1024

/* How long an idle worker spins before it sleeps (override with -D; ember_pool_set_spin per pool). */
#ifndef EMBER_POOL_SPIN_US
#define EMBER_POOL_SPIN_US 200
#endif

typedef struct ember_pool ember_pool;

/* One task: `task` in [0, tasks) of the run; `thread` in [0, ember_pool_threads), who runs it. */
typedef void ember_task_fn(void *arg, int32_t task, int32_t thread);

/* Participants for LiteRT's num_threads = -1: the CPUs this process may run on (sched_getaffinity where
 * available, else the online CPUs), at most EMBER_POOL_MAX_THREADS; 1 without threads. */
int32_t ember_pool_default_threads(void);

/* Most participants a pool of this build runs: EMBER_POOL_MAX_THREADS, or 1 where threads are compiled out
 * (EMBER_NO_THREADS, no pthreads or no lock-free 64-bit atomics), so that callers size per-thread memory for
 * the threads that will really run. */
int32_t ember_pool_max_threads(void);

/* Bytes ember_pool_init needs for `threads` participants (any alignment); 0 when threads is outside
 * [1, EMBER_POOL_MAX_THREADS]. */
size_t ember_pool_bytes(int32_t threads);

/* Makes a pool of `threads` participants (threads - 1 workers) in memory[0, bytes), which the caller owns and
 * keeps until ember_pool_destroy: no malloc, so a caller-arena interpreter can hold its pool in its arena.
 * On failure *pool is NULL, no thread is left running and error[0, capacity) names the cause. */
ember_status ember_pool_init(void *memory, size_t bytes, int32_t threads, ember_pool **pool, char *error,
                             size_t error_capacity);

/* ember_pool_init in memory from one malloc, which ember_pool_destroy frees. */
ember_status ember_pool_create(int32_t threads, ember_pool **pool, char *error, size_t error_capacity);

/* Stops and joins the workers; frees the memory only when ember_pool_create made the pool. NULL is a no-op.
 * Not during a run. */
void ember_pool_destroy(ember_pool *pool);

/* Runs fn(arg, task, thread) once for each task in [0, tasks) and returns when all have returned. NULL pool,
 * one participant or one task: all inline on the caller, in order. One run at a time per pool, never from
 * inside a task. */
void ember_pool_run(ember_pool *pool, int32_t tasks, ember_task_fn *fn, void *arg);

/* Participants of the pool, the caller included (1 for NULL). */
int32_t ember_pool_threads(const ember_pool *pool);

/* Changes how long this pool's idle workers spin before sleeping (0: sleep at once). Between runs only. */
void ember_pool_set_spin(ember_pool *pool, int32_t microseconds);

#endif /* EMBER_THREAD_POOL_H */
