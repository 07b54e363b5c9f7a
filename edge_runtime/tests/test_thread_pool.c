/* The worker pool: every task runs exactly once on a valid participant, never two at once on one `thread`,
 * back-to-back runs lose no wake-up (spinning and sleeping workers), destroy joins whatever state the workers
 * are in, and a pool lives in caller memory. EMBER_POOL_BENCH=1 also prints the latency of an empty run
 * (informational, never asserted). */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* clock_gettime, nanosleep */
#endif
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "test_util.h"
#include "thread_pool.h"

#define MAX_TASKS 1000
#define MAX_THREADS 8

typedef struct tally {
    int32_t threads;
    int hits[MAX_TASKS];         /* each written by the one task of that index */
    int32_t ran_on[MAX_TASKS];   /* the participant that ran it */
    int busy[MAX_THREADS];       /* tasks running now per `thread`: a second one is a race TSan sees */
    int overlapped[MAX_THREADS]; /* ... and a count this test sees */
    int64_t values[MAX_TASKS];   /* a result that depends on the task index only */
} tally;

static void count_task(void *arg, int32_t task, int32_t thread) {
    tally *t = (tally *)arg;
    if (thread < 0 || thread >= t->threads || thread >= MAX_THREADS || task < 0 || task >= MAX_TASKS) {
        ++test_failures; /* from one thread only in a correct pool, which is what is being tested */
        return;
    }
    if (t->busy[thread]++ != 0)
        ++t->overlapped[thread];
    ++t->hits[task];
    t->ran_on[task] = thread;
    t->values[task] = (int64_t)task * task + 7;
    --t->busy[thread];
}

static void test_every_task_runs_once(void) {
    static const int32_t task_counts[] = {0, 1, 2, 3, 7, 64, 1000};
    static const int32_t thread_counts[] = {1, 2, 3, 4, 8};
    static tally t;
    size_t a, b;
    for (a = 0; a < sizeof thread_counts / sizeof thread_counts[0]; ++a) {
        char error[EMBER_ERROR_CAPACITY] = "";
        ember_pool *pool = NULL;
        const int32_t threads = thread_counts[a];
        CHECK_STATUS(ember_pool_create(threads, &pool, error, sizeof error), EMBER_OK, error);
        if (!pool)
            continue;
#ifdef EMBER_NO_THREADS
        CHECK(ember_pool_threads(pool) == 1);
#else
        CHECK(ember_pool_threads(pool) == threads);
#endif
        for (b = 0; b < sizeof task_counts / sizeof task_counts[0]; ++b) {
            const int32_t tasks = task_counts[b];
            int32_t i, wrong = 0;
            memset(&t, 0, sizeof t);
            t.threads = ember_pool_threads(pool);
            ember_pool_run(pool, tasks, count_task, &t);
            for (i = 0; i < MAX_TASKS; ++i) {
                const int expected = i < tasks;
                wrong += t.hits[i] != expected || (expected && t.values[i] != (int64_t)i * i + 7);
                wrong += t.ran_on[i] < 0 || t.ran_on[i] >= t.threads;
            }
            for (i = 0; i < MAX_THREADS; ++i)
                wrong += t.overlapped[i] != 0 || t.busy[i] != 0;
            if (wrong)
                fprintf(stderr, "thread pool: %d threads, %d tasks: %d wrong\n", (int)threads, (int)tasks,
                        wrong);
            CHECK(wrong == 0);
        }
        ember_pool_destroy(pool);
    }
}

static void test_null_pool_and_one_task_run_inline(void) {
    static tally t;
    char error[EMBER_ERROR_CAPACITY];
    ember_pool *pool = NULL;
    int32_t i, wrong = 0;
    memset(&t, 0, sizeof t);
    t.threads = 1;
    CHECK(ember_pool_threads(NULL) == 1);
    ember_pool_run(NULL, 5, count_task, &t);
    for (i = 0; i < 5; ++i)
        wrong += t.hits[i] != 1 || t.ran_on[i] != 0;
    CHECK(wrong == 0);
    CHECK_STATUS(ember_pool_create(4, &pool, error, sizeof error), EMBER_OK, error);
    memset(&t, 0, sizeof t);
    t.threads = 1; /* one task goes to the caller, thread 0 */
    ember_pool_run(pool, 1, count_task, &t);
    CHECK(t.hits[0] == 1 && t.ran_on[0] == 0);
    ember_pool_destroy(pool);
    ember_pool_destroy(NULL);
}

typedef struct back_to_back {
    int32_t threads;
    int64_t sums[MAX_THREADS]; /* per participant, added up after the runs */
} back_to_back;

static void add_task(void *arg, int32_t task, int32_t thread) {
    back_to_back *b = (back_to_back *)arg;
    b->sums[thread] += task + 1;
}

