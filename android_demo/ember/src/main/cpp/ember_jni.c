/* JNI bridge of the Java API (ai.ember.NativeInterpreter) over the public C API (ember.h). It moves bytes
 * only: shapes, types and argument checks that Java can make are made in Interpreter.java / Tensor.java, and
 * every failed C call throws IllegalArgumentException (the caller's input or the model is wrong) or
 * IllegalStateException (the runtime cannot go on: out of memory, a kernel failed) carrying
 * "<status>: <runtime message>". Built for Android by the app's externalNativeBuild and for the desktop JVM
 * by the host tests, from the same CMakeLists.txt. */
#include <jni.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ember.h"

static ember_interpreter *handle(jlong h) {
    return (ember_interpreter *)(intptr_t)h;
}

/* Throws the exception class for `status`. The runtime's messages quote names from the model file, which may
 * hold any bytes; JNI wants modified UTF-8, so anything outside printable ASCII becomes '?'. */
static void throw_status(JNIEnv *env, ember_status status, const char *message) {
    char text[EMBER_ERROR_CAPACITY + 64];
    const char *kind =
        status == EMBER_INVALID_ARGUMENT || status == EMBER_INVALID_MODEL || status == EMBER_UNSUPPORTED
            ? "java/lang/IllegalArgumentException"
            : "java/lang/IllegalStateException";
    size_t i, n;
    jclass cls;
    n = (size_t)snprintf(text, sizeof text, "%s: %s", ember_status_string(status), message ? message : "");
    if (n >= sizeof text)
        n = sizeof text - 1;
    for (i = 0; i < n; ++i)
        if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e)
            text[i] = '?';
    cls = (*env)->FindClass(env, kind);
    if (cls) /* else FindClass has thrown (NoClassDefFoundError, OutOfMemoryError) */
        (*env)->ThrowNew(env, cls, text);
}

static void throw_plain(JNIEnv *env, const char *kind, const char *message) {
    jclass cls = (*env)->FindClass(env, kind);
    if (cls)
        (*env)->ThrowNew(env, cls, message);
}

/* Returns nonzero (after throwing) when status is not EMBER_OK. */
static int failed(JNIEnv *env, ember_interpreter *it, ember_status status) {
    if (status == EMBER_OK)
        return 0;
    throw_status(env, status, ember_interpreter_error(it));
    return 1;
}

/* The bytes [offset, offset + size) of a direct buffer, or NULL after throwing. */
static unsigned char *direct_bytes(JNIEnv *env, jobject buffer, jint offset, jint size) {
    static unsigned char empty[1]; /* an empty direct buffer (a 0-byte file mapped) may have no address */
    unsigned char *base;
    jlong capacity;
    if (!buffer) {
        throw_plain(env, "java/lang/NullPointerException", "buffer is null");
        return NULL;
    }
    base = (unsigned char *)(*env)->GetDirectBufferAddress(env, buffer);
    capacity = (*env)->GetDirectBufferCapacity(env, buffer);
    if (!base && capacity == 0)
        base = empty;
    if (!base || capacity < 0) {
        throw_plain(env, "java/lang/IllegalArgumentException", "the buffer is not a direct ByteBuffer");
        return NULL;
    }
    if (offset < 0 || size < 0 || (jlong)offset + size > capacity) {
        throw_plain(env, "java/lang/IndexOutOfBoundsException", "byte range outside the buffer");
        return NULL;
    }
    return base + offset;
}

static int tensor_info(JNIEnv *env, jlong h, jint tensor, ember_tensor_info *info) {
    return !failed(env, handle(h), ember_interpreter_tensor_info(handle(h), tensor, info));
}

/* Verifies and plans the model in model[offset, offset + size) (a direct buffer the Java side keeps alive and
 * unchanged as long as the interpreter), sets the threads and allocates the arena. Returns the handle. */
static jlong JNICALL native_create(JNIEnv *env, jclass cls, jobject model, jint offset, jint size,
                                   jint num_threads) {
    char error[EMBER_ERROR_CAPACITY];
    ember_interpreter *it = NULL;
    ember_status status;
    const unsigned char *bytes = direct_bytes(env, model, offset, size);
    (void)cls;
    if (!bytes)
        return 0;
    status = ember_interpreter_create(bytes, (size_t)size, &it, error, sizeof error);
    if (status != EMBER_OK) {
        throw_status(env, status, error);
        return 0;
    }
    if (failed(env, it, ember_interpreter_set_num_threads(it, num_threads)) ||
        failed(env, it, ember_interpreter_allocate_tensors(it))) {
        ember_interpreter_destroy(it);
        return 0;
    }
    return (jlong)(intptr_t)it;
}

static void JNICALL native_destroy(JNIEnv *env, jclass cls, jlong h) {
    (void)env;
    (void)cls;
    ember_interpreter_destroy(handle(h));
}

static jint JNICALL native_inputCount(JNIEnv *env, jclass cls, jlong h) {
    (void)env;
    (void)cls;
    return ember_interpreter_input_count(handle(h));
}

