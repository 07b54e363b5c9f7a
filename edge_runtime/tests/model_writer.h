/* A tiny FlatBuffers writer for tests: builds TFLite models from a plain description, so the C tests need no
 * generated files. Written front to back: a parent is written before its children and its offset fields are
 * patched once the children exist (uoffsets always point forward, as the format requires). */
#ifndef EMBER_TEST_MODEL_WRITER_H
#define EMBER_TEST_MODEL_WRITER_H

#include <stddef.h>
#include <stdint.h>

#define TM_MAX 8

typedef struct tm_tensor {
    const char *name;
    int8_t type; /* TFLite TensorType */
    int32_t rank;
    int32_t dims[4];
    uint32_t buffer;
    int quant_count; /* > 0: write scale/zero_point vectors of this length */
    int32_t quantized_dimension;
} tm_tensor;

typedef struct tm_op {
    int32_t builtin; /* BuiltinOperator */
    int32_t version;
    int32_t inputs[4];
    int n_inputs;
    int32_t outputs[2];
    int n_outputs;
    uint8_t options_type; /* 0: no builtin_options table */
    int8_t activation;    /* FullyConnectedOptions */
    float beta;           /* SoftmaxOptions */
    int32_t new_shape[4]; /* ReshapeOptions */
    int n_new_shape;
    uint32_t opcode_shift; /* added to the operator's opcode index (to write a bad one) */
} tm_op;

typedef struct tm_model {
    uint32_t schema_version;
    tm_tensor tensors[TM_MAX];
    int n_tensors;
    tm_op ops[TM_MAX];
    int n_ops;
    const void *buffer_data[TM_MAX]; /* buffer 0 is conventionally empty */
    uint32_t buffer_bytes[TM_MAX];
    int n_buffers;
    int32_t inputs[2];
    int n_inputs;
    int32_t outputs[2];
    int n_outputs;
} tm_model;

/* Writes the model into out[0, capacity); returns its size (0 if it does not fit). */
size_t tm_write(const tm_model *m, uint8_t *out, size_t capacity);

/* FC(4 -> 3, RELU, bias) -> SOFTMAX(beta 1) over a [1, 4] input: the walking-skeleton model of the tests. The
 * weights/bias arrays must outlive the use of the description. */
void tm_fc_softmax(tm_model *m, const float *weights12, const float *bias3);

/* One FULLY_CONNECTED (RELU, bias) from [batches, in] to [batches, out]: big enough batches and sizes make
 * the runtime split it over threads. weights [out][in] and bias [out] must outlive the description. */
void tm_fc(tm_model *m, int32_t batches, int32_t in, int32_t out, const float *weights, const float *bias);

#endif /* EMBER_TEST_MODEL_WRITER_H */
