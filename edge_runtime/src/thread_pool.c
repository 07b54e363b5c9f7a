/* The worker pool (thread_pool.h): one 64-bit run word that workers spin on and claim tasks from, a done
 * counter the caller waits on, and a condition variable for workers that have spun long enough. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* sched_getaffinity and CPU_COUNT; implies the POSIX clock_gettime and pthreads */
#endif

#include "thread_pool.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Which implementation, and the atomics it uses --------------------------------------------------- */
/* C99 has no atomics: C11 <stdatomic.h> where the compiler is in C11 mode, else the GCC/clang __atomic
 * builtins (the -std=c99 build). The run word must be a lock-free 64-bit atomic (no libatomic). */
#if !defined(EMBER_NO_THREADS) && (defined(__unix__) || defined(__APPLE__))
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && !defined(__STDC_NO_ATOMICS__)
#include <stdatomic.h>
#if ATOMIC_LLONG_LOCK_FREE == 2
#define EMBER_POOL_THREADED 1
typedef _Atomic uint64_t pool_u64;
typedef _Atomic int32_t pool_i32;
#define POOL_RELAXED memory_order_relaxed
#define POOL_ACQUIRE memory_order_acquire
#define POOL_RELEASE memory_order_release
#define POOL_SEQ_CST memory_order_seq_cst
#define pool_load(p, order) atomic_load_explicit((p), (order))
#define pool_store(p, v, order) atomic_store_explicit((p), (v), (order))
#define pool_fetch_add(p, v, order) atomic_fetch_add_explicit((p), (v), (order))
#define pool_claim(p, expected, desired)                                                                     \
    atomic_compare_exchange_weak_explicit((p), (expected), (desired), memory_order_acq_rel,                  \
                                          memory_order_acquire)
#endif
#elif defined(__GNUC__) && defined(__GCC_ATOMIC_LLONG_LOCK_FREE) && __GCC_ATOMIC_LLONG_LOCK_FREE == 2
#define EMBER_POOL_THREADED 1
typedef uint64_t pool_u64;
typedef int32_t pool_i32;
#define POOL_RELAXED __ATOMIC_RELAXED
#define POOL_ACQUIRE __ATOMIC_ACQUIRE
#define POOL_RELEASE __ATOMIC_RELEASE
#define POOL_SEQ_CST __ATOMIC_SEQ_CST
#define pool_load(p, order) __atomic_load_n((p), (order))
#define pool_store(p, v, order) __atomic_store_n((p), (v), (order))
#define pool_fetch_add(p, v, order) __atomic_fetch_add((p), (v), (order))
#define pool_claim(p, expected, desired)                                                                     \
    __atomic_compare_exchange_n((p), (expected), (desired), 1, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
#endif
#endif

#ifdef EMBER_POOL_THREADED
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#endif

static void pool_error(char *error, size_t capacity, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void pool_error(char *error, size_t capacity, const char *format, ...) {
    va_list args;
    if (!error || capacity == 0)
        return;
    va_start(args, format);
    vsnprintf(error, capacity, format, args);
    va_end(args);
}

/* Cache line size for the layout: the run word, the done counter and the rest each get their own line, so
 * that workers spinning on the run word do not slow down the counters being written. */
#define POOL_LINE 64

#ifdef EMBER_POOL_THREADED

typedef struct pool_worker {
    pthread_t thread;
    ember_pool *pool;
    int32_t index;
} pool_worker;

struct ember_pool {
    /* Generation (high 32 bits) and tasks not yet claimed (low 32 bits). The caller opens run g by storing
     * (g, tasks); a participant claims a task by decrementing the word with a compare-and-swap that also
     * checks g, so a worker that wakes late for an old run can never claim a task of a newer one. */
    pool_u64 run;
    char pad_run[POOL_LINE - sizeof(pool_u64)];
    pool_i32 done; /* tasks of the current run that have returned */
    char pad_done[POOL_LINE - sizeof(pool_i32)];
    /* The current run: written by the caller before it opens the run, read by a participant only after a
     * successful claim. A claim proves the run is still open (its task is not done yet), so the caller cannot
     * be writing the next run's fields: plain fields, no data race. */
    ember_task_fn *fn;
    void *arg;
    int32_t tasks;
    uint32_t generation; /* the caller's */
    int32_t threads;
    void *block; /* what ember_pool_create malloc'd, for free; NULL after ember_pool_init */
    pool_i32 spin_us;
    pool_i32 stop;
    pool_i32 sleepers; /* workers in (or about to enter) pthread_cond_wait */
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    pool_worker workers[]; /* threads - 1 */
};

/* What a spinning thread executes between two polls: lets the other hyperthread run (x86 pause) or hints
 * the core (ARM yield). */
static void cpu_relax(void) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_ia32_pause();
#elif defined(__GNUC__) && (defined(__aarch64__) || (defined(__arm__) && __ARM_ARCH >= 7))
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

static uint64_t monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

static uint32_t generation_of(uint64_t word) {
    return (uint32_t)(word >> 32);
}

/* Claims and runs tasks of run `generation` until none is left unclaimed (or a newer run has opened). */
static void run_tasks(ember_pool *pool, uint32_t generation, int32_t thread) {
    uint64_t word = pool_load(&pool->run, POOL_ACQUIRE);
    while (generation_of(word) == generation && (uint32_t)word != 0) {
        if (pool_claim(&pool->run, &word, word - 1)) {
            pool->fn(pool->arg, pool->tasks - (int32_t)(uint32_t)word, thread);
            pool_fetch_add(&pool->done, 1, POOL_RELEASE);
            word = pool_load(&pool->run, POOL_ACQUIRE);
        }
    }
}

/* Returns the run word once its generation differs from `seen`: spins for spin_us, then sleeps. */
static uint64_t wait_for_run(ember_pool *pool, uint32_t seen) {
    const int32_t spin_us = pool_load(&pool->spin_us, POOL_RELAXED);
    uint64_t word;
    if (spin_us > 0) {
        const uint64_t deadline = monotonic_ns() + (uint64_t)spin_us * 1000u;
        uint32_t i;
        for (i = 1;; ++i) {
            word = pool_load(&pool->run, POOL_ACQUIRE);
            if (generation_of(word) != seen)
                return word;
            cpu_relax();
            if (i % 64 == 0 && monotonic_ns() >= deadline)
                break;
        }
    }
    /* sleepers++ then a load of the word here, a store of the word then a load of sleepers in the caller, all
     * sequentially consistent: either the caller sees this sleeper and signals under the mutex (which this
     * thread holds until it waits), or this thread sees the new run. No lost wake-up. */
    pthread_mutex_lock(&pool->mutex);
    pool_fetch_add(&pool->sleepers, 1, POOL_SEQ_CST);
    while (generation_of(word = pool_load(&pool->run, POOL_SEQ_CST)) == seen)
        pthread_cond_wait(&pool->wake, &pool->mutex);
    pool_fetch_add(&pool->sleepers, -1, POOL_RELAXED);
    pthread_mutex_unlock(&pool->mutex);
    return word;
}

static void *worker_main(void *opaque) {
    const pool_worker *self = (const pool_worker *)opaque;
    ember_pool *pool = self->pool;
    uint32_t seen = 0;
    for (;;) {
        const uint64_t word = wait_for_run(pool, seen);
        if (pool_load(&pool->stop, POOL_RELAXED)) /* stored before the word we acquired */
            return NULL;
        seen = generation_of(word);
        run_tasks(pool, seen, self->index);
    }
}

/* Opens a new run (tasks 0 after stop: nothing to claim, only a wake-up) and wakes sleeping workers. */
static void open_run(ember_pool *pool, int32_t tasks) {
    pool->generation += 1;
    pool_store(&pool->run, ((uint64_t)pool->generation << 32) | (uint32_t)tasks, POOL_SEQ_CST);
    if (pool_load(&pool->sleepers, POOL_SEQ_CST) > 0) {
        pthread_mutex_lock(&pool->mutex);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mutex);
    }
}

/* Stops and joins workers[0, started), then releases the mutex and condition variable. */
static void stop_workers(ember_pool *pool, int32_t started) {
    int32_t i;
    pool_store(&pool->stop, 1, POOL_RELAXED);
    open_run(pool, 0);
    for (i = 0; i < started; ++i)
        pthread_join(pool->workers[i].thread, NULL);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->mutex);
}

