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
    TFL_SUBGRAPH_OPERATORS = 3,
    TFL_SUBGRAPH_NAME = 4
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
    TFL_OP_IF = 118,
    TFL_OP_WHILE = 119,
    TFL_OP_CALL_ONCE = 129,
    TFL_OP_VAR_HANDLE = 142,
    TFL_OP_READ_VARIABLE = 143,
    TFL_OP_ASSIGN_VARIABLE = 144,
    TFL_OP_PLACEHOLDER_FOR_GREATER_OP_CODES = 127
};

/* BuiltinOptions union tags. */
enum { TFL_OPTIONS_IF = 92, TFL_OPTIONS_WHILE = 93, TFL_OPTIONS_CALL_ONCE = 103 };
/* IfOptions (then 0, else 1), WhileOptions (cond 0, body 1), CallOnceOptions (init 0): subgraph indices. */
/* VarHandleOptions: container (string, field 0) and shared_name (string, field 1) name a resource variable.
 */
enum { TFL_OPTIONS_VAR_HANDLE = 111, TFL_VAR_HANDLE_CONTAINER = 0, TFL_VAR_HANDLE_SHARED_NAME = 1 };
enum { TFL_OPTIONS_FULLY_CONNECTED = 8, TFL_OPTIONS_SOFTMAX = 9, TFL_OPTIONS_RESHAPE = 17 };

/* table FullyConnectedOptions */
enum {
    TFL_FC_FUSED_ACTIVATION = 0,
    TFL_FC_WEIGHTS_FORMAT = 1, /* 0 = DEFAULT; SHUFFLED4x16INT8 is not supported */
    TFL_FC_KEEP_NUM_DIMS = 2,
    TFL_FC_ASYMMETRIC_QUANTIZE_INPUTS = 3,
    TFL_FC_QUANTIZED_BIAS_TYPE = 4 /* a TensorType; FLOAT32 (the default): unset */
};

/* table SoftmaxOptions, ReshapeOptions */
enum { TFL_SOFTMAX_BETA = 0 };
enum { TFL_RESHAPE_NEW_SHAPE = 0 };

/* Convolution, pooling, reduction and batch matmul ops (edge_runtime/src/kernels/conv_2d.c ...). */
enum {
    TFL_OP_AVERAGE_POOL_2D = 1,
    TFL_OP_CONV_2D = 3,
    TFL_OP_DEPTHWISE_CONV_2D = 4,
    TFL_OP_MAX_POOL_2D = 17,
    TFL_OP_MEAN = 40,
    TFL_OP_BATCH_MATMUL = 126
};
enum {
    TFL_OPTIONS_CONV_2D = 1,
    TFL_OPTIONS_DEPTHWISE_CONV_2D = 2,
    TFL_OPTIONS_POOL_2D = 5,
    TFL_OPTIONS_REDUCER = 27,
    TFL_OPTIONS_BATCH_MATMUL = 101
};
/* Padding */
enum { TFL_PADDING_SAME = 0, TFL_PADDING_VALID = 1 };
/* table Conv2DOptions */
enum {
    TFL_CONV_PADDING = 0,
    TFL_CONV_STRIDE_W = 1,
    TFL_CONV_STRIDE_H = 2,
    TFL_CONV_FUSED_ACTIVATION = 3,
    TFL_CONV_DILATION_W = 4, /* default 1 */
    TFL_CONV_DILATION_H = 5,
    TFL_CONV_QUANTIZED_BIAS_TYPE = 6 /* a TensorType; FLOAT32 (the default): unset */
};
/* table DepthwiseConv2DOptions */
enum {
    TFL_DW_PADDING = 0,
    TFL_DW_STRIDE_W = 1,
    TFL_DW_STRIDE_H = 2,
    TFL_DW_DEPTH_MULTIPLIER = 3,
    TFL_DW_FUSED_ACTIVATION = 4,
    TFL_DW_DILATION_W = 5, /* default 1 */
    TFL_DW_DILATION_H = 6
};
/* table Pool2DOptions */
enum {
    TFL_POOL_PADDING = 0,
    TFL_POOL_STRIDE_W = 1,
    TFL_POOL_STRIDE_H = 2,
    TFL_POOL_FILTER_W = 3,
    TFL_POOL_FILTER_H = 4,
    TFL_POOL_FUSED_ACTIVATION = 5
};
/* Elementwise math, LOG_SOFTMAX, MAXIMUM/MINIMUM and the reductions beyond MEAN (kernels/elementwise_math.c,
 * log_softmax.c, div.c, maximum_minimum.c, reduce.c). */
