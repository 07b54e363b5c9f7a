/* Ember edge runtime: public C99 API.
 *
 * Runs TensorFlow Lite flatbuffers (schema version 3, identifier "TFL3") on CPUs without an OS dependency
 * beyond malloc/free and libm. The runtime has no global state: every call works on one interpreter, and one
 * interpreter must be used by one thread at a time (distinct interpreters may run concurrently); invoke may
 * run its kernels on worker threads of its own (ember_interpreter_set_num_threads).
 *
 * Life cycle: ember_interpreter_create -> ember_interpreter_allocate_tensors -> (write inputs,
 * ember_interpreter_invoke, read outputs)* -> ember_interpreter_destroy. Every fallible call returns an
 * ember_status; when it is not EMBER_OK, ember_interpreter_error() holds a message naming what went wrong
 * (the op, the tensor, the shapes).
 */
#ifndef EMBER_H
#define EMBER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EMBER_VERSION_MAJOR 0
#define EMBER_VERSION_MINOR 1

/* Largest tensor rank the runtime accepts (TFLite's own RESHAPE limit). */
#define EMBER_MAX_DIMS 8

/* Size of the buffer that always holds a complete error message (longer messages are truncated). */
#define EMBER_ERROR_CAPACITY 256

typedef enum ember_status {
    EMBER_OK = 0,
    EMBER_INVALID_ARGUMENT = 1, /* the caller passed NULL, an index out of range, a wrong byte count... */
    EMBER_INVALID_MODEL = 2,    /* the model file is malformed or inconsistent */
    EMBER_UNSUPPORTED = 3,      /* a valid model that uses something this runtime does not implement */
    EMBER_OUT_OF_MEMORY = 4,    /* malloc failed or a size does not fit the address space */
    EMBER_BAD_STATE = 5,        /* call order violated, e.g. invoke before allocate_tensors */
    EMBER_RUNTIME_ERROR = 6     /* a kernel found bad data while running (e.g. an index out of range) */
} ember_status;

/* Tensor element types; the values are TFLite's TensorType numbers so files map without a table. */
typedef enum ember_type {
    EMBER_FLOAT32 = 0,
    EMBER_FLOAT16 =
        1, /* IEEE binary16, e.g. the weights of TensorFlow's float16 post-training quantisation */
    EMBER_INT32 = 2,
    EMBER_UINT8 = 3, /* asymmetric uint8 quantisation (zero point 0..255), the older TFLite scheme */
    EMBER_INT64 = 4,
    EMBER_BOOL = 6, /* one byte, 0 or 1 */
    EMBER_INT16 = 7,
    EMBER_INT8 = 9,
    EMBER_RESOURCE = 13 /* a resource variable's handle (VAR_HANDLE's output): its int32 id */
} ember_type;

typedef struct ember_interpreter ember_interpreter;

/* Everything the caller may know about one tensor. Pointers stay valid until the interpreter is destroyed,
 * except `data`, which is NULL for non-constant tensors until ember_interpreter_allocate_tensors succeeds. */
typedef struct ember_tensor_info {
    const char *name; /* from the model, NUL-terminated; "" when the model gives none */
    ember_type type;
    int32_t rank;
    const int32_t *dims;           /* rank entries */
    const int32_t *dims_signature; /* rank entries; -1 marks a dimension the model declares dynamic (a
                                    * model without shape_signature: `dims`, also after a resize) */
    size_t bytes;                  /* element count times element size */
    void *data;                    /* constant tensors: read-only data inside the model buffer or the arena */
    int32_t is_constant;           /* 1 when the model holds the data (weights, biases, shapes) */
    int32_t quant_count; /* 0: not quantised; 1: per tensor; >1: per channel along quantized_dimension */
    int32_t quantized_dimension;
} ember_tensor_info;

/* Name of a status code, e.g. "invalid model". Never NULL, also for values outside the enum. */
const char *ember_status_string(ember_status status);

