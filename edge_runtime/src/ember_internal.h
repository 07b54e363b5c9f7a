/* Internal structures shared by the loader, the planner, the interpreter and the kernels. */
#ifndef EMBER_INTERNAL_H
#define EMBER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu_features.h"
#include "ember.h"
#include "flatbuffer.h"
#include "thread_pool.h"

/* Every arena placement and the arena base are aligned to this (SIMD loads, TFLite's own buffer alignment).
 */
#define EMBER_ALIGNMENT 16

/* Largest byte size of one tensor. Keeps every size computation far from overflow on 32-bit targets and stops
 * a hostile shape from asking for an absurd arena. */
#define EMBER_MAX_TENSOR_BYTES ((size_t)0x7fffffff)

/* Largest product of a tensor's non-zero dimensions times its element size. An empty tensor ([0, 65536,
 * 65536]) holds no bytes, but kernels still compute strides and partial products of its dims; with this bound
 * they fit int64 (kernels/operands.h: ember_strides, ember_dims_product) and never overflow. */
#define EMBER_MAX_TENSOR_SPAN ((uint64_t)1 << 62)

typedef struct ember_tensor {
    const char *name;
    ember_type type;
    int32_t rank;
    int32_t dims[EMBER_MAX_DIMS];
    int32_t dims_signature[EMBER_MAX_DIMS]; /* the file's shape_signature, else the dims at load */
    uint8_t has_signature; /* the file has a shape_signature: else (as in LiteRT) it follows a resize */
    size_t bytes;
    void *data; /* constant: model buffer or arena copy; others: arena slot after allocate, else NULL */
    const uint8_t *const_data; /* constant data inside the model buffer, NULL for non-constant tensors */
    uint8_t is_constant;
    uint8_t is_sparse; /* constant in TFLite's sparse format (`sparsity`); dense copy in the arena */
    uint8_t is_graph_input;
    uint8_t is_graph_output;
    uint8_t is_variable; /* the file's is_variable: state an op reads and writes, kept between invokes */
    /* A shape known only at run time (a SLICE whose begin or size is computed, as in TensorFlow's GRU and
     * SimpleRNN loop bodies; shape_propagation.c): dims and bytes hold the upper bound (bound_bytes) until
     * the kernel's eval writes the actual ones. */
    uint8_t runtime_shape;
    int32_t quant_count;
    int32_t quantized_dimension;
    size_t scales_pos;      /* position of the verified float vector in the model buffer */
    size_t zero_points_pos; /* position of the verified int64 vector in the model buffer */
    /* -128 while a uint8 tensor is presented to an int8 kernel as int8 (kernels/uint8.h), else 0: what
     * ember_tensor_quant_i8 adds to the zero point it reads. */
    int32_t zero_point_shift;
    fb_table sparsity;   /* verified SparsityParameters, when is_sparse */
    size_t sparse_bytes; /* bytes of the stored values, when is_sparse (`bytes` is the dense size) */
    /* Lifetime in operator indices, inclusive; first_op < 0: no arena slot needed. */
    int32_t first_op;
    int32_t last_op;
    size_t arena_offset;
    /* The upper bound the planner reserves for a runtime_shape tensor (0 for the others). */
    size_t bound_bytes;
} ember_tensor;

struct ember_kernel;

typedef struct ember_node {
    const struct ember_kernel *kernel;
    int32_t index;     /* position in the subgraph's operator list, for messages */
    int32_t subgraph;  /* the subgraph it belongs to (ember_subgraph) */
    int32_t callee[2]; /* subgraphs a WHILE (cond, body), IF (then, else), CALL_ONCE (init) runs; -1: none */
    int32_t version;
    const int32_t *inputs; /* tensor indices; -1 marks an omitted optional input */
    int32_t input_count;
    const int32_t *outputs;
    int32_t output_count;
    fb_table options; /* builtin_options table, valid when has_options */
    int has_options;
    void *op_data; /* ember_op_data_bytes bytes in the arena, filled by prepare */
    /* 1: a prepare-time constant (ember_fold_constants): prepare writes its outputs, which are constant
     * tensors in its op data, and invoke skips it. */
    int folded;
    const uint8_t *custom_options; /* the operator's custom_options bytes (verified), NULL when none */
    size_t custom_options_bytes;
} ember_node;