enum {
    TFL_OP_DIV = 42,
    TFL_OP_EXP = 47,
    TFL_OP_LOG_SOFTMAX = 50,
    TFL_OP_MAXIMUM = 55,
    TFL_OP_MINIMUM = 57,
    TFL_OP_LOG = 73,
    TFL_OP_SUM = 74,
    TFL_OP_SQRT = 75,
    TFL_OP_REDUCE_MAX = 82,
    TFL_OP_REDUCE_MIN = 89,
    TFL_OP_ABS = 101
};
enum {
    TFL_OPTIONS_DIV = 29,
    TFL_OPTIONS_EXP = 33,
    TFL_OPTIONS_LOG_SOFTMAX = 36,
    TFL_OPTIONS_MAXIMUM_MINIMUM = 39,
    TFL_OPTIONS_ABS = 78
};
/* DivOptions' field 0 is the fused activation, as TFL_ARITH_FUSED_ACTIVATION. */
/* table ReducerOptions, BatchMatMulOptions */
enum { TFL_REDUCER_KEEP_DIMS = 0 };
enum { TFL_BMM_ADJ_X = 0, TFL_BMM_ADJ_Y = 1, TFL_BMM_ASYMMETRIC_QUANTIZE_INPUTS = 2 };

/* Elementwise, activation, quantisation and shape ops (edge_runtime/src/kernels/add.c ...). */
enum {
    TFL_OP_ADD = 0,
    TFL_OP_CONCATENATION = 2,
    TFL_OP_DEQUANTIZE = 6,
    TFL_OP_LOGISTIC = 14,
    TFL_OP_MUL = 18,
    TFL_OP_RELU = 19,
    TFL_OP_RELU6 = 21,
    TFL_OP_TANH = 28,
    TFL_OP_PAD = 34,
    TFL_OP_GATHER = 36,
    TFL_OP_BATCH_TO_SPACE_ND = 37,
    TFL_OP_SPACE_TO_BATCH_ND = 38,
    TFL_OP_TRANSPOSE = 39,
    TFL_OP_SUB = 41,
    TFL_OP_SQUEEZE = 43,
    TFL_OP_STRIDED_SLICE = 45,
    TFL_OP_RSQRT = 76,
    TFL_OP_SHAPE = 77,
    TFL_OP_PACK = 83,
    TFL_OP_RESIZE_NEAREST_NEIGHBOR = 97,
    TFL_OP_LEAKY_RELU = 98,
    TFL_OP_QUANTIZE = 114,
    TFL_OP_HARD_SWISH = 117,
    TFL_OP_DENSIFY = 124,
    TFL_OP_GELU = 150
};
enum {
    TFL_OPTIONS_CONCATENATION = 10,
    TFL_OPTIONS_ADD = 11,
    TFL_OPTIONS_MUL = 21,
    TFL_OPTIONS_PAD = 22,
    TFL_OPTIONS_GATHER = 23,
    TFL_OPTIONS_BATCH_TO_SPACE_ND = 24,
    TFL_OPTIONS_SPACE_TO_BATCH_ND = 25,
    TFL_OPTIONS_TRANSPOSE = 26,
    TFL_OPTIONS_SUB = 28,
    TFL_OPTIONS_SQUEEZE = 30,
    TFL_OPTIONS_STRIDED_SLICE = 32,
    TFL_OPTIONS_DEQUANTIZE = 38,
    TFL_OPTIONS_SHAPE = 55,
    TFL_OPTIONS_PACK = 59,
    TFL_OPTIONS_RESIZE_NEAREST_NEIGHBOR = 74,
    TFL_OPTIONS_LEAKY_RELU = 75,
    TFL_OPTIONS_QUANTIZE = 89,
    TFL_OPTIONS_HARD_SWISH = 91,
    TFL_OPTIONS_DENSIFY = 99,
    TFL_OPTIONS_GELU = 116
};
/* AddOptions, SubOptions, MulOptions (field 0), ConcatenationOptions; AddOptions' and SubOptions' field 1 */
enum { TFL_ARITH_FUSED_ACTIVATION = 0, TFL_ARITH_POT_SCALE_INT16 = 1 };
enum { TFL_CONCAT_AXIS = 0, TFL_CONCAT_FUSED_ACTIVATION = 1 };
/* GatherOptions, SqueezeOptions, ShapeOptions, PackOptions */
enum { TFL_GATHER_AXIS = 0, TFL_GATHER_BATCH_DIMS = 1 };
enum { TFL_SQUEEZE_DIMS = 0 };
enum { TFL_SHAPE_OUT_TYPE = 0 };
enum { TFL_PACK_VALUES_COUNT = 0, TFL_PACK_AXIS = 1 };
/* StridedSliceOptions */
enum {
    TFL_SS_BEGIN_MASK = 0,
    TFL_SS_END_MASK = 1,
    TFL_SS_ELLIPSIS_MASK = 2,
    TFL_SS_NEW_AXIS_MASK = 3,
    TFL_SS_SHRINK_AXIS_MASK = 4,
    TFL_SS_OFFSET = 5
};
/* ResizeNearestNeighborOptions, LeakyReluOptions, GeluOptions */
enum { TFL_RESIZE_ALIGN_CORNERS = 0, TFL_RESIZE_HALF_PIXEL_CENTERS = 1 };
enum { TFL_LEAKY_RELU_ALPHA = 0 };
enum { TFL_GELU_APPROXIMATE = 0 };