/* Name of a TFLite tensor type ("float32", "float16", "int8", "uint8", "int16", "int32", "int64", "bool",
 * "complex64", ...); "unknown" outside TFLite's TensorType numbers. */
const char *ember_type_name(ember_type type);

/* Verifies the model in model_data[0, model_size) and builds an interpreter over it. The weights are not
 * copied: the buffer must stay valid and unchanged until ember_interpreter_destroy. On failure *out is NULL
 * and, when error is not NULL, error[0, error_capacity) receives a NUL-terminated message
 * (EMBER_ERROR_CAPACITY suffices). */
ember_status ember_interpreter_create(const void *model_data, size_t model_size, ember_interpreter **out,
                                      char *error, size_t error_capacity);

/* Frees the interpreter, its arena and all its bookkeeping. NULL is a no-op. The model buffer is not touched.
 */
void ember_interpreter_destroy(ember_interpreter *interpreter);

/* The message of the last failed call on this interpreter ("" when none failed). Valid until the next call.
 */
const char *ember_interpreter_error(const ember_interpreter *interpreter);

/* Plans tensor lifetimes, allocates the one arena and prepares every op (checks shapes and types, precomputes
 * op data). Calling it again after success does nothing and returns EMBER_OK, unless an input was resized
 * since (ember_interpreter_resize_input): then it allocates for the new shapes. */
ember_status ember_interpreter_allocate_tensors(ember_interpreter *interpreter);

/* Runs the graph once over the current input data. Never allocates. Requires allocate_tensors to have
 * succeeded. Leaves inputs and outputs intact: invoking again without a new write gives the same outputs. */
ember_status ember_interpreter_invoke(ember_interpreter *interpreter);

/* Bytes of the arena (tensor memory, op data and copies of misaligned constants); 0 before allocate_tensors.
 */
size_t ember_interpreter_arena_bytes(const ember_interpreter *interpreter);

/* ---- Memory: caller-owned arenas, limits, the plan ---------------------------------------------------- */

/* Alignment of the buffer given to ember_interpreter_allocate_tensors_in. */
#define EMBER_ARENA_ALIGNMENT 16

/* Largest arena allocate_tensors accepts unless ember_interpreter_set_max_arena_bytes says otherwise, so that
 * a small hostile file cannot make the runtime ask for gigabytes. Override at build time with -D. */
#ifndef EMBER_DEFAULT_MAX_ARENA_BYTES
#define EMBER_DEFAULT_MAX_ARENA_BYTES ((size_t)256 << 20)
#endif

/* Sets the arena cap of this interpreter ((size_t)-1: none). Allocation of a larger plan fails with
 * EMBER_OUT_OF_MEMORY and a message giving both sizes. Call before allocating. */
ember_status ember_interpreter_set_max_arena_bytes(ember_interpreter *interpreter, size_t max_bytes);

/* Bytes the arena of this model needs (known from create on: the plan is made there), packed weights and
 * kernel scratch included. */
ember_status ember_interpreter_arena_bytes_required(ember_interpreter *interpreter, size_t *bytes);

/* Like allocate_tensors, but places everything in the caller's arena[0, bytes) (aligned to
 * EMBER_ARENA_ALIGNMENT, at least arena_bytes_required long) and never calls malloc. The arena must outlive
 * the interpreter's use and is not freed by destroy. */
ember_status ember_interpreter_allocate_tensors_in(ember_interpreter *interpreter, void *arena, size_t bytes);

/* Arena placement of a tensor as an offline plan records it: bytes from the start of the region where
 * non-constant tensors share memory by lifetime, or -1 for tensors without an arena slot (constants, unused
 * tensors). Written as the int32 list [0, 0, tensor_count, offset...] in a metadata entry named
 * "OfflineMemoryAllocation" (TFLite Micro's layout), it makes the runtime reuse this plan: create verifies
 * such a plan (offsets aligned to their element size, no two tensors alive at the same time sharing a byte)
 * and refuses the model with EMBER_INVALID_MODEL when it is broken. */
ember_status ember_interpreter_tensor_offset(ember_interpreter *interpreter, int32_t tensor_index,
                                             int64_t *offset);