void ember_pool_run(ember_pool *pool, int32_t tasks, ember_task_fn *fn, void *arg) {
    uint32_t spins;
    int32_t i;
    if (!pool || pool->threads == 1 || tasks <= 1) {
        for (i = 0; i < tasks; ++i)
            fn(arg, i, 0);
        return;
    }
    pool->fn = fn;
    pool->arg = arg;
    pool->tasks = tasks;
    pool_store(&pool->done, 0, POOL_RELAXED); /* ordered before any claim by the run word's store */
    open_run(pool, tasks);
    run_tasks(pool, pool->generation, 0);
    /* Every task left is running on an awake worker, so this wait is as short as the slowest task; the
     * yields let a descheduled worker finish when the machine is oversubscribed. */
    for (spins = 1; pool_load(&pool->done, POOL_ACQUIRE) != tasks; ++spins) {
        cpu_relax();
        if (spins % 1024 == 0)
            sched_yield();
    }
}

int32_t ember_pool_default_threads(void) {
    long n = 0;
#if defined(__linux__) && defined(CPU_COUNT)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        n = CPU_COUNT(&set);
#endif
#ifdef _SC_NPROCESSORS_ONLN
    if (n < 1)
        n = sysconf(_SC_NPROCESSORS_ONLN);
#endif
    return n < 1 ? 1 : n > EMBER_POOL_MAX_THREADS ? EMBER_POOL_MAX_THREADS : (int32_t)n;
}

#else /* no threads: every pool runs inline */

struct ember_pool {
    int32_t threads;
    void *block;
};

void ember_pool_run(ember_pool *pool, int32_t tasks, ember_task_fn *fn, void *arg) {
    int32_t i;
    (void)pool;
    for (i = 0; i < tasks; ++i)
        fn(arg, i, 0);
}