/* Spatial ops of issue 12 (kernels/prelu.c, resize_bilinear.c, depth_to_space.c, space_to_depth.c,
 * transpose_conv.c, mirror_pad.c, padv2.c, l2_normalization.c, local_response_normalization.c). */
enum {
    TFL_OP_DEPTH_TO_SPACE = 5,
    TFL_OP_L2_NORMALIZATION = 11,
    TFL_OP_LOCAL_RESPONSE_NORMALIZATION = 13,
    TFL_OP_RESIZE_BILINEAR = 23,
    TFL_OP_SPACE_TO_DEPTH = 26,
    TFL_OP_PRELU = 54,
    TFL_OP_PADV2 = 60,
    TFL_OP_TRANSPOSE_CONV = 67,
    TFL_OP_MIRROR_PAD = 100
};
enum {
    TFL_OPTIONS_L2_NORM = 12,
    TFL_OPTIONS_LOCAL_RESPONSE_NORMALIZATION = 13,
    TFL_OPTIONS_RESIZE_BILINEAR = 15,
    TFL_OPTIONS_SPACE_TO_DEPTH = 19,
    TFL_OPTIONS_PADV2 = 43,
    TFL_OPTIONS_TRANSPOSE_CONV = 49,
    TFL_OPTIONS_MIRROR_PAD = 77,
    TFL_OPTIONS_DEPTH_TO_SPACE = 94
};
/* ResizeBilinearOptions (fields 0 and 1 are the deprecated new_height, new_width) */
enum { TFL_RESIZE_BILINEAR_ALIGN_CORNERS = 2, TFL_RESIZE_BILINEAR_HALF_PIXEL_CENTERS = 3 };
/* DepthToSpaceOptions, SpaceToDepthOptions */
enum { TFL_DEPTH_SPACE_BLOCK_SIZE = 0 };
/* TransposeConvOptions */
enum {
    TFL_TCONV_PADDING = 0,
    TFL_TCONV_STRIDE_W = 1,
    TFL_TCONV_STRIDE_H = 2,
    TFL_TCONV_FUSED_ACTIVATION = 3, /* version 4 on */
    TFL_TCONV_QUANTIZED_BIAS_TYPE = 4
};
/* MirrorPadOptions and its MirrorPadMode */
enum { TFL_MIRROR_PAD_MODE = 0 };
enum { TFL_MIRROR_PAD_REFLECT = 0, TFL_MIRROR_PAD_SYMMETRIC = 1 };
/* L2NormOptions, LocalResponseNormalizationOptions */
enum { TFL_L2_NORM_FUSED_ACTIVATION = 0 };
enum { TFL_LRN_RADIUS = 0, TFL_LRN_BIAS = 1, TFL_LRN_ALPHA = 2, TFL_LRN_BETA = 3 };
/* Shape and indexing ops (kernels/slice.c, split.c, split_v.c, tile.c, ...; index arithmetic in
 * kernels/layout.h). */