/* ---- Dynamic shapes ----------------------------------------------------------------------------------- */

/* Gives graph input number `input_index` (0 <= i < input_count) the shape dims[0, rank): the same rank as
 * the input's, every dim >= 0, any dim (LiteRT's non-strict ResizeInputTensor; dims_signature tells which
 * ones the model declares dynamic). Every op's output shape is recomputed from it at once, so tensor_info
 * reports the new shapes and ember_interpreter_arena_bytes_required the arena they need. Resizing to the
 * current shape does nothing; several inputs may be resized before one allocate. After a resize the tensors
 * have no memory until ember_interpreter_allocate_tensors (or allocate_tensors_in, into a buffer of the newly
 * reported size) succeeds again: it propagates the shapes of all inputs together, re-plans the arena and runs
 * every kernel's prepare with its checks. A shape the graph cannot take (a RESHAPE whose element count no
 * longer divides, operands that no longer broadcast, a convolution over an empty image) makes that allocate
 * fail with EMBER_INVALID_ARGUMENT (or the kernel's status) and a message naming the input, the shape and the
 * op; the interpreter is then back as it was before the resize (shapes, arena, prepared ops: invoke works as
 * before; its input data must be written again). */
ember_status ember_interpreter_resize_input(ember_interpreter *interpreter, int32_t input_index,
                                            const int32_t *dims, int32_t rank);
/* The same for the input of any subgraph by its interpreter tensor index (a signature's input over another
 * subgraph than 0: ember_interpreter_signature_input_tensor); an index that is no subgraph's input is refused
 * with EMBER_INVALID_ARGUMENT. Subgraphs that WHILE or IF call keep the file's shapes: the allocate after a
 * resize that changes a shape passed across a call refuses it, naming the call. */
ember_status ember_interpreter_resize_tensor(ember_interpreter *interpreter, int32_t tensor_index,
                                             const int32_t *dims, int32_t rank);

/* ---- State: resource variables ----------------------------------------------------------------------- */

/* Streaming models keep state between invokes in resource variables (TensorFlow's tf.Variable, converted with
 * experimental_enable_resource_variables): VAR_HANDLE names a variable (container, shared_name: one variable
 * for the whole interpreter, whichever subgraph or signature uses it), ASSIGN_VARIABLE sets it, READ_VARIABLE
 * reads it, and CALL_ONCE runs the initialiser subgraph that assigns the first values on the first invoke (of
 * any signature). create fixes each variable's type and shape from the ASSIGN_VARIABLEs of the model (all
 * must agree and be static, each READ_VARIABLE must read that type and shape) and refuses the model
 * otherwise, naming the variable; allocate reserves the values in the arena, so invoke never allocates.
 * Reading a variable before anything assigned it fails with EMBER_RUNTIME_ERROR, as in LiteRT. An allocation
 * after a resize starts from fresh state too.
 *
 * ember_interpreter_reset_variables returns every variable to "never assigned" and re-arms every CALL_ONCE,
 * and zeroes the is_variable tensors (LSTM/RNN states), so the next invoke computes what a new interpreter's
 * first invoke would: the start of a new stream. (LiteRT's ResetVariableTensors only zeroes is_variable
 * tensors and leaves its resource variables as they are.) EMBER_OK and nothing to do before allocate. */
ember_status ember_interpreter_reset_variables(ember_interpreter *interpreter);

/* ---- Debugging ---------------------------------------------------------------------------------------- */

/* preserve != 0: the planner gives every tensor its own bytes instead of sharing them between tensors whose
 * lifetimes do not overlap (an offline plan in the model is ignored), so every intermediate keeps the value
 * the last invoke wrote and ember_interpreter_read_tensor reads it afterwards (LiteRT's
 * experimental_preserve_all_tensors). The arena grows to the sum of all tensors. Call before allocating
 * (EMBER_BAD_STATE after); ember_interpreter_arena_bytes_required reports the new size at once. */