/* One subgraph of the model (subgraph.c). The interpreter keeps the tensors and nodes of all subgraphs in one
 * array each, subgraph after subgraph: subgraph 0's come first, so its indices are the model's own, and a
 * node of subgraph k refers to tensors by their index in that array (tensor_base + the index in the file). */
typedef struct ember_subgraph {
    const char *name; /* "" when the model gives none */
    int32_t tensor_base;
    int32_t tensor_count;
    int32_t node_base;
    int32_t node_count;
    const int32_t *inputs; /* interpreter tensor indices */
    int32_t input_count;
    const int32_t *outputs;
    int32_t output_count;
} ember_subgraph;

struct ember_signature;
struct ember_variables;

struct ember_interpreter {
    fb_reader model;       /* the caller's buffer; verified by the loader before anything else reads it */
    ember_tensor *tensors; /* of every subgraph (ember_subgraph) */
    int32_t tensor_count;
    ember_node *nodes;
    int32_t node_count;
    ember_subgraph *subgraphs;
    int32_t subgraph_count;
    struct ember_signature *signatures; /* signature.c */
    int32_t signature_count;
    int32_t *io_indices;   /* backing store of every node's inputs/outputs and of the graph inputs/outputs */
    const int32_t *inputs; /* subgraph 0's, the model's graph inputs and outputs */
    int32_t input_count;
    const int32_t *outputs;
    int32_t output_count;
    void *arena_block; /* what malloc returned (NULL for a caller's arena); `arena` is its aligned start */
    uint8_t *arena;
    size_t arena_bytes;
    size_t max_arena_bytes; /* allocate refuses plans above this (EMBER_DEFAULT_MAX_ARENA_BYTES) */
    size_t planned_bytes;   /* bytes of the lifetime-shared tensor region, at the arena's end */
    struct ember_plan_entry *plan_entries; /* planner working memory, allocated by create (one a tensor) */
    int32_t *plan_scratch;
    const uint8_t *offline_plan; /* verified "OfflineMemoryAllocation" offsets (int32 per tensor), or NULL */
    void (*node_hook)(void *user, int32_t node, int end); /* ember_interpreter_set_node_hook */
    void *node_hook_user;
    /* Instruction set level of the optimised kernels, fixed at create:
     * ember_isa_from_env(ember_cpu_detect()). reference_kernels (EMBER_ISA=reference, a debugging aid) makes
     * every kernel run its reference loops. */
    ember_isa isa;
    int reference_kernels;
    /* Transient scratch shared by all nodes (im2col blocks, ...): one block a thread of the max of the
     * kernels' scratch_bytes hooks, in the persistent part of the arena (ember_thread_scratch); valid during
     * prepare and eval, its contents never outlive one eval. */
    uint8_t *scratch;
    size_t scratch_bytes;
    /* Participants of invoke (ember_interpreter_set_num_threads, 1 by default; 1 under EMBER_ISA=reference or
     * without threads) and their pool, made in the arena by allocate when threads > 1, joined by destroy. */
    int32_t threads;
    ember_pool *pool;
    int allocated;
    /* Kernels of the caller's op resolver (custom_ops.c), copied by create_with_resolver; the loader looks
     * them up before the runtime's own. */
    struct ember_custom_entry *custom;
    int32_t custom_count;
    struct ember_resize_state *resize; /* resize.c: saved shapes while a resize awaits allocation */
    int preserve_all_tensors; /* ember_interpreter_set_preserve_all_tensors (preserve.c): no shared bytes */
    char error[EMBER_ERROR_CAPACITY];
    /* variables.c: resource variables and CALL_ONCE's status; NULL for a model without either */
    struct ember_variables *variables;
};

