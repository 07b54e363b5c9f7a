/* ember-bench: loads a .tflite model, fills its inputs with seeded random data and times the runtime.
 *
 *   ember-bench --graph=model.tflite [--num_runs=50] [--warmup_runs=1] [--num_threads=1]
 *               [--enable_op_profiling] [--json] [--seed=1] [--max_arena_mb=256]
 *               [--custom_op_library=LIB.so [--custom_op_registerer=ember_register_custom_ops]]
 *               [--input_layer=NAME[,NAME...]] [--input_layer_shape=1,224,224,3[:1,10...]] [--help]
 *
 * Prints model and arena bytes, initialisation time (create + allocate), the first inference, min / median /
 * p90 / p99 / mean latency over num_runs invokes after warm-up, and with --enable_op_profiling a per-operator
 * table (through ember_interpreter_set_node_hook). With --json the last line is one JSON object with the same
 * numbers. Flags follow TFLite's benchmark_model so scripts carry over; --num_threads is the interpreter's
 * (ember_interpreter_set_num_threads: -1 all cores), and the threads invoke really uses are printed. A
 * numeric flag outside its range (print_usage lists them) exits with status 2, naming the flag.
 * --input_layer and --input_layer_shape are benchmark_model's too: the inputs named (comma-separated; without
 * the flag, the graph's inputs in order) are resized (ember_interpreter_resize_input) to the shapes given
 * (colon-separated, each comma-separated dims) before allocating. Built static by the cross toolchains, so it
 * runs under `adb shell` on a phone. --custom_op_library dlopens a shared library of custom op kernels and
 * calls its registerer (ember.h, "Custom operators"; the kernels resolve the runtime's functions from this
 * executable, which exports them); static builds have no dlopen and refuse the flag. */
#define _POSIX_C_SOURCE 199309L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ember.h"

#if !defined(EMBER_NO_DLOPEN) && (defined(__unix__) || defined(__APPLE__))
#include <dlfcn.h>
#define HAVE_DLOPEN 1
#else
#define HAVE_DLOPEN 0
#endif

/* Most inputs --input_layer_shape may resize. */
#define MAX_RESIZED 64

typedef struct options {
    const char *graph;
    const char *custom_op_library, *custom_op_registerer;
    const char *input_layer, *input_layer_shape; /* benchmark_model's flags, parsed after create */
    long num_runs, warmup_runs, num_threads, max_arena_mb;
    unsigned long seed;
    int op_profiling, json;
} options;

typedef struct profile {
    int32_t nodes;
    double *total_us; /* per node, summed over the measured runs */
    double started;
} profile;

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void node_hook(void *user, int32_t node, int end) {
    profile *p = (profile *)user;
    if (!end)
        p->started = now_us();
    else
        p->total_us[node] += now_us() - p->started;
}

/* The accepted range of each numeric flag: sizes derived from them (the latency array, the arena limit in
 * bytes) must fit size_t, and a run count beyond these is a typo, not a benchmark. */
#define MAX_RUNS 10000000L
#define MAX_THREADS 1024L
#define MAX_SEED 2147483647L
#define MAX_ARENA_MB ((long)((SIZE_MAX >> 20) < 1048576 ? (SIZE_MAX >> 20) : 1048576))