ember_status ember_interpreter_set_preserve_all_tensors(ember_interpreter *interpreter, int32_t preserve);

/* ---- Threads ------------------------------------------------------------------------------------------ */

/* Threads invoke runs CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED on (LiteRT's num_threads): 1 by default,
 * -1 for every CPU this process may run on, 0 the same as 1; below -1 or above 1024 is refused. Call before
 * allocating: allocate starts the workers (their pool and per-thread scratch are in the arena, so
 * allocate_tensors_in still never mallocs), invoke neither creates threads nor allocates, destroy joins them.
 * Outputs are the same bits for every thread count (work is split by output rows). */
ember_status ember_interpreter_set_num_threads(ember_interpreter *interpreter, int32_t num_threads);

/* Threads invoke uses (the calling thread included): set_num_threads' count with -1 resolved, 1 when built
 * with -DEMBER_NO_THREADS (bare metal) or without pthreads, and under EMBER_ISA=reference. 1 for NULL. */
int32_t ember_interpreter_num_threads(const ember_interpreter *interpreter);

/* ---- Profiling --------------------------------------------------------------------------------------- */

/* Called by invoke before (end = 0) and after (end = 1) each operator; NULL removes it. One predictable
 * branch per operator when unset. */
typedef void (*ember_node_hook)(void *user, int32_t node_index, int end);
ember_status ember_interpreter_set_node_hook(ember_interpreter *interpreter, ember_node_hook hook,
                                             void *user);

/* ---- Instruction sets --------------------------------------------------------------------------------- */

/* The SIMD level the interpreter's optimised kernels use, fixed at create: the best one the CPU and OS
 * support ("portable", "sse41", "avx2", "avx512", "avx512vnni", "neon", "neon_dotprod"), capped by the
 * environment variable EMBER_ISA when it is set before create (EMBER_ISA=avx2 forces AVX2 or lower; a level
 * above the CPU's gives the CPU's). EMBER_ISA=reference runs every kernel's plain reference loops instead, a
 * debugging aid, and this returns "reference". All levels give the same bits. "" for NULL. */
const char *ember_interpreter_isa(const ember_interpreter *interpreter);

/* Number of operators of subgraph 0, and the builtin name of operator i ("" when out of range). */
int32_t ember_interpreter_node_count(const ember_interpreter *interpreter);
const char *ember_interpreter_node_name(const ember_interpreter *interpreter, int32_t node_index);

/* Number of graph inputs, graph outputs and tensors of subgraph 0 (the model's main graph; see "Subgraphs"
 * for the others). 0 for a NULL interpreter. */
int32_t ember_interpreter_input_count(const ember_interpreter *interpreter);
int32_t ember_interpreter_output_count(const ember_interpreter *interpreter);
int32_t ember_interpreter_tensor_count(const ember_interpreter *interpreter);

/* Tensor index of graph input / output number i (0 <= i < count), written to *tensor_index. */
ember_status ember_interpreter_input_tensor(ember_interpreter *interpreter, int32_t i, int32_t *tensor_index);
ember_status ember_interpreter_output_tensor(ember_interpreter *interpreter, int32_t i,
                                             int32_t *tensor_index);

/* Describes tensor `tensor_index` (0 <= index < tensor_count, or a tensor of another subgraph) in *info. */
ember_status ember_interpreter_tensor_info(ember_interpreter *interpreter, int32_t tensor_index,
                                           ember_tensor_info *info);

/* Quantisation parameters of channel `channel` (0 <= channel < quant_count) of a quantised tensor. */
ember_status ember_interpreter_tensor_quantization(ember_interpreter *interpreter, int32_t tensor_index,
                                                   int32_t channel, float *scale, int32_t *zero_point);

/* Copies exactly `bytes` bytes (must equal the tensor's byte size) into / out of an allocated tensor. Writing
 * a constant tensor is refused with EMBER_INVALID_ARGUMENT. */
ember_status ember_interpreter_write_tensor(ember_interpreter *interpreter, int32_t tensor_index,
                                            const void *src, size_t bytes);