/* Kernel interface: prepare checks shapes/types/options and fills op_data once; eval only computes (no checks
 * beyond data-dependent ones, no allocation).
 *
 * Arena reservation. Everything a kernel keeps is reserved in the arena when the interpreter is created, so
 * ember_interpreter_arena_bytes_required is the whole memory bill and allocate_tensors_in never mallocs:
 * - op_data_bytes (NULL: op_data_size) gives the bytes of the node's op data: the fixed struct plus anything
 *   the kernel derives from constants at prepare (per-channel requantisation, packed GEMM weights, later
 *   dequantised float16 or densified sparse weights). It lives as long as the interpreter.
 * - scratch_bytes (NULL: none) gives transient working memory one eval needs (im2col row blocks) on one
 *   thread. The interpreter reserves the maximum over all nodes once per thread (ember_thread_scratch), since
 *   evals run one after another; a kernel never relies on its contents between two evals.
 * Both run at create, before any prepare: tensor shapes, types and constant data are known (the loader has
 * verified them) but nothing else is checked yet, so they must read the node defensively (input counts,
 * ranks, omitted inputs) and return the plain size when the node looks malformed, leaving the error message
 * to prepare. They must be pure functions of the model and ctx->isa / ctx->reference_kernels, since
 * allocate_tensors calls op_data_bytes again to lay the arena out. (size_t)-1: the size does not fit. */
typedef struct ember_kernel {
    int32_t builtin_code;
    const char *name;
    int32_t max_version;
    uint8_t options_type; /* expected BuiltinOptions tag; 0 = the op takes no options */
    size_t op_data_size;
    ember_status (*prepare)(ember_interpreter *ctx, ember_node *node);
    ember_status (*eval)(ember_interpreter *ctx, const ember_node *node);
    size_t (*op_data_bytes)(const ember_interpreter *ctx, const ember_node *node);
    size_t (*scratch_bytes)(const ember_interpreter *ctx, const ember_node *node);
    /* The tensor types the kernel computes on (EMBER_T_ bits). The loader refuses a node with a float32,
     * float16, int8, uint8, int16 or bool tensor of a type outside this set, so a kernel written for int8
     * never sees uint8 bytes; int32 and int64 tensors (shapes, axes, indices, biases) are left to prepare,
     * and their bits here say the kernel also computes on them. The README's op table is read from these. */
    uint32_t types;
} ember_kernel;

#define EMBER_T_F32 (1u << EMBER_FLOAT32)
#define EMBER_T_F16 (1u << EMBER_FLOAT16)
#define EMBER_T_I32 (1u << EMBER_INT32)
#define EMBER_T_U8 (1u << EMBER_UINT8)
#define EMBER_T_I64 (1u << EMBER_INT64)
#define EMBER_T_BOOL (1u << EMBER_BOOL)
#define EMBER_T_I16 (1u << EMBER_INT16)
#define EMBER_T_I8 (1u << EMBER_INT8)
#define EMBER_T_RESOURCE (1u << EMBER_RESOURCE)
/* Types a kernel's `types` must name before the loader lets such a tensor reach it. */
#define EMBER_T_CHECKED (EMBER_T_F32 | EMBER_T_F16 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_BOOL)

/* Rounds n up to EMBER_ALIGNMENT (callers keep n far below SIZE_MAX). */
static inline size_t ember_align_size(size_t n) {
    return (n + EMBER_ALIGNMENT - 1) & ~(size_t)(EMBER_ALIGNMENT - 1);
}

/* Scratch block of participant `thread` (the task function's argument; 0 on the calling thread); NULL when no
 * kernel of the model asked for scratch (no offset is applied to a null pointer: UBSan). */
static inline uint8_t *ember_thread_scratch(const ember_interpreter *ctx, int32_t thread) {
    return ctx->scratch ? ctx->scratch + (size_t)thread * ember_align_size(ctx->scratch_bytes) : NULL;
}

/* Splitting an eval over the interpreter's threads (interpreter_threads.c). Work is cut into `units` (output
 * rows, GEMM row blocks) that each task takes a contiguous range of, so the results never depend on the
 * thread count. ember_parallel_tasks: how many tasks (1: run inline) for units of unit_macs multiply-adds
 * each, at least EMBER_MIN_TASK_MACS a task (dispatch costs about a microsecond), at most 4 a thread (the
 * pool hands them out as threads free up, which evens out a core shared with other work). */
#ifndef EMBER_MIN_TASK_MACS
#define EMBER_MIN_TASK_MACS 32768
#endif
int32_t ember_parallel_tasks(const ember_interpreter *ctx, int64_t units, int64_t unit_macs);
void ember_parallel_run(ember_interpreter *ctx, int32_t tasks, ember_task_fn *fn, void *arg);