static void print_usage(FILE *to) {
    fprintf(to,
            "usage: ember-bench --graph=FILE [--num_runs=N] [--warmup_runs=N] [--num_threads=N] "
            "[--enable_op_profiling] [--json] [--seed=N] [--max_arena_mb=N] [--custom_op_library=LIB] "
            "[--custom_op_registerer=NAME] [--input_layer=NAME[,NAME...]] "
            "[--input_layer_shape=D,D,...[:D,D,...]]\n"
            "  --num_runs      measured invokes, 1..%ld (default 50)\n"
            "  --warmup_runs   invokes before measuring, 0..%ld (default 1)\n"
            "  --num_threads   threads of invoke, -1..%ld (-1: all cores, 0: as 1; default 1)\n"
            "  --seed          seed of the random inputs, 0..%ld (default 1)\n"
            "  --max_arena_mb  largest arena allocate_tensors may take, 1..%ld MiB (default 256)\n"
            "  --custom_op_library     shared library of custom op kernels to load\n"
            "  --custom_op_registerer  its registration function (default " EMBER_DEFAULT_REGISTERER ")\n"
            "  --input_layer   inputs to resize, by name, comma-separated (default: the inputs in order)\n"
            "  --input_layer_shape  their new shapes, colon-separated, e.g. 1,224,224,3 or 4,10:4,3\n"
            "  --help          this text\n",
            MAX_RUNS, MAX_RUNS, MAX_THREADS, MAX_SEED, MAX_ARENA_MB);
}

static int usage(const char *why) {
    fprintf(stderr, "ember-bench: %s\n", why);
    print_usage(stderr);
    return 2;
}

/* A flag's value outside its range: names the flag and the range, status 2. */
static int bad_value(const char *flag, const char *value, long min, long max) {
    fprintf(stderr, "ember-bench: %s needs an integer in [%ld, %ld], got '%s'\n", flag, min, max, value);
    print_usage(stderr);
    return 2;
}

/* "--name=value" -> value, NULL when arg is not that flag. */
static const char *flag_value(const char *arg, const char *name) {
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

static int parse_long(const char *text, long min, long max, long *out) {
    char *end;
    long v;
    errno = 0;
    v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || errno == ERANGE || v < min || v > max)
        return 0;
    *out = v;
    return 1;
}

/* One numeric flag: 1 when `arg` is `name`=..., with *rc 0 (parsed into *out) or 2 (reported). */
static int numeric_flag(const char *arg, const char *name, long min, long max, long *out, int *rc) {
    const char *v = flag_value(arg, name);
    if (!v)
        return 0;
    *rc = parse_long(v, min, max, out) ? 0 : bad_value(name, v, min, max);
    return 1;
}

static int parse(int argc, char **argv, options *o) {
    int i;
    long seed = 1;
    memset(o, 0, sizeof *o);
    o->num_runs = 50;
    o->warmup_runs = 1;
    o->num_threads = 1;
    o->max_arena_mb = 256;
    for (i = 1; i < argc; ++i) {
        const char *a = argv[i], *v;
        int rc = 0;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_usage(stdout);
            return -1;
        }
        if ((v = flag_value(a, "--graph")))
            o->graph = v;
        else if ((v = flag_value(a, "--custom_op_library")))
            o->custom_op_library = v;
        else if ((v = flag_value(a, "--custom_op_registerer")))
            o->custom_op_registerer = v;
        else if ((v = flag_value(a, "--input_layer_shape")))
            o->input_layer_shape = v;
        else if ((v = flag_value(a, "--input_layer")))
            o->input_layer = v;
        else if (numeric_flag(a, "--num_runs", 1, MAX_RUNS, &o->num_runs, &rc) ||
                 numeric_flag(a, "--warmup_runs", 0, MAX_RUNS, &o->warmup_runs, &rc) ||
                 numeric_flag(a, "--num_threads", -1, MAX_THREADS, &o->num_threads, &rc) ||
                 numeric_flag(a, "--seed", 0, MAX_SEED, &seed, &rc) ||
                 numeric_flag(a, "--max_arena_mb", 1, MAX_ARENA_MB, &o->max_arena_mb, &rc)) {
            if (rc)
                return rc;
        } else if (strcmp(a, "--enable_op_profiling") == 0 || strcmp(a, "--enable_op_profiling=true") == 0)
            o->op_profiling = 1;
        else if (strcmp(a, "--json") == 0)
            o->json = 1;
        else {
            fprintf(stderr, "ember-bench: unknown argument '%s'\n", a);
            return usage("see the flags below");
        }
    }
    o->seed = (unsigned long)seed;
    if (o->custom_op_registerer && !o->custom_op_library)
        return usage("--custom_op_registerer needs --custom_op_library");
    if (!o->custom_op_registerer)
        o->custom_op_registerer = EMBER_DEFAULT_REGISTERER;
    if (o->input_layer && !o->input_layer_shape)
        return usage("--input_layer needs --input_layer_shape");
    return o->graph ? 0 : usage("--graph=FILE is required");
}