enum {
    TFL_OP_SPLIT = 49,
    TFL_OP_ARG_MAX = 56,
    TFL_OP_SLICE = 65,
    TFL_OP_TILE = 69,
    TFL_OP_EXPAND_DIMS = 70,
    TFL_OP_ARG_MIN = 79,
    TFL_OP_REDUCE_PROD = 81,
    TFL_OP_UNPACK = 88,
    TFL_OP_RANGE = 96,
    TFL_OP_SPLIT_V = 102,
    TFL_OP_REVERSE_V2 = 105,
    TFL_OP_GATHER_ND = 107,
    TFL_OP_BROADCAST_TO = 130
};
enum {
    TFL_OPTIONS_SPLIT = 35,
    TFL_OPTIONS_ARG_MAX = 40,
    TFL_OPTIONS_SLICE = 48,
    TFL_OPTIONS_TILE = 51,
    TFL_OPTIONS_EXPAND_DIMS = 52,
    TFL_OPTIONS_ARG_MIN = 57,
    TFL_OPTIONS_UNPACK = 64,
    TFL_OPTIONS_RANGE = 73,
    TFL_OPTIONS_SPLIT_V = 79,
    TFL_OPTIONS_REVERSE_V2 = 81,
    TFL_OPTIONS_GATHER_ND = 83,
    TFL_OPTIONS_BROADCAST_TO = 104
};
/* SplitOptions and SplitVOptions (num_splits), ArgMaxOptions / ArgMinOptions (output_type, a TensorType
 * byte), UnpackOptions */
enum { TFL_SPLIT_NUM_SPLITS = 0 };
enum { TFL_ARG_MAX_OUTPUT_TYPE = 0, TFL_ARG_MIN_OUTPUT_TYPE = 0 };
enum { TFL_UNPACK_NUM = 0, TFL_UNPACK_AXIS = 1 };
/* Elementwise math, comparison, logic, select, cast and fill ops (kernels/elementwise_math.c,
 * floor_div_mod.c, squared_difference.c, pow.c, elu.c, comparisons.c, logical.c, select.c, cast.c, fill.c,
 * zeros_like.c). */
enum {
    TFL_OP_FLOOR = 8,
    TFL_OP_CAST = 53,
    TFL_OP_LESS = 58,
    TFL_OP_NEG = 59,
    TFL_OP_GREATER = 61,
    TFL_OP_GREATER_EQUAL = 62,
    TFL_OP_LESS_EQUAL = 63,
    TFL_OP_SELECT = 64,
    TFL_OP_SIN = 66,
    TFL_OP_EQUAL = 71,
    TFL_OP_NOT_EQUAL = 72,
    TFL_OP_POW = 78,
    TFL_OP_LOGICAL_OR = 84,
    TFL_OP_LOGICAL_AND = 86,
    TFL_OP_LOGICAL_NOT = 87,
    TFL_OP_FLOOR_DIV = 90,
    TFL_OP_ZEROS_LIKE = 93,
    TFL_OP_FILL = 94,
    TFL_OP_FLOOR_MOD = 95,
    TFL_OP_SQUARED_DIFFERENCE = 99,
    TFL_OP_COS = 108,
    TFL_OP_ELU = 111,
    TFL_OP_SELECT_V2 = 123
};
enum {
    TFL_OPTIONS_CAST = 37,
    TFL_OPTIONS_LESS = 41,
    TFL_OPTIONS_NEG = 42,
    TFL_OPTIONS_GREATER = 44,
    TFL_OPTIONS_GREATER_EQUAL = 45,
    TFL_OPTIONS_LESS_EQUAL = 46,
    TFL_OPTIONS_SELECT = 47,
    TFL_OPTIONS_EQUAL = 53,
    TFL_OPTIONS_NOT_EQUAL = 54,
    TFL_OPTIONS_POW = 56,
    TFL_OPTIONS_LOGICAL_OR = 60,
    TFL_OPTIONS_LOGICAL_AND = 62,
    TFL_OPTIONS_LOGICAL_NOT = 63,
    TFL_OPTIONS_FLOOR_DIV = 65,
    TFL_OPTIONS_ZEROS_LIKE = 67,
    TFL_OPTIONS_FILL = 68,
    TFL_OPTIONS_FLOOR_MOD = 72,
    TFL_OPTIONS_SQUARED_DIFFERENCE = 76,
    TFL_OPTIONS_COS = 84,
    TFL_OPTIONS_SELECT_V2 = 98
};

/* ActivationFunctionType */
/* TANH is the schema's 4; SIGMOID (6) is LiteRT's kTfLiteActSigmoid, not in the schema's enum, which the
 * recurrent kernels accept as LiteRT's do. */
enum {
    TFL_ACT_NONE = 0,
    TFL_ACT_RELU = 1,
    TFL_ACT_RELU_N1_TO_1 = 2,
    TFL_ACT_RELU6 = 3,
    TFL_ACT_TANH = 4,
    TFL_ACT_SIGMOID = 6
};

#endif /* EMBER_TFLITE_SCHEMA_H */