ember_status ember_interpreter_read_tensor(ember_interpreter *interpreter, int32_t tensor_index, void *dst,
                                           size_t bytes);

/* ---- The op registry --------------------------------------------------------------------------------- */

/* Number of kernels the runtime implements: its builtin operators, then its own custom ones. */
int32_t ember_op_registry_count(void);

/* Kernel i (0 <= i < count): its name (TFLite's BuiltinOperator name, or the custom_code of a custom op), its
 * BuiltinOperator number (32, CUSTOM, for a custom op), the highest operator version it runs, and the tensor
 * types it computes on (bit t set: ember_type t, e.g. 1u << EMBER_INT8). NULL pointers are skipped. */
ember_status ember_op_registry_entry(int32_t i, const char **name, int32_t *builtin_code,
                                     int32_t *max_version, uint32_t *types);

/* ---- Custom operators --------------------------------------------------------------------------------- */

/* A model's CUSTOM operators (operator code CUSTOM with a `custom_code` string, e.g. "MyOp") run kernels the
 * caller registers in an op resolver; a builtin operator can be given another kernel the same way. The
 * runtime's own custom kernels (TFLite_Detection_PostProcess) need no registration, like LiteRT's defaults.
 *
 *   static ember_status my_prepare(ember_op_context *op) { ... check inputs/outputs, fill op data ... }
 *   static ember_status my_eval(ember_op_context *op) { ... compute outputs from inputs ... }
 *   ember_status ember_register_custom_ops(ember_op_resolver *r) {
 *       static const ember_custom_kernel k = {my_prepare, my_eval, sizeof(my_data), NULL, NULL, 1, NULL};
 *       return ember_op_resolver_add_custom(r, "MyOp", &k);
 *   }
 *   ember_op_resolver *r; ember_op_resolver_create(&r); ember_register_custom_ops(r);
 *   ember_interpreter_create_with_resolver(model, size, r, &it, error, sizeof error);
 *   ember_op_resolver_destroy(r); (the interpreter keeps its own copy)
 *
 * The hooks follow the builtin kernels' conventions: prepare runs once in allocate_tensors (inputs, outputs,
 * op data and scratch are in the arena already; check types, shapes and options here and return
 * EMBER_UNSUPPORTED / EMBER_INVALID_MODEL with ember_op_fail's message otherwise); eval runs in every invoke
 * and must not allocate; op data (op_data_bytes, or op_data_size without the hook) lives in the arena as long
 * as the interpreter, zeroed before prepare; scratch (scratch_bytes) is working memory valid during one
 * prepare or eval only. op_data_bytes and scratch_bytes run at create, before allocation: they may read
 * tensor info (shapes, types, constant data) and the custom options but not op data, and must be pure
 * functions of the model. Output tensors have the shapes the model declares; the kernel writes them whole.
 * Registered kernels get every tensor type (they check types in prepare) and, for a builtin override, the
 * operator's inputs, outputs and version but not its builtin options.
 *
 * Shared libraries of custom ops export a registerer (ember_op_registerer; by convention named
 * EMBER_DEFAULT_REGISTERER) and resolve the ember_op_ and ember_interpreter_ functions from the program that
 * loads them: ember-bench --custom_op_library=LIB.so [--custom_op_registerer=NAME] (ember-bench exports
 * them), Python's ember.runtime.Interpreter(..., custom_op_registerers=[...]) (ember.runtime exports them),
 * or an application linking the static library with -rdynamic. */
typedef struct ember_op_resolver ember_op_resolver;
typedef struct ember_op_context ember_op_context; /* the node a hook runs for; valid during the hook only */

typedef struct ember_custom_kernel {
    ember_status (*prepare)(ember_op_context *op); /* NULL: nothing to check or precompute */
    ember_status (*eval)(ember_op_context *op);    /* required */
    size_t op_data_size;                           /* op data bytes when op_data_bytes is NULL */
    size_t (*op_data_bytes)(ember_op_context *op); /* NULL: op_data_size; (size_t)-1: does not fit */
    size_t (*scratch_bytes)(ember_op_context *op); /* NULL: no scratch */
    int32_t max_version;                           /* highest operator version it runs; 0: any */
    void *user_data;                               /* handed back by ember_op_user_data */
} ember_custom_kernel;