/* The graph input named `name` (its first `len` characters), -1 when none. */
static int32_t input_by_name(ember_interpreter *it, const char *name, size_t len) {
    int32_t i, tensor;
    ember_tensor_info info;
    for (i = 0; i < ember_interpreter_input_count(it); ++i) {
        if (ember_interpreter_input_tensor(it, i, &tensor) == EMBER_OK &&
            ember_interpreter_tensor_info(it, tensor, &info) == EMBER_OK && strlen(info.name) == len &&
            strncmp(info.name, name, len) == 0)
            return i;
    }
    return -1;
}

/* Resizes the inputs --input_layer names (or the first ones) to the --input_layer_shape shapes. 0: done; 2: a
 * malformed flag (reported); 1: the runtime refused (reported). */
static int resize_inputs(ember_interpreter *it, const options *o) {
    const char *names = o->input_layer, *shapes = o->input_layer_shape;
    int32_t k;
    if (!shapes)
        return 0;
    for (k = 0; *shapes || k == 0; ++k) {
        int32_t dims[EMBER_MAX_DIMS], rank = 0, input = k;
        const char *end = strchr(shapes, ':');
        const size_t len = end ? (size_t)(end - shapes) : strlen(shapes);
        size_t pos = 0;
        if (k >= MAX_RESIZED) {
            fprintf(stderr, "ember-bench: --input_layer_shape: at most %d shapes\n", MAX_RESIZED);
            return 2;
        }
        while (pos < len) { /* "1,224,224,3" */
            char digits[16];
            size_t n = 0;
            long v;
            while (pos + n < len && shapes[pos + n] != ',')
                ++n;
            if (rank == EMBER_MAX_DIMS || n == 0 || n >= sizeof digits) {
                fprintf(stderr,
                        "ember-bench: --input_layer_shape: shape %ld '%.*s' needs 1 to %d comma-separated "
                        "dims\n",
                        (long)k, (int)len, shapes, EMBER_MAX_DIMS);
                return 2;
            }
            memcpy(digits, shapes + pos, n);
            digits[n] = '\0';
            if (!parse_long(digits, 0, INT32_MAX, &v)) {
                fprintf(stderr,
                        "ember-bench: --input_layer_shape: dim '%s' of shape %ld is not an integer in [0, "
                        "%ld]\n",
                        digits, (long)k, (long)INT32_MAX);
                return 2;
            }
            dims[rank++] = (int32_t)v;
            pos += n + (pos + n < len);
        }
        if (rank == 0) {
            fprintf(stderr, "ember-bench: --input_layer_shape: shape %ld is empty\n", (long)k);
            return 2;
        }
        if (names) { /* the k-th comma-separated name */
            const char *comma = strchr(names, ',');
            const size_t name_len = comma ? (size_t)(comma - names) : strlen(names);
            input = input_by_name(it, names, name_len);
            if (input < 0 || name_len == 0) {
                int32_t i, tensor;
                ember_tensor_info info;
                fprintf(stderr, "ember-bench: --input_layer: the model has no input '%.*s'; its inputs are:",
                        (int)name_len, names);
                for (i = 0; i < ember_interpreter_input_count(it); ++i) {
                    if (ember_interpreter_input_tensor(it, i, &tensor) == EMBER_OK &&
                        ember_interpreter_tensor_info(it, tensor, &info) == EMBER_OK)
                        fprintf(stderr, " '%s'", info.name);
                }
                fprintf(stderr, "\n");
                return 2;
            }
            names = comma ? comma + 1 : NULL;
        } else if (k >= ember_interpreter_input_count(it)) {
            fprintf(stderr, "ember-bench: --input_layer_shape gives %ld shapes, the model has %ld inputs\n",
                    (long)k + 1, (long)ember_interpreter_input_count(it));
            return 2;
        }
        if (ember_interpreter_resize_input(it, input, dims, rank) != EMBER_OK) {
            fprintf(stderr, "ember-bench: %s: %s\n", o->graph, ember_interpreter_error(it));
            return 1;
        }
        shapes = end ? end + 1 : shapes + len;
        if (!end)
            break;
    }
    if (names) {
        fprintf(stderr,
                "ember-bench: --input_layer names more inputs than --input_layer_shape gives shapes\n");
        return 2;
    }
    return 0;
}

