/* Greedy planner: placements never overlap while both tensors live, are aligned, and the arena is tight
 * enough. */
#include <stdlib.h>

#include "planner.h"
#include "test_util.h"

/* Ids of colliding fixed entries, written by the planner. */
static int32_t conflict[2];

static void check_plan(const ember_plan_entry *e, int32_t n, size_t arena) {
    int32_t i, j;
    size_t end = 0;
    for (i = 0; i < n; ++i) {
        CHECK(e[i].offset % EMBER_ALIGNMENT == 0);
        CHECK(e[i].offset + e[i].bytes <= arena);
        if (e[i].offset + e[i].bytes > end)
            end = e[i].offset + e[i].bytes;
        for (j = i + 1; j < n; ++j) {
            int live_together = !(e[i].last < e[j].first || e[j].last < e[i].first);
            int disjoint = e[i].offset + e[i].bytes <= e[j].offset || e[j].offset + e[j].bytes <= e[i].offset;
            if (live_together && e[i].bytes && e[j].bytes)
                CHECK(disjoint);
        }
    }
    CHECK(arena == ((end + EMBER_ALIGNMENT - 1) & ~(size_t)(EMBER_ALIGNMENT - 1)));
}

static void test_chain(void) {
    /* A (ops 0-1, 100 B), B (1-2, 200 B), C (2-3, 100 B): B first at 0, A after B, C reuses A's bytes. */
    ember_plan_entry e[3] = {{100, 0, 1, 0, 0, 0}, {200, 1, 2, 1, 0, 0}, {100, 2, 3, 2, 0, 0}};
    int32_t scratch[3];
    size_t arena = 0;
    CHECK(ember_plan_greedy(e, 3, scratch, &arena, conflict) == EMBER_OK);
    check_plan(e, 3, arena);
    CHECK(arena == 208 + 112);
    CHECK(e[0].id == 1 && e[0].offset == 0);
    CHECK(e[1].offset == 208 && e[2].offset == 208);
}

static void test_empty(void) {
    size_t arena = 99;
    CHECK(ember_plan_greedy(NULL, 0, NULL, &arena, conflict) == EMBER_OK);
    CHECK(arena == 0);
}

static void test_random_plans(void) {
    enum { N = 40 };
    ember_plan_entry e[N];
    int32_t scratch[N];
    unsigned seed = 12345;
    int trial, i;
    for (trial = 0; trial < 200; ++trial) {
        size_t arena = 0, peak = 0, total = 0;
        int32_t op;
        for (i = 0; i < N; ++i) {
            int32_t a = (int32_t)(test_rand(&seed) % 30), b = (int32_t)(test_rand(&seed) % 30);
            e[i].first = a < b ? a : b;
            e[i].last = a < b ? b : a;
            e[i].bytes = test_rand(&seed) % 5000;
            e[i].id = i;
            e[i].fixed = 0;
            total += (e[i].bytes + 15) & ~(size_t)15;
        }
        CHECK(ember_plan_greedy(e, N, scratch, &arena, conflict) == EMBER_OK);
        check_plan(e, N, arena);
        /* Bounds: at least the peak of simultaneously live bytes, at most no sharing at all. */
        for (op = 0; op < 30; ++op) {
            size_t live = 0;
            for (i = 0; i < N; ++i)
                if (e[i].first <= op && op <= e[i].last)
                    live += e[i].bytes;
            peak = live > peak ? live : peak;
        }
        CHECK(arena >= peak);
        CHECK(arena <= total);
    }
}

/* Offline (fixed) placements are kept; the others fill around them; a collision names both entries. */
static void test_fixed_entries(void) {
    ember_plan_entry e[4] = {
        {64, 0, 1, 10, 128, 1}, {64, 1, 2, 11, 0, 1}, {100, 0, 2, 12, 0, 0}, {32, 2, 3, 13, 0, 0}};
    int32_t scratch[4];
    size_t arena = 0;
    int32_t i;
    CHECK(ember_plan_greedy(e, 4, scratch, &arena, conflict) == EMBER_OK);
    check_plan(e, 4, arena);
    for (i = 0; i < 4; ++i) {
        if (e[i].id == 10)
            CHECK(e[i].offset == 128);
        if (e[i].id == 11)
            CHECK(e[i].offset == 0);
    }
    {
        ember_plan_entry bad[2] = {{64, 0, 1, 5, 0, 1}, {64, 1, 2, 6, 32, 1}};
        CHECK(ember_plan_greedy(bad, 2, scratch, &arena, conflict) == EMBER_INVALID_MODEL);
        CHECK(conflict[0] == 5 && conflict[1] == 6);
    }
}

void test_planner(void) {
    test_chain();
    test_fixed_entries();
    test_empty();
    test_random_plans();
}
