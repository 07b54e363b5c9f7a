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
    EMBER_INT8 = 9
} ember_type;

typedef struct ember_interpreter ember_interpreter;

/* Everything the caller may know about one tensor. Pointers stay valid until the interpreter is destroyed,
 * except `data`, which is NULL for non-constant tensors until ember_interpreter_allocate_tensors succeeds. */
typedef struct ember_tensor_info {
    const char *name; /* from the model, NUL-terminated; "" when the model gives none */
    ember_type type;
    int32_t rank;
    const int32_t *dims;           /* rank entries */
    const int32_t *dims_signature; /* rank entries; -1 marks a dimension the model declares dynamic */
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
 * op data). Calling it again after success does nothing and returns EMBER_OK. */
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