/* Signature of a registration function: registers its kernels in `resolver`, EMBER_OK on success. */
typedef ember_status (*ember_op_registerer)(ember_op_resolver *resolver);
#define EMBER_DEFAULT_REGISTERER "ember_register_custom_ops"

/* An empty resolver (*out NULL on failure), and its destruction (NULL is a no-op). */
ember_status ember_op_resolver_create(ember_op_resolver **out);
void ember_op_resolver_destroy(ember_op_resolver *resolver);

/* Registers `kernel` (copied) for CUSTOM operators whose custom_code is `custom_code` (copied; 1 to 127
 * bytes), or for builtin operator `builtin_code` (TFLite's BuiltinOperator number, e.g. 9 for
 * FULLY_CONNECTED; not 32, CUSTOM) instead of the runtime's kernel. Registering the same name or code again
 * replaces the earlier kernel; a registered custom_code also replaces a runtime kernel of that name. */
ember_status ember_op_resolver_add_custom(ember_op_resolver *resolver, const char *custom_code,
                                          const ember_custom_kernel *kernel);
ember_status ember_op_resolver_add_builtin(ember_op_resolver *resolver, int32_t builtin_code,
                                           const ember_custom_kernel *kernel);

/* The message of the resolver's last failed call ("" when none failed). */
const char *ember_op_resolver_error(const ember_op_resolver *resolver);

/* ember_interpreter_create with the kernels of `resolver` (NULL: none), which the interpreter copies: the
 * resolver may be destroyed once this returns. A CUSTOM operator whose custom_code neither the resolver nor
 * the runtime has a kernel for is refused with EMBER_UNSUPPORTED and a message naming the custom_code. */
ember_status ember_interpreter_create_with_resolver(const void *model_data, size_t model_size,
                                                    const ember_op_resolver *resolver,
                                                    ember_interpreter **out, char *error,
                                                    size_t error_capacity);

/* What a hook may ask about its node. Input/output i runs 0 <= i < count; the tensor functions return -1 (an
 * index) or EMBER_INVALID_ARGUMENT (info) outside it. info->data points into the arena during prepare and
 * eval (outputs are writable there) and is NULL for non-constant tensors in op_data_bytes/scratch_bytes.
 * ember_op_interpreter gives the interpreter for the ember_interpreter_ functions (tensor_quantization, ...)
 * on those tensor indices. */
int32_t ember_op_input_count(const ember_op_context *op);
int32_t ember_op_output_count(const ember_op_context *op);
int32_t ember_op_input_tensor(const ember_op_context *op, int32_t i);
int32_t ember_op_output_tensor(const ember_op_context *op, int32_t i);
ember_status ember_op_input(ember_op_context *op, int32_t i, ember_tensor_info *info);
ember_status ember_op_output(ember_op_context *op, int32_t i, ember_tensor_info *info);
ember_interpreter *ember_op_interpreter(ember_op_context *op);
/* The operator's custom_options bytes (*bytes 0 and NULL when it has none; a flexbuffer for TensorFlow's
 * converter), its version, its index in the graph, and the name the runtime calls it (the custom_code). */
const uint8_t *ember_op_custom_options(const ember_op_context *op, size_t *bytes);
int32_t ember_op_version(const ember_op_context *op);
int32_t ember_op_node_index(const ember_op_context *op);
const char *ember_op_name(const ember_op_context *op);
/* Op data (NULL in op_data_bytes and scratch_bytes, or when it has 0 bytes), scratch (its scratch_bytes, NULL
 * when 0) and the kernel's user_data. */
void *ember_op_data(ember_op_context *op);
void *ember_op_scratch(ember_op_context *op);
void *ember_op_user_data(const ember_op_context *op);
/* Records "<name> <node index>: <message>" as the interpreter's error and returns `status`; a hook returns it
 * (return ember_op_fail(op, EMBER_UNSUPPORTED, "input is %s, expected float32", ...)). */
