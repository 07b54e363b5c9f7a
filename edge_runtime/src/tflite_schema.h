/* Field ids and enum values of the TensorFlow Lite schema (tensorflow/compiler/mlir/lite/schema/schema.fbs,
 * schema version 3) for the parts this runtime reads. A field id is its declaration index in the table. */
#ifndef EMBER_TFLITE_SCHEMA_H
#define EMBER_TFLITE_SCHEMA_H

#define TFL_SCHEMA_VERSION 3
#define TFL_FILE_IDENTIFIER "TFL3"

/* table Model */
enum {
    TFL_MODEL_VERSION = 0,
    TFL_MODEL_OPERATOR_CODES = 1,
    TFL_MODEL_SUBGRAPHS = 2,
    TFL_MODEL_DESCRIPTION = 3,
    TFL_MODEL_BUFFERS = 4,
    TFL_MODEL_METADATA_BUFFER = 5,
    TFL_MODEL_METADATA = 6,
    TFL_MODEL_SIGNATURE_DEFS = 7
};

/* table OperatorCode */
enum {
    TFL_OPCODE_DEPRECATED_BUILTIN_CODE =
        0, /* int8, the only code before schema 3a; 127 = look at builtin_code */
    TFL_OPCODE_CUSTOM_CODE = 1,
    TFL_OPCODE_VERSION = 2, /* int32, default 1 */
    TFL_OPCODE_BUILTIN_CODE = 3
};

/* table SubGraph */
enum {
    TFL_SUBGRAPH_TENSORS = 0,
    TFL_SUBGRAPH_INPUTS = 1,
    TFL_SUBGRAPH_OUTPUTS = 2,
    TFL_SUBGRAPH_OPERATORS = 3
};

/* table Tensor */
enum {
    TFL_TENSOR_SHAPE = 0,
    TFL_TENSOR_TYPE = 1,
    TFL_TENSOR_BUFFER = 2,
    TFL_TENSOR_NAME = 3,
    TFL_TENSOR_QUANTIZATION = 4,
    TFL_TENSOR_IS_VARIABLE = 5,
    TFL_TENSOR_SPARSITY = 6,
    TFL_TENSOR_SHAPE_SIGNATURE = 7
};

/* table QuantizationParameters */
enum {
    TFL_QUANT_MIN = 0,
    TFL_QUANT_MAX = 1,
    TFL_QUANT_SCALE = 2,      /* [float] */
    TFL_QUANT_ZERO_POINT = 3, /* [long] */
    TFL_QUANT_DETAILS_TYPE = 4,
    TFL_QUANT_QUANTIZED_DIMENSION = 6
};

/* table Buffer */
enum { TFL_BUFFER_DATA = 0, TFL_BUFFER_OFFSET = 1, TFL_BUFFER_SIZE = 2 };

/* table Operator */
enum {
    TFL_OP_OPCODE_INDEX = 0,
    TFL_OP_INPUTS = 1,
    TFL_OP_OUTPUTS = 2,
    TFL_OP_BUILTIN_OPTIONS_TYPE = 3,
    TFL_OP_BUILTIN_OPTIONS = 4,
    TFL_OP_CUSTOM_OPTIONS = 5,
    TFL_OP_MUTATING_VARIABLE_INPUTS = 7,
    TFL_OP_INTERMEDIATES = 8,
    TFL_OP_BUILTIN_OPTIONS_2_TYPE = 11,
    TFL_OP_BUILTIN_OPTIONS_2 = 12
};

/* table Metadata, SignatureDef, TensorMap */
enum { TFL_METADATA_NAME = 0, TFL_METADATA_BUFFER = 1 };
enum {
    TFL_SIGNATURE_INPUTS = 0,
    TFL_SIGNATURE_OUTPUTS = 1,
    TFL_SIGNATURE_KEY = 2,
    TFL_SIGNATURE_SUBGRAPH = 4
};
enum { TFL_TENSORMAP_NAME = 0, TFL_TENSORMAP_TENSOR_INDEX = 1 };

/* BuiltinOperator values the runtime implements (the full list of names is in builtin_names.c). */
enum {
    TFL_OP_FULLY_CONNECTED = 9,
    TFL_OP_RESHAPE = 22,
    TFL_OP_SOFTMAX = 25,
    TFL_OP_CUSTOM = 32,
    TFL_OP_PLACEHOLDER_FOR_GREATER_OP_CODES = 127
};

/* BuiltinOptions union tags. */
enum { TFL_OPTIONS_FULLY_CONNECTED = 8, TFL_OPTIONS_SOFTMAX = 9, TFL_OPTIONS_RESHAPE = 17 };

/* table FullyConnectedOptions */
enum {
    TFL_FC_FUSED_ACTIVATION = 0,
    TFL_FC_WEIGHTS_FORMAT = 1, /* 0 = DEFAULT; SHUFFLED4x16INT8 is not supported */
    TFL_FC_KEEP_NUM_DIMS = 2,
    TFL_FC_ASYMMETRIC_QUANTIZE_INPUTS = 3
};

/* table SoftmaxOptions, ReshapeOptions */
enum { TFL_SOFTMAX_BETA = 0 };
enum { TFL_RESHAPE_NEW_SHAPE = 0 };

/* ActivationFunctionType */
enum { TFL_ACT_NONE = 0, TFL_ACT_RELU = 1, TFL_ACT_RELU_N1_TO_1 = 2, TFL_ACT_RELU6 = 3 };

#endif /* EMBER_TFLITE_SCHEMA_H */