/* Units [*u0, *u1) of task `task` of `tasks` over `units` (balanced, contiguous, in order). */
static inline void ember_task_range(int32_t units, int32_t tasks, int32_t task, int32_t *u0, int32_t *u1) {
    *u0 = (int32_t)((int64_t)units * task / tasks);
    *u1 = (int32_t)((int64_t)units * (task + 1) / tasks);
}

/* The interpreter's side of its pool: bytes of the pool in the arena (0 for one thread), making it there
 * (workers started; the message in ctx->error on failure) and joining it (NULL pool: nothing). */
size_t ember_threads_pool_bytes(const ember_interpreter *ctx);
ember_status ember_threads_start(ember_interpreter *ctx, void *memory);
void ember_threads_stop(ember_interpreter *ctx);

/* The arena layout of interpreter.c, again after the thread count changed (per-thread scratch, the pool). */
ember_status ember_plan_layout(ember_interpreter *ctx);

/* Points op data, constant copies and planned tensors into `arena` (ctx->arena_bytes long, laid out by
 * ember_plan_layout), prepares every op and starts the threads; on failure frees ctx->arena_block and leaves
 * the interpreter unallocated (interpreter.c). */
ember_status ember_bind_arena(ember_interpreter *ctx, uint8_t *arena);

/* Dynamic shapes (resize.c): whether a resize_input awaits allocation, the allocation after one (arena NULL:
 * malloc; else the caller's `bytes`-long arena), and freeing the saved shapes (destroy). */
int ember_resize_pending(const ember_interpreter *ctx);
ember_status ember_resize_allocate(ember_interpreter *ctx, void *arena, size_t bytes);
void ember_resize_free(ember_interpreter *ctx);

