"""Our op names and dtypes mapped onto the TFLite schema's enums (from the `tflite` package's bindings)."""

from __future__ import annotations

import numpy as np
import tflite

TENSOR_TYPES = {
    np.dtype(np.float32): tflite.TensorType.FLOAT32,
    np.dtype(np.float16): tflite.TensorType.FLOAT16,
    np.dtype(np.int32): tflite.TensorType.INT32,
    np.dtype(np.int8): tflite.TensorType.INT8,
    np.dtype(np.int16): tflite.TensorType.INT16,
    np.dtype(np.uint8): tflite.TensorType.UINT8,
    np.dtype(np.int64): tflite.TensorType.INT64,
    np.dtype(np.bool_): tflite.TensorType.BOOL,
}

ACTIVATIONS = {
    "NONE": tflite.ActivationFunctionType.NONE,
    "RELU": tflite.ActivationFunctionType.RELU,
    "RELU_N1_TO_1": tflite.ActivationFunctionType.RELU_N1_TO_1,
    "RELU6": tflite.ActivationFunctionType.RELU6,
}


def builtin_code(op: str) -> int:
    code = getattr(tflite.BuiltinOperator, op, None)
    if code is None:
        raise KeyError(f"{op} is not a TFLite builtin operator")
    return code


# The version at which each op gained int8 tensors (TFLite's op_version.cc).
INT8_VERSIONS = {
    "CONV_2D": 3, "DEPTHWISE_CONV_2D": 3, "FULLY_CONNECTED": 4, "ADD": 2, "SUB": 2, "MUL": 2,
    "AVERAGE_POOL_2D": 2, "MAX_POOL_2D": 2, "MEAN": 2, "SOFTMAX": 2, "LOGISTIC": 2, "TANH": 2, "CONCATENATION": 2,
    "PAD": 2, "TRANSPOSE": 2, "RESIZE_NEAREST_NEIGHBOR": 2, "QUANTIZE": 2, "DEQUANTIZE": 2, "LEAKY_RELU": 2,
    "RELU": 2, "RELU6": 2, "GATHER": 2, "BATCH_MATMUL": 2, "RSQRT": 2, "STRIDED_SLICE": 2, "PACK": 2,
    "SPACE_TO_BATCH_ND": 2, "BATCH_TO_SPACE_ND": 2, "GELU": 2, "SQUEEZE": 1, "RESHAPE": 1, "HARD_SWISH": 1,
    "TRANSPOSE_CONV": 2, "RESIZE_BILINEAR": 2, "SPLIT_V": 2, "EQUAL": 2, "NOT_EQUAL": 2, "LESS": 2,
    "LESS_EQUAL": 2, "GREATER": 2, "GREATER_EQUAL": 2, "SELECT_V2": 1, "PRELU": 1, "LOG_SOFTMAX": 2,
    "ELU": 1,  # LiteRT registers ELU version 1 only, int8 included
}


# Hybrid (float32 activations, int8 weights) versions: per-tensor weights, per-channel weights.
HYBRID_VERSIONS = {"CONV_2D": (2, 5), "DEPTHWISE_CONV_2D": (4, 6), "FULLY_CONNECTED": (3, 12)}


def op_version(op: str, attrs: dict, input_shapes: list[tuple[int, ...] | None],
               dtypes: list[np.dtype | None] | None = None, per_channel_weights: bool = False) -> int:
    """The lowest op version that covers what we write (TFLite's op_version.cc): the float32 version, raised to
    the op's int8 version when any of its tensors is int8 or int16 (16x8: TensorFlow's converter writes the int8
    versions too), or to the hybrid version when float32 data meets int8 weights."""
    version = _float_version(op, attrs, input_shapes)
    integer = (np.dtype(np.int8), np.dtype(np.int16))
    if dtypes and any(d is not None and np.dtype(d) in integer for d in dtypes):
        version = max(version, INT8_VERSIONS.get(op, 1))
    if op in HYBRID_VERSIONS and dtypes and len(dtypes) > 1 and dtypes[0] is not None and dtypes[1] is not None \
            and np.dtype(dtypes[0]) == np.float32 and np.dtype(dtypes[1]) == np.int8:
        per_tensor, per_channel = HYBRID_VERSIONS[op]
        hybrid = per_channel if per_channel_weights else per_tensor
        if op == "FULLY_CONNECTED" and not per_channel_weights and attrs.get("asymmetric_quantize_inputs"):
            hybrid = 9
        version = max(version, hybrid)
    if op == "DEQUANTIZE" and dtypes and dtypes[0] is not None and np.dtype(dtypes[0]) == np.float16:
        version = max(version, 3)  # float16 input
    return version


def _float_version(op: str, attrs: dict, input_shapes: list[tuple[int, ...] | None]) -> int:
    rank = len(input_shapes[0]) if input_shapes and input_shapes[0] is not None else 0
    if op == "FULLY_CONNECTED" and attrs.get("keep_num_dims"):
        return 5
    if op == "DEPTHWISE_CONV_2D" and (attrs.get("dilation_h", 1) != 1 or attrs.get("dilation_w", 1) != 1):
        return 2
    if op in ("TRANSPOSE", "PAD") and rank > 4:
        return 6 if op == "TRANSPOSE" and rank > 5 else 4
    if op in ("SUB", "DIV", "MAXIMUM", "MINIMUM"):
        shapes = [s for s in input_shapes[:2] if s is not None]
        if len(shapes) == 2 and shapes[0] != shapes[1] and max(map(len, shapes)) > 4:
            return 2 if op == "DIV" else 3
    if op == "RESIZE_NEAREST_NEIGHBOR" and (attrs.get("align_corners") or attrs.get("half_pixel_centers")):
        return 3
    if op == "GATHER" and attrs.get("batch_dims", 0) != 0:
        return 5
    if op == "TRANSPOSE_CONV":
        return 3 if len(input_shapes) > 3 and input_shapes[3] is not None else 1
    if op == "RESIZE_BILINEAR" and attrs.get("half_pixel_centers"):
        return 3
    if op == "STRIDED_SLICE" and rank > 4:
        return 4
    if op == "BROADCAST_TO":
        return 2  # version 1 is reserved for the custom op it once was
    return 1