ember_status ember_op_fail(ember_op_context *op, ember_status status, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* ---- Signatures ------------------------------------------------------------------------------------ */

/* The SignatureDefs TensorFlow's converter writes (one per exported function: a key such as
 * "serving_default", the subgraph it runs and names for its inputs and outputs). The tensors of a signature
 * are reported by interpreter tensor index, so ember_interpreter_write_tensor, read_tensor and tensor_info
 * work on them; a signature over another subgraph than 0 has indices from ember_interpreter_tensor_count on
 * (see ember_subgraph_info.tensor_base). Use: find_signature -> signature_input_tensor(name) + write_tensor
 * -> invoke_signature -> signature_output_tensor(name) + read_tensor. Pointers live as long as the
 * interpreter. */
int32_t ember_interpreter_signature_count(const ember_interpreter *interpreter);
/* Key of signature i, "" when out of range. */
const char *ember_interpreter_signature_key(const ember_interpreter *interpreter, int32_t signature);
/* Index of the signature with this key; EMBER_INVALID_ARGUMENT (and a message) when there is none. */
ember_status ember_interpreter_find_signature(ember_interpreter *interpreter, const char *key,
                                              int32_t *signature);
/* The subgraph the signature runs. */
ember_status ember_interpreter_signature_subgraph(ember_interpreter *interpreter, int32_t signature,
                                                  int32_t *subgraph);
/* Number of named inputs / outputs (0 when the signature is out of range), and entry i of them. */
int32_t ember_interpreter_signature_input_count(const ember_interpreter *interpreter, int32_t signature);
int32_t ember_interpreter_signature_output_count(const ember_interpreter *interpreter, int32_t signature);
ember_status ember_interpreter_signature_input(ember_interpreter *interpreter, int32_t signature, int32_t i,
                                               const char **name, int32_t *tensor_index);
ember_status ember_interpreter_signature_output(ember_interpreter *interpreter, int32_t signature, int32_t i,
                                                const char **name, int32_t *tensor_index);
/* Tensor index of the input / output called `name` in the signature. */
ember_status ember_interpreter_signature_input_tensor(ember_interpreter *interpreter, int32_t signature,
                                                      const char *name, int32_t *tensor_index);
ember_status ember_interpreter_signature_output_tensor(ember_interpreter *interpreter, int32_t signature,
                                                       const char *name, int32_t *tensor_index);
/* Runs the signature's subgraph once (like invoke, which runs subgraph 0). Never allocates. */
ember_status ember_interpreter_invoke_signature(ember_interpreter *interpreter, int32_t signature);

/* ---- Subgraphs ------------------------------------------------------------------------------------- */

/* A model holds one or more subgraphs: subgraph 0 is what invoke runs; others are run by signatures and by
 * the control-flow operators (WHILE, IF, CALL_ONCE). The input, output, tensor and node calls above are
 * subgraph 0's; the tensors of subgraph k have interpreter indices [tensor_base, tensor_base + tensor_count).
 * Every subgraph's tensors are planned in the one arena at create. */
typedef struct ember_subgraph_info {
    const char *name; /* "" when the model gives none */
    int32_t tensor_base;
    int32_t tensor_count;
    int32_t node_count;
    int32_t input_count;
    const int32_t *inputs; /* interpreter tensor indices */
    int32_t output_count;
    const int32_t *outputs;
} ember_subgraph_info;

int32_t ember_interpreter_subgraph_count(const ember_interpreter *interpreter);
ember_status ember_interpreter_subgraph_info(ember_interpreter *interpreter, int32_t subgraph,
                                             ember_subgraph_info *info);
/* Builtin name of operator `node` of subgraph `subgraph` ("" when out of range). */
const char *ember_interpreter_subgraph_node_name(const ember_interpreter *interpreter, int32_t subgraph,
                                                 int32_t node);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_H */
