"""Our op names and dtypes mapped onto the TFLite schema's enums (from the `tflite` package's bindings)."""

from __future__ import annotations

import numpy as np
import tflite

TENSOR_TYPES = {
    np.dtype(np.float32): tflite.TensorType.FLOAT32,
    np.dtype(np.int32): tflite.TensorType.INT32,
    np.dtype(np.int8): tflite.TensorType.INT8,
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


def op_version(op: str, dtypes: list[np.dtype]) -> int:
    """The lowest op version that covers what we write (float32 ops are version 1)."""
    return 1