/* Records a formatted message in ctx->error and returns `status`. */
ember_status ember_fail(ember_interpreter *ctx, ember_status status, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* EMBER_CHECK(ctx, cond, status, format, args...): return `status` with a message unless cond holds. */
#define EMBER_CHECK(ctx, cond, status, ...)                                                                  \
    do {                                                                                                     \
        if (!(cond))                                                                                         \
            return ember_fail((ctx), (status), __VA_ARGS__);                                                 \
    } while (0)

/* Propagates a non-OK status. */
#define EMBER_TRY(expr)                                                                                      \
    do {                                                                                                     \
        ember_status ember_try_status_ = (expr);                                                             \
        if (ember_try_status_ != EMBER_OK)                                                                   \
            return ember_try_status_;                                                                        \
    } while (0)

/* Bytes of one element of a supported type, 0 for anything else. */
size_t ember_type_size(int32_t type);

/* Name of builtin operator `code`; for unknown codes "BUILTIN_<code>" written into scratch. */
const char *ember_builtin_name(int32_t code, char *scratch, size_t capacity);

/* Kernel registered for a builtin code, or NULL. */
const ember_kernel *ember_find_kernel(int32_t builtin_code);

/* The runtime's kernel of CUSTOM operator `custom_code` (op_registry.c's custom table: builtin_code
 * TFL_OP_CUSTOM, name the custom_code), or NULL. */
const ember_kernel *ember_find_custom_kernel(const char *custom_code);

/* The registry (op_registry.c) as a list: kernel i for 0 <= i < ember_kernel_count(). */
int32_t ember_kernel_count(void);
const ember_kernel *ember_kernel_at(int32_t i);

/* The kernel of the caller's resolver (custom_ops.c) for a custom_code (custom_code != NULL) or a builtin
 * code, or NULL; then the runtime's own. Frees the copies create_with_resolver made. */
const ember_kernel *ember_resolve_kernel(const ember_interpreter *ctx, int32_t builtin_code,
                                         const char *custom_code);
void ember_free_custom_kernels(ember_interpreter *ctx);
/* The kernel of operator `op` (builtin `code`, or CUSTOM with `custom_code`, which may be NULL) into *kernel:
 * the resolver's, else the runtime's; EMBER_UNSUPPORTED naming the op (and for a custom_code how to register
 * it) when there is none. */
ember_status ember_resolve_operator(ember_interpreter *ctx, uint32_t op, int32_t code,
                                    const char *custom_code, const ember_kernel **kernel);
/* Copies the resolver's kernels into ctx (create_with_resolver, before the model is loaded). */
ember_status ember_copy_resolver(ember_interpreter *ctx, const ember_op_resolver *resolver);

/* Arena bytes of a node's op data: the kernel's op_data_bytes hook, or its op_data_size without one;
 * (size_t)-1 when it cannot fit. */
size_t ember_op_data_bytes(const ember_interpreter *ctx, const ember_node *node);

/* Scratch bytes a node's eval needs: its kernel's scratch_bytes hook, 0 without one. */
size_t ember_scratch_bytes(const ember_interpreter *ctx, const ember_node *node);

/* Sparse constants (sparsity.c): load records `sparsity` in t (is_sparse, sparse_bytes) and checks it (every
 * dim, segment and index) against the stored values (a sparse tensor must have some); copy_constant writes a
 * constant's t->bytes into zeroed `dest`: the dense tensor of a sparse one, else a plain copy. */
ember_status ember_sparsity_load(ember_interpreter *ctx, ember_tensor *t, const fb_table *sparsity,
                                 const uint8_t *values, size_t value_bytes);
void ember_copy_constant(ember_interpreter *ctx, const ember_tensor *t, void *dest);

/* Verifying loader (verify_model.c): verifies the whole model in ctx->model and builds tensors and nodes. */
ember_status ember_load_model(ember_interpreter *ctx);

/* Recomputes, in operator order, every op's output shape from its inputs by the op's rule
 * (shape_propagation.c). EMBER_SHAPES_LOAD: replaces only stored dims that shape_signature marks dynamic
 * (-1), leaving any other disagreement to the kernel's prepare (ember_fold_constants calls it once the model
 * is loaded). After a caller resized inputs (resize.c) every output takes its computed shape:
 * EMBER_SHAPES_RESIZE (at each resize, when other inputs may not be resized yet) leaves outputs whose op
 * cannot take its inputs as they are, EMBER_SHAPES_RESIZE_CHECKED (at the allocation after) refuses them with
 * EMBER_INVALID_ARGUMENT and a message naming the op. */
enum { EMBER_SHAPES_LOAD = 0, EMBER_SHAPES_RESIZE = 1, EMBER_SHAPES_RESIZE_CHECKED = 2 };
/* scratch: ember_shape_scratch_bytes(ctx) bytes aligned for int64 (the known values of small int tensors),
 * or NULL to malloc them for the call (allocate_tensors_in must not: resize.c keeps its own). */
ember_status ember_propagate_shapes(ember_interpreter *ctx, int mode, void *scratch);
size_t ember_shape_scratch_bytes(const ember_interpreter *ctx);

/* Sets t's dims (t->rank entries) and byte size; EMBER_UNSUPPORTED past the loader's size bounds (t kept). */
ember_status ember_set_tensor_shape(ember_interpreter *ctx, ember_tensor *t, const int32_t *dims);

/* Propagates shapes (above), then marks the nodes whose outputs are known at prepare (a DEQUANTIZE of a
 * constant: TensorFlow's float16 weights) as folded and their outputs as constant, so the planner gives them
 * no lifetime-shared slot, kernels that read constant weights at prepare (packing) see them as constants, and
 * invoke never runs the node. The node's kernel reserves the outputs in its op data and computes them in
 * prepare, which runs before every later node's (constant_folding.c). */
ember_status ember_fold_constants(ember_interpreter *ctx);

/* Subgraphs (subgraph.c). ember_verify_calls, called by the loader once every subgraph is loaded, checks the
 * subgraph-calling nodes (WHILE, IF, CALL_ONCE): their subgraph indices, that no subgraph calls itself
 * through any chain of calls, and that the tensors passed across each call agree in count, type and shape;
 * then the resource variables (ember_load_variables). ember_invoke_subgraph runs the nodes of subgraph
 * `index` in order (node hooks for subgraph 0 only); ember_copy_tensors copies count tensors' bytes from[i]
 * -> to[i] (interpreter tensor indices, same byte sizes, checked by ember_verify_calls). ember_check_call
 * repeats the count, type and shape checks of one calling node: WHILE's and IF's prepare run it, so that
 * shapes a resize changes (resize.c) are checked across calls again (called subgraphs keep the shapes of the
 * file). */
#ifndef EMBER_MAX_CALL_DEPTH
#define EMBER_MAX_CALL_DEPTH                                                                                 \
    32 /* subgraph calls nested deeper are refused (invoke recurses on the C stack) */
#endif
ember_status ember_verify_calls(ember_interpreter *ctx);
ember_status ember_check_call(ember_interpreter *ctx, const ember_node *node);
ember_status ember_invoke_subgraph(ember_interpreter *ctx, int32_t index);
void ember_copy_tensors(ember_interpreter *ctx, const int32_t *from, const int32_t *to, int32_t count);

/* State kept between invokes (variables.c): resource variables and CALL_ONCE's initialisation status, both
 * interpreter-wide as in LiteRT (one variable for every VAR_HANDLE with the same container and shared_name,
 * in whichever subgraph; one status for every CALL_ONCE of the same init subgraph). ember_load_variables,
 * called by ember_verify_calls once the calls are checked, resolves every READ_VARIABLE and ASSIGN_VARIABLE
 * to the variable of the VAR_HANDLE earlier in its subgraph that makes its resource input, and fixes each
 * variable's type and shape from its ASSIGN_VARIABLEs (all must agree, none dynamic; a READ_VARIABLE's output
 * must have them), refusing the model otherwise with a message naming the variable. The value of a variable
 * lives in the op data of its owner, the first VAR_HANDLE naming it (kernels/var_handle.c): an int32
 * "assigned" flag, then the bytes at EMBER_VARIABLE_VALUE_OFFSET; a CALL_ONCE status in the op data of the
 * first CALL_ONCE of its init subgraph (kernels/call_once.c). Both are zero at allocate (the arena is
 * zeroed), so every allocation starts from the state of a new interpreter, as
 * ember_interpreter_reset_variables does. */
typedef struct ember_variable {
    const char *container;   /* VarHandleOptions, "" when absent */
    const char *shared_name; /* likewise */
    int32_t owner;           /* interpreter node index of the first VAR_HANDLE naming it */
    int32_t assigner; /* the first ASSIGN_VARIABLE setting it (its value gives type and shape), -1: none */
    ember_type type;
    int32_t rank;
    int32_t dims[EMBER_MAX_DIMS];
    size_t bytes;
} ember_variable;
#define EMBER_VARIABLE_VALUE_OFFSET EMBER_ALIGNMENT
ember_status ember_load_variables(ember_interpreter *ctx);
/* The variable a VAR_HANDLE, READ_VARIABLE or ASSIGN_VARIABLE node works on, and its index (the resource id
 * VAR_HANDLE writes, numbered as LiteRT does: by first VAR_HANDLE); NULL / -1 for other nodes. */
const ember_variable *ember_node_variable(const ember_interpreter *ctx, const ember_node *node, int32_t *id);
/* The owner's op data of variable v (NULL before allocate), and the status word of init subgraph `subgraph`
 * that its CALL_ONCEs share (NULL when none calls it or before allocate). */
uint8_t *ember_variable_slot(const ember_interpreter *ctx, const ember_variable *v);
int32_t *ember_init_status(const ember_interpreter *ctx, int32_t subgraph);
/* LiteRT's ResetVariableTensors: every is_variable tensor (the LSTM and RNN states) to zero, an int8 one to
 * its zero point (variables.c; at allocate and by ember_interpreter_reset_variables). */
void ember_reset_variable_tensors(ember_interpreter *it);
/* "'container/shared_name'" or "'shared_name'" of v into buf, for messages. */
const char *ember_variable_name(const ember_variable *v, char *buf, size_t capacity);

/* Node input/output i as a tensor; NULL for an omitted optional input (-1) or i beyond the node's count. */
static inline ember_tensor *ember_node_input(ember_interpreter *ctx, const ember_node *node, int32_t i) {
    if (i >= node->input_count || node->inputs[i] < 0)
        return NULL;
    return &ctx->tensors[node->inputs[i]];
}

static inline ember_tensor *ember_node_output(ember_interpreter *ctx, const ember_node *node, int32_t i) {
    return i < node->output_count ? &ctx->tensors[node->outputs[i]] : NULL;
}

/* Product of the dimensions: 0 when any is 0, else it fits (the loader bounded the tensor to
 * EMBER_MAX_TENSOR_BYTES). */
int32_t ember_element_count(const ember_tensor *t);

/* Formats "[2,3,4]" into buf (for messages). */
const char *ember_shape_string(const ember_tensor *t, char *buf, size_t capacity);

#endif /* EMBER_INTERNAL_H */