static jint JNICALL native_outputCount(JNIEnv *env, jclass cls, jlong h) {
    (void)env;
    (void)cls;
    return ember_interpreter_output_count(handle(h));
}

/* Tensor index of graph input (output = 0) or output (output = 1) number i. */
static jint JNICALL native_ioTensor(JNIEnv *env, jclass cls, jlong h, jint i, jboolean output) {
    int32_t index = -1;
    ember_status status = output ? ember_interpreter_output_tensor(handle(h), i, &index)
                                 : ember_interpreter_input_tensor(handle(h), i, &index);
    (void)cls;
    return failed(env, handle(h), status) ? -1 : index;
}

/* The tensor's name as the model's raw bytes (decoded in Java, which tolerates any byte sequence). */
static jbyteArray JNICALL native_tensorName(JNIEnv *env, jclass cls, jlong h, jint tensor) {
    ember_tensor_info info;
    jbyteArray name;
    jsize n;
    (void)cls;
    if (!tensor_info(env, h, tensor, &info))
        return NULL;
    n = (jsize)strlen(info.name);
    name = (*env)->NewByteArray(env, n);
    if (name)
        (*env)->SetByteArrayRegion(env, name, 0, n, (const jbyte *)info.name);
    return name;
}

static jint JNICALL native_tensorType(JNIEnv *env, jclass cls, jlong h, jint tensor) {
    ember_tensor_info info;
    (void)cls;
    return tensor_info(env, h, tensor, &info) ? (jint)info.type : -1;
}

/* dims (signature = 0) or dims_signature (signature = 1, -1 for a dynamic dimension). */
static jintArray JNICALL native_tensorShape(JNIEnv *env, jclass cls, jlong h, jint tensor,
                                            jboolean signature) {
    ember_tensor_info info;
    jintArray shape;
    jint dims[EMBER_MAX_DIMS];
    int32_t d;
    (void)cls;
    if (!tensor_info(env, h, tensor, &info))
        return NULL;
    for (d = 0; d < info.rank && d < EMBER_MAX_DIMS; ++d)
        dims[d] = signature ? info.dims_signature[d] : info.dims[d];
    shape = (*env)->NewIntArray(env, d);
    if (shape)
        (*env)->SetIntArrayRegion(env, shape, 0, d, dims);
    return shape;
}

static jlong JNICALL native_tensorBytes(JNIEnv *env, jclass cls, jlong h, jint tensor) {
    ember_tensor_info info;
    (void)cls;
    return tensor_info(env, h, tensor, &info) ? (jlong)info.bytes : -1;
}

/* Per-tensor quantisation of channel 0: scale 0 and zero point 0 for a tensor that is not quantised (LiteRT's
 * QuantizationParams convention). The zero point is returned through a one-element array. */
static jfloat JNICALL native_tensorQuantization(JNIEnv *env, jclass cls, jlong h, jint tensor,
                                                jintArray zero_point) {
    ember_tensor_info info;
    float scale = 0.0f;
    int32_t zp = 0;
    jint zp_out;
    (void)cls;
    if (!tensor_info(env, h, tensor, &info))
        return 0.0f;
    if (info.quant_count > 0 &&
        failed(env, handle(h), ember_interpreter_tensor_quantization(handle(h), tensor, 0, &scale, &zp)))
        return 0.0f;
    zp_out = zp;
    (*env)->SetIntArrayRegion(env, zero_point, 0, 1, &zp_out);
    return scale;
}

/* Copies the direct buffer's bytes [offset, offset + bytes) into / out of the tensor: the runtime reads and
 * writes the Java buffer's memory itself, no Java array or intermediate copy. */
static void JNICALL native_write(JNIEnv *env, jclass cls, jlong h, jint tensor, jobject src, jint offset,
                                 jint bytes) {
    const unsigned char *data = direct_bytes(env, src, offset, bytes);
    (void)cls;
    if (data)
        failed(env, handle(h), ember_interpreter_write_tensor(handle(h), tensor, data, (size_t)bytes));
}

static void JNICALL native_read(JNIEnv *env, jclass cls, jlong h, jint tensor, jobject dst, jint offset,
                                jint bytes) {
    unsigned char *data = direct_bytes(env, dst, offset, bytes);
    (void)cls;
    if (data)
        failed(env, handle(h), ember_interpreter_read_tensor(handle(h), tensor, data, (size_t)bytes));
}

static void JNICALL native_invoke(JNIEnv *env, jclass cls, jlong h) {
    (void)cls;
    failed(env, handle(h), ember_interpreter_invoke(handle(h)));
}

/* ember_interpreter_resize_input with the Java array's dims: the rank and dim checks, and the shape rules of
 * every op, are the runtime's (its message names the input, the shape and the op). */