/* "[1,224,224,3]" of graph input i. */
static void print_input_shape(ember_interpreter *it, int32_t i, int json) {
    int32_t tensor, d;
    ember_tensor_info info;
    if (ember_interpreter_input_tensor(it, i, &tensor) != EMBER_OK ||
        ember_interpreter_tensor_info(it, tensor, &info) != EMBER_OK)
        return;
    if (!json)
        printf("input %ld '%s': ", (long)i, info.name);
    printf("[");
    for (d = 0; d < info.rank; ++d)
        printf("%s%ld", d ? "," : "", (long)info.dims[d]);
    printf(json ? "]" : "]\n");
}

static unsigned char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = (unsigned char *)malloc((size_t)n + 1);
        if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
            free(data);
            data = NULL;
        }
        *size = (size_t)n;
    }
    fclose(f);
    return data;
}

/* xorshift64*: the same inputs for the same seed on every platform. */
static uint64_t next_random(uint64_t *state) {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545F4914F6CDD1Dull;
}

static int fill_inputs(ember_interpreter *it, unsigned long seed) {
    uint64_t state = 0x9E3779B97F4A7C15ull ^ (uint64_t)seed;
    int32_t i, index;
    for (i = 0; i < ember_interpreter_input_count(it); ++i) {
        ember_tensor_info info;
        unsigned char *buf;
        size_t k;
        if (ember_interpreter_input_tensor(it, i, &index) != EMBER_OK ||
            ember_interpreter_tensor_info(it, index, &info) != EMBER_OK)
            return 0;
        buf = (unsigned char *)malloc(info.bytes ? info.bytes : 1);
        if (!buf)
            return 0;
        if (info.type == EMBER_FLOAT32) {
            for (k = 0; k + 4 <= info.bytes; k += 4) {
                float v = (float)((double)(next_random(&state) >> 11) / 9007199254740992.0 * 2.0 - 1.0);
                memcpy(buf + k, &v, 4);
            }
        } else if (info.type == EMBER_INT32 || info.type == EMBER_INT64) {
            memset(buf, 0, info.bytes); /* index-like inputs: 0 is always in range */
        } else {
            for (k = 0; k < info.bytes; ++k)
                buf[k] = (unsigned char)(next_random(&state) >> 56);
        }
        if (ember_interpreter_write_tensor(it, index, buf, info.bytes) != EMBER_OK) {
            free(buf);
            return 0;
        }
        free(buf);
    }
    return 1;
}

/* Loads o->custom_op_library and runs its registerer on a new resolver (*out; NULL without the flag). 0 and a
 * message on failure. The library stays loaded for the process's life: its kernels run until exit. */