/* Runs `runs` runs of `tasks` tasks; every run must complete with every task, whatever the workers were doing
 * (spinning, sleeping, not yet started). A lost wake-up cannot hang a run (the caller runs unclaimed tasks),
 * so what is checked is the count: a task run twice or never shows in the total. */
static void check_back_to_back(ember_pool *pool, int32_t runs, int32_t tasks, int sleep_between) {
    back_to_back b;
    int64_t total = 0;
    int32_t r, i;
    memset(&b, 0, sizeof b);
    b.threads = ember_pool_threads(pool);
    for (r = 0; r < runs; ++r) {
        ember_pool_run(pool, tasks, add_task, &b);
        if (sleep_between) {
            const struct timespec pause = {0, 300 * 1000}; /* 0.3 ms: longer than the test's spin below */
            nanosleep(&pause, NULL);
        }
    }
    for (i = 0; i < MAX_THREADS; ++i)
        total += b.sums[i];
    CHECK(total == (int64_t)runs * tasks * (tasks + 1) / 2);
}

static void test_back_to_back_runs(void) {
    char error[EMBER_ERROR_CAPACITY];
    ember_pool *pool = NULL;
    CHECK_STATUS(ember_pool_create(3, &pool, error, sizeof error), EMBER_OK, error);
    if (!pool)
        return;
    check_back_to_back(pool, 10000, 3, 0); /* spinning workers */
    ember_pool_set_spin(pool, 0);          /* every wait sleeps on the condition variable */
    check_back_to_back(pool, 10000, 3, 0);
    check_back_to_back(pool, 2000, 17, 0);
    ember_pool_set_spin(pool, 100);
    check_back_to_back(pool, 50, 4, 1); /* workers asleep at every run */
    ember_pool_destroy(pool);
}

static void test_destroy_joins_in_any_state(void) {
    char error[EMBER_ERROR_CAPACITY];
    back_to_back b;
    int32_t i;
    memset(&b, 0, sizeof b);
    for (i = 0; i < 50; ++i) { /* workers possibly not started yet, then spinning, then asleep */
        ember_pool *pool = NULL;
        CHECK_STATUS(ember_pool_create(1 + i % 4, &pool, error, sizeof error), EMBER_OK, error);
        if (i % 3 == 1)
            ember_pool_run(pool, 8, add_task, &b);
        if (i % 3 == 2) {
            ember_pool_set_spin(pool, 0);
            ember_pool_run(pool, 8, add_task, &b);
        }
        ember_pool_destroy(pool);
    }
}

static void test_caller_memory_and_bad_arguments(void) {
    static unsigned char memory[4096];
    char error[EMBER_ERROR_CAPACITY];
    ember_pool *pool = (ember_pool *)memory;
    back_to_back b;
    const size_t need = ember_pool_bytes(4);
    CHECK(need > 0 && need <= sizeof memory - 1);
    CHECK(ember_pool_bytes(0) == 0 && ember_pool_bytes(-1) == 0 &&
          ember_pool_bytes(EMBER_POOL_MAX_THREADS + 1) == 0);
    /* misaligned on purpose: the pool aligns itself inside the bytes it asked for */
    CHECK_STATUS(ember_pool_init(memory + 1, need, 4, &pool, error, sizeof error), EMBER_OK, error);
    CHECK((unsigned char *)pool >= memory + 1 && (unsigned char *)pool < memory + 1 + need);
    memset(&b, 0, sizeof b);
    ember_pool_run(pool, 100, add_task, &b);
    CHECK(b.sums[0] + b.sums[1] + b.sums[2] + b.sums[3] == 5050);
    ember_pool_destroy(pool); /* joins, frees nothing: ASan and valgrind would see a free of static memory */

    CHECK(ember_pool_init(memory, need - 1, 4, &pool, error, sizeof error) == EMBER_INVALID_ARGUMENT);
    CHECK(pool == NULL);
    CHECK_CONTAINS(error, "4 threads need");
    CHECK(ember_pool_init(NULL, need, 4, &pool, error, sizeof error) == EMBER_INVALID_ARGUMENT);
    CHECK(ember_pool_create(0, &pool, error, sizeof error) == EMBER_INVALID_ARGUMENT && pool == NULL);
    CHECK_CONTAINS(error, "0 threads");
    CHECK(ember_pool_create(-1, &pool, NULL, 0) == EMBER_INVALID_ARGUMENT);
    CHECK(ember_pool_create(EMBER_POOL_MAX_THREADS + 1, &pool, error, sizeof error) ==
          EMBER_INVALID_ARGUMENT);
    CHECK(ember_pool_create(2, NULL, error, sizeof error) == EMBER_INVALID_ARGUMENT);
    CHECK(ember_pool_default_threads() >= 1 && ember_pool_default_threads() <= EMBER_POOL_MAX_THREADS);
}