static void JNICALL native_resizeInput(JNIEnv *env, jclass cls, jlong h, jint input, jintArray dims) {
    jint values[EMBER_MAX_DIMS];
    int32_t d32[EMBER_MAX_DIMS];
    jsize rank, d;
    (void)cls;
    if (!dims) {
        throw_plain(env, "java/lang/IllegalArgumentException", "resizeInput: dims is null");
        return;
    }
    rank = (*env)->GetArrayLength(env, dims);
    if (rank > EMBER_MAX_DIMS) {
        char message[96];
        snprintf(message, sizeof message, "resizeInput: %ld dims, the runtime takes at most %d", (long)rank,
                 EMBER_MAX_DIMS);
        throw_plain(env, "java/lang/IllegalArgumentException", message);
        return;
    }
    (*env)->GetIntArrayRegion(env, dims, 0, rank, values);
    for (d = 0; d < rank; ++d)
        d32[d] = (int32_t)values[d];
    failed(env, handle(h), ember_interpreter_resize_input(handle(h), input, d32, (int32_t)rank));
}

/* ember_interpreter_reset_variables: resource variables unassigned, CALL_ONCE armed again. */
static void JNICALL native_resetVariables(JNIEnv *env, jclass cls, jlong h) {
    (void)cls;
    failed(env, handle(h), ember_interpreter_reset_variables(handle(h)));
}

/* ember_interpreter_allocate_tensors: a no-op unless an input was resized since the last allocation. */
static void JNICALL native_allocate(JNIEnv *env, jclass cls, jlong h) {
    (void)cls;
    failed(env, handle(h), ember_interpreter_allocate_tensors(handle(h)));
}

static jlong JNICALL native_arenaBytes(JNIEnv *env, jclass cls, jlong h) {
    (void)env;
    (void)cls;
    return (jlong)ember_interpreter_arena_bytes(handle(h));
}

static jint JNICALL native_numThreads(JNIEnv *env, jclass cls, jlong h) {
    (void)env;
    (void)cls;
    return ember_interpreter_num_threads(handle(h));
}

static jstring JNICALL native_isa(JNIEnv *env, jclass cls, jlong h) {
    (void)cls;
    return (*env)->NewStringUTF(env, ember_interpreter_isa(handle(h))); /* ASCII level names */
}

static jint JNICALL native_nodeCount(JNIEnv *env, jclass cls, jlong h) {
    (void)env;
    (void)cls;
    return ember_interpreter_node_count(handle(h));
}

/* ---- Registration: explicit, so a signature that disagrees with NativeInterpreter.java fails at load. ----
 */

typedef void (*any_function)(void);

/* A function pointer as the void * JNINativeMethod wants (ISO C has no direct conversion). */
static void *entry(any_function f) {
    void *p;
    memcpy(&p, &f, sizeof p);
    return p;
}

typedef struct native_method {
    const char *name, *signature;
    any_function function;
} native_method;

#define METHOD(name, signature)                                                                              \
    { #name, signature, (any_function)native_##name }

static const native_method METHODS[] = {
    METHOD(create, "(Ljava/nio/ByteBuffer;III)J"),
    METHOD(destroy, "(J)V"),
    METHOD(inputCount, "(J)I"),
    METHOD(outputCount, "(J)I"),
    METHOD(ioTensor, "(JIZ)I"),
    METHOD(tensorName, "(JI)[B"),
    METHOD(tensorType, "(JI)I"),
    METHOD(tensorShape, "(JIZ)[I"),
    METHOD(tensorBytes, "(JI)J"),
    METHOD(tensorQuantization, "(JI[I)F"),
    METHOD(write, "(JILjava/nio/ByteBuffer;II)V"),
    METHOD(read, "(JILjava/nio/ByteBuffer;II)V"),
    METHOD(invoke, "(J)V"),
    METHOD(resizeInput, "(JI[I)V"),
    METHOD(allocate, "(J)V"),
    METHOD(resetVariables, "(J)V"),
    METHOD(arenaBytes, "(J)J"),
    METHOD(numThreads, "(J)I"),
    METHOD(isa, "(J)Ljava/lang/String;"),
    METHOD(nodeCount, "(J)I"),
};

#define METHOD_COUNT (sizeof METHODS / sizeof METHODS[0])

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    JNINativeMethod methods[METHOD_COUNT];
    JNIEnv *env;
    jclass cls;
    size_t i;
    (void)reserved;
    for (i = 0; i < METHOD_COUNT; ++i) {
        methods[i].name = (char *)METHODS[i].name; /* older jni.h declare these char * */
        methods[i].signature = (char *)METHODS[i].signature;
        methods[i].fnPtr = entry(METHODS[i].function);
    }
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_6) != JNI_OK)
        return JNI_ERR;
    cls = (*env)->FindClass(env, "ai/ember/NativeInterpreter");
    if (!cls || (*env)->RegisterNatives(env, cls, methods, (jint)METHOD_COUNT) != 0)
        return JNI_ERR; /* FindClass / RegisterNatives have thrown (NoClassDefFoundError, NoSuchMethodError)
                         */
    (*env)->DeleteLocalRef(env, cls);
    return JNI_VERSION_1_6;
}