int32_t ember_pool_default_threads(void) {
    return 1;
}

#endif

int32_t ember_pool_max_threads(void) {
#ifdef EMBER_POOL_THREADED
    return EMBER_POOL_MAX_THREADS;
#else
    return 1;
#endif
}

size_t ember_pool_bytes(int32_t threads) {
    if (threads < 1 || threads > EMBER_POOL_MAX_THREADS)
        return 0;
#ifdef EMBER_POOL_THREADED
    return sizeof(ember_pool) + (size_t)(threads - 1) * sizeof(pool_worker) + POOL_LINE - 1;
#else
    return sizeof(ember_pool) + POOL_LINE - 1;
#endif
}

ember_status ember_pool_init(void *memory, size_t bytes, int32_t threads, ember_pool **out, char *error,
                             size_t error_capacity) {
    ember_pool *pool;
    if (!out)
        return EMBER_INVALID_ARGUMENT;
    *out = NULL;
    if (threads < 1 || threads > EMBER_POOL_MAX_THREADS) {
        pool_error(error, error_capacity,
                   "thread pool: %d threads; give 1..%d (map num_threads -1 to ember_pool_default_threads())",
                   (int)threads, EMBER_POOL_MAX_THREADS);
        return EMBER_INVALID_ARGUMENT;
    }
    if (!memory || bytes < ember_pool_bytes(threads)) {
        pool_error(error, error_capacity, "thread pool: %lu bytes given at %p, %d threads need %lu",
                   (unsigned long)bytes, memory, (int)threads, (unsigned long)ember_pool_bytes(threads));
        return EMBER_INVALID_ARGUMENT;
    }
    pool = (ember_pool *)((uintptr_t)memory + (POOL_LINE - (uintptr_t)memory % POOL_LINE) % POOL_LINE);
    memset(pool, 0, ember_pool_bytes(threads) - (POOL_LINE - 1));
#ifdef EMBER_POOL_THREADED
    {
        int32_t i;
        int rc;
        pool->threads = threads;
        pool_store(&pool->run, 0, POOL_RELAXED);
        pool_store(&pool->done, 0, POOL_RELAXED);
        pool_store(&pool->stop, 0, POOL_RELAXED);
        pool_store(&pool->sleepers, 0, POOL_RELAXED);
        pool_store(&pool->spin_us, EMBER_POOL_SPIN_US, POOL_RELAXED);
        if (threads > 1) {
            if ((rc = pthread_mutex_init(&pool->mutex, NULL)) != 0) {
                pool_error(error, error_capacity, "thread pool: pthread_mutex_init failed: %s", strerror(rc));
                return EMBER_OUT_OF_MEMORY;
            }
            if ((rc = pthread_cond_init(&pool->wake, NULL)) != 0) {
                pthread_mutex_destroy(&pool->mutex);
                pool_error(error, error_capacity, "thread pool: pthread_cond_init failed: %s", strerror(rc));
                return EMBER_OUT_OF_MEMORY;
            }
        }
        for (i = 0; i < threads - 1; ++i) {
            pool->workers[i].pool = pool;
            pool->workers[i].index = i + 1;
            if ((rc = pthread_create(&pool->workers[i].thread, NULL, worker_main, &pool->workers[i])) != 0) {
                stop_workers(pool, i);
                pool_error(error, error_capacity, "thread pool: creating worker %d of %d failed: %s",
                           (int)i + 1, (int)threads - 1, strerror(rc));
                return EMBER_OUT_OF_MEMORY;
            }
        }
    }
#else
    pool->threads = 1; /* threads compiled out */
#endif
    *out = pool;
    return EMBER_OK;
}

ember_status ember_pool_create(int32_t threads, ember_pool **out, char *error, size_t error_capacity) {
    const size_t bytes = ember_pool_bytes(threads);
    void *memory = bytes ? malloc(bytes) : NULL;
    ember_status status;
    if (bytes && !memory) {
        if (out)
            *out = NULL;
        pool_error(error, error_capacity, "thread pool: malloc of %lu bytes for %d threads failed",
                   (unsigned long)bytes, (int)threads);
        return EMBER_OUT_OF_MEMORY;
    }
    status = ember_pool_init(memory, bytes, threads, out, error, error_capacity);
    if (status != EMBER_OK) {
        free(memory);
        return status;
    }
    (*out)->block = memory; /* the pool may start past it (alignment) */
    return EMBER_OK;
}

void ember_pool_destroy(ember_pool *pool) {
    void *block;
    if (!pool)
        return;
    block = pool->block;
#ifdef EMBER_POOL_THREADED
    if (pool->threads > 1)
        stop_workers(pool, pool->threads - 1);
#endif
    free(block);
}

int32_t ember_pool_threads(const ember_pool *pool) {
    return pool ? pool->threads : 1;
}

void ember_pool_set_spin(ember_pool *pool, int32_t microseconds) {
#ifdef EMBER_POOL_THREADED
    if (pool)
        pool_store(&pool->spin_us, microseconds < 0 ? 0 : microseconds, POOL_RELAXED);
#else
    (void)pool;
    (void)microseconds;
#endif
}