static void empty_task(void *arg, int32_t task, int32_t thread) {
    (void)arg;
    (void)task;
    (void)thread;
}

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

#if defined(__GNUC__)
/* Each of the pool's participants takes one task and waits in it until all have arrived: the run's time is
 * then the time to reach every worker and hear back, which an empty run hides when the caller takes all. */
typedef struct rendezvous {
    int32_t arrived;
    int32_t threads;
} rendezvous;

static void rendezvous_task(void *arg, int32_t task, int32_t thread) {
    rendezvous *r = (rendezvous *)arg;
    (void)task;
    (void)thread;
    __atomic_fetch_add(&r->arrived, 1, __ATOMIC_ACQ_REL);
    while (__atomic_load_n(&r->arrived, __ATOMIC_ACQUIRE) < r->threads)
        ;
}
#endif

/* Median over 21 rounds of the mean latency of 2000 runs of `tasks` empty tasks. */
static void bench_dispatch(int32_t threads, int32_t tasks, int32_t spin_us, int all_participate) {
    char error[EMBER_ERROR_CAPACITY];
    ember_pool *pool = NULL;
    double rounds[21], swap;
    int i, j;
    if (ember_pool_create(threads, &pool, error, sizeof error) != EMBER_OK)
        return;
    ember_pool_set_spin(pool, spin_us);
    for (i = 0; i < 21; ++i) {
        const double start = now_us();
        for (j = 0; j < 2000; ++j) {
#if defined(__GNUC__)
            rendezvous r = {0, 0};
            r.threads = threads;
            if (all_participate) {
                ember_pool_run(pool, threads, rendezvous_task, &r);
                continue;
            }
#endif
            ember_pool_run(pool, tasks, empty_task, NULL);
        }
        rounds[i] = (now_us() - start) / 2000;
    }
    for (i = 0; i < 21; ++i)
        for (j = i + 1; j < 21; ++j)
            if (rounds[j] < rounds[i]) {
                swap = rounds[i];
                rounds[i] = rounds[j];
                rounds[j] = swap;
            }
    printf("thread pool bench: %d threads, %d %s tasks, spin %d us: %.3f us per run (median of 21 x 2000)\n",
           (int)threads, all_participate ? (int)threads : (int)tasks,
           all_participate ? "rendezvous" : "empty", (int)spin_us, rounds[10]);
    ember_pool_destroy(pool);
}

#if defined(__GNUC__)
/* The latency of a run that finds its worker asleep (the first operator after an idle spell): median of 101
 * rendezvous runs, each after a 1 ms pause that is longer than the spin. */
static void bench_wake(int32_t threads) {
    char error[EMBER_ERROR_CAPACITY];
    ember_pool *pool = NULL;
    double runs[101], swap;
    int i, j;
    if (ember_pool_create(threads, &pool, error, sizeof error) != EMBER_OK)
        return;
    ember_pool_set_spin(pool, 100);
    for (i = 0; i < 101; ++i) {
        const struct timespec pause = {0, 1000 * 1000};
        rendezvous r = {0, 0};
        double start;
        r.threads = threads;
        nanosleep(&pause, NULL);
        start = now_us();
        ember_pool_run(pool, threads, rendezvous_task, &r);
        runs[i] = now_us() - start;
    }
    for (i = 0; i < 101; ++i)
        for (j = i + 1; j < 101; ++j)
            if (runs[j] < runs[i]) {
                swap = runs[i];
                runs[i] = runs[j];
                runs[j] = swap;
            }
    printf("thread pool bench: %d threads, workers asleep, %d rendezvous tasks: %.3f us per run (median of "
           "101)\n",
           (int)threads, (int)threads, runs[50]);
    ember_pool_destroy(pool);
}
#endif

void test_thread_pool(void) {
    const char *bench = getenv("EMBER_POOL_BENCH");
    test_every_task_runs_once();
    test_null_pool_and_one_task_run_inline();
    test_back_to_back_runs();
    test_destroy_joins_in_any_state();
    test_caller_memory_and_bad_arguments();
    if (bench && bench[0] == '1') {
        bench_dispatch(1, 1, EMBER_POOL_SPIN_US, 0);
        bench_dispatch(2, 2, EMBER_POOL_SPIN_US, 0);
        bench_dispatch(2, 8, EMBER_POOL_SPIN_US, 0);
        bench_dispatch(2, 2, EMBER_POOL_SPIN_US, 1);
        bench_dispatch(2, 2, 0, 0);
        bench_dispatch(2, 2, 0, 1);
#if defined(__GNUC__)
        bench_wake(2);
#endif
    }
}