static int load_custom_ops(const options *o, ember_op_resolver **out) {
#if HAVE_DLOPEN
    void *library, *symbol;
    ember_op_registerer registerer;
    ember_status status;
#endif
    *out = NULL;
    if (!o->custom_op_library)
        return 1;
#if HAVE_DLOPEN
    library = dlopen(o->custom_op_library, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *why = dlerror();
        fprintf(stderr, "ember-bench: --custom_op_library: cannot load '%s': %s\n", o->custom_op_library,
                why ? why : "dlopen failed");
        return 0;
    }
    symbol = dlsym(library, o->custom_op_registerer);
    if (!symbol) {
        fprintf(stderr,
                "ember-bench: --custom_op_library: '%s' has no function '%s' (name its registerer with "
                "--custom_op_registerer=NAME)\n",
                o->custom_op_library, o->custom_op_registerer);
        return 0;
    }
    memcpy(&registerer, &symbol, sizeof registerer); /* POSIX: dlsym's result is the function's address */
    if (ember_op_resolver_create(out) != EMBER_OK) {
        fprintf(stderr, "ember-bench: out of memory for the op resolver\n");
        return 0;
    }
    status = registerer(*out);
    if (status != EMBER_OK) {
        fprintf(stderr, "ember-bench: %s in '%s' failed (%s): %s\n", o->custom_op_registerer,
                o->custom_op_library, ember_status_string(status), ember_op_resolver_error(*out));
        ember_op_resolver_destroy(*out);
        *out = NULL;
        return 0;
    }
    return 1;
#else
    fprintf(stderr, "ember-bench: --custom_op_library: this build has no dlopen (a static build)\n");
    return 0;
#endif
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted values. */
static double percentile(const double *sorted, long n, double p) {
    long rank = (long)(p / 100.0 * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    return sorted[(rank > n ? n : rank) - 1];
}

int main(int argc, char **argv) {
    options o;
    unsigned char *model;
    size_t model_size = 0, arena = 0;
    char error[EMBER_ERROR_CAPACITY];
    ember_interpreter *it = NULL;
    ember_op_resolver *resolver = NULL;
    double t0, init_us, first_us, sum = 0, *runs = NULL;
    profile prof = {0, NULL, 0.0};
    long r;
    int32_t i;
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc; /* -1: --help was printed */
    if (!load_custom_ops(&o, &resolver))
        return 1;
    model = read_file(o.graph, &model_size);
    if (!model) {
        fprintf(stderr, "ember-bench: cannot read '%s'\n", o.graph);
        ember_op_resolver_destroy(resolver);
        return 1;
    }
    t0 = now_us();
    rc = ember_interpreter_create_with_resolver(model, model_size, resolver, &it, error, sizeof error) !=
         EMBER_OK;
    ember_op_resolver_destroy(resolver); /* the interpreter holds its own copy */
    if (rc) {
        fprintf(stderr, "ember-bench: %s: %s\n", o.graph, error);
        free(model);
        return 1;
    }
    ember_interpreter_set_max_arena_bytes(it, (size_t)o.max_arena_mb << 20);
    rc = resize_inputs(it, &o);
    if (rc) {
        ember_interpreter_destroy(it);
        free(model);
        return rc;
    }
    if (ember_interpreter_set_num_threads(it, (int32_t)o.num_threads) != EMBER_OK ||
        ember_interpreter_allocate_tensors(it) != EMBER_OK || !fill_inputs(it, o.seed)) {
        fprintf(stderr, "ember-bench: %s: %s\n", o.graph, ember_interpreter_error(it));
        ember_interpreter_destroy(it);
        free(model);
        return 1;
    }
    init_us = now_us() - t0;
    arena = ember_interpreter_arena_bytes(it);

    runs = (double *)malloc(sizeof *runs * (size_t)o.num_runs);
    prof.nodes = ember_interpreter_node_count(it);
    prof.total_us = (double *)calloc((size_t)(prof.nodes ? prof.nodes : 1), sizeof *prof.total_us);
    if (!runs || !prof.total_us) {
        fprintf(stderr, "ember-bench: out of memory for %ld run times\n", o.num_runs);
        rc = 1;
        goto done;
    }
    t0 = now_us();
    rc = ember_interpreter_invoke(it) != EMBER_OK;
    first_us = now_us() - t0;
    for (r = 0; !rc && r < o.warmup_runs; ++r)
        rc = ember_interpreter_invoke(it) != EMBER_OK;
    if (o.op_profiling)
        ember_interpreter_set_node_hook(it, node_hook, &prof);
    for (r = 0; !rc && r < o.num_runs; ++r) {
        t0 = now_us();
        rc = ember_interpreter_invoke(it) != EMBER_OK;
        runs[r] = now_us() - t0;
        sum += runs[r];
    }
    if (rc) {
        fprintf(stderr, "ember-bench: invoke failed: %s\n", ember_interpreter_error(it));
        goto done;
    }
    qsort(runs, (size_t)o.num_runs, sizeof *runs, by_value);

    {
        printf("graph: %s\nmodel bytes: %lu\narena bytes: %lu\noperators: %ld\nthreads: %ld\n", o.graph,
               (unsigned long)model_size, (unsigned long)arena, (long)prof.nodes,
               (long)ember_interpreter_num_threads(it));
        for (i = 0; i < ember_interpreter_input_count(it); ++i)
            print_input_shape(it, i, 0);
        printf("init (create + allocate): %.1f us\nfirst inference: %.1f us\n", init_us, first_us);
        printf("%ld runs after %ld warm-up: min %.1f us, median %.1f us, p90 %.1f us, p99 %.1f us, mean %.1f "
               "us\n",
               o.num_runs, o.warmup_runs, runs[0], percentile(runs, o.num_runs, 50),
               percentile(runs, o.num_runs, 90), percentile(runs, o.num_runs, 99), sum / (double)o.num_runs);
    }
    if (o.op_profiling) {
        double total = 0;
        for (i = 0; i < prof.nodes; ++i)
            total += prof.total_us[i];
        printf("%5s  %-20s %12s %7s\n", "node", "op", "avg us", "%");
        for (i = 0; i < prof.nodes; ++i)
            printf("%5ld  %-20s %12.2f %6.1f%%\n", (long)i, ember_interpreter_node_name(it, i),
                   prof.total_us[i] / (double)o.num_runs, total > 0 ? 100.0 * prof.total_us[i] / total : 0.0);
    }
    if (o.json) {
        printf("{\"graph\":\"");
        for (i = 0; o.graph[i]; ++i) /* JSON string escape of the path */
            printf(o.graph[i] == '"' || o.graph[i] == '\\' ? "\\%c" : "%c", o.graph[i]);
        printf("\",\"model_bytes\":%lu,\"arena_bytes\":%lu,\"num_runs\":%ld,\"warmup_runs\":%ld,"
               "\"num_threads\":%ld,\"init_us\":%.3f,\"first_inference_us\":%.3f,\"min_us\":%.3f,"
               "\"median_us\":%.3f,\"p90_us\":%.3f,\"p99_us\":%.3f,\"mean_us\":%.3f,\"input_shapes\":[",
               (unsigned long)model_size, (unsigned long)arena, o.num_runs, o.warmup_runs,
               (long)ember_interpreter_num_threads(it), init_us, first_us, runs[0],
               percentile(runs, o.num_runs, 50), percentile(runs, o.num_runs, 90),
               percentile(runs, o.num_runs, 99), sum / (double)o.num_runs);
        for (i = 0; i < ember_interpreter_input_count(it); ++i) {
            if (i)
                putchar(',');
            print_input_shape(it, i, 1);
        }
        printf("],\"ops\":[");
        for (i = 0; o.op_profiling && i < prof.nodes; ++i)
            printf("%s{\"node\":%ld,\"op\":\"%s\",\"avg_us\":%.3f}", i ? "," : "", (long)i,
                   ember_interpreter_node_name(it, i), prof.total_us[i] / (double)o.num_runs);
        printf("]}\n");
    }
done:
    free(prof.total_us);
    free(runs);
    ember_interpreter_destroy(it);
    free(model);
    return rc;
}
