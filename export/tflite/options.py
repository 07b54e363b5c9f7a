"""Builtin options tables, one builder per op: (flatbuffers.Builder, attrs) -> (BuiltinOptions type, offset).

Most options are flat tables of scalars, described by `_table(name, (attr, field, convert) ...)`; ops without
options (RELU, LOGISTIC, RSQRT, ...) write none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flatbuffers
import numpy as np
import tflite

from .schema import ACTIVATIONS, TENSOR_TYPES

OptionsWriter = Callable[[flatbuffers.Builder, dict[str, Any]], tuple[int, int]]

PADDING = {"SAME": tflite.Padding.SAME, "VALID": tflite.Padding.VALID}


def _activation(v: Any) -> int:
    return ACTIVATIONS[v or "NONE"]


def _tensor_type(dtype: Any) -> int:
    return TENSOR_TYPES[np.dtype(dtype)]


def _table(name: str, *fields: tuple[str, str, Callable[[Any], Any], Any]) -> OptionsWriter:
    start, end = getattr(tflite, f"{name}Start"), getattr(tflite, f"{name}End")
    adders = [(attr, getattr(tflite, f"{name}Add{field}"), convert, default)
              for attr, field, convert, default in fields]

    def write(b: flatbuffers.Builder, attrs: dict[str, Any]) -> tuple[int, int]:
        start(b)
        for attr, add, convert, default in adders:
            add(b, convert(attrs.get(attr, default)))
        return getattr(tflite.BuiltinOptions, name), end(b)

    return write


FUSED = ("fused_activation", "FusedActivationFunction", _activation, "NONE")
WINDOW = (("padding", "Padding", PADDING.__getitem__, "VALID"), ("stride_w", "StrideW", int, 1),
          ("stride_h", "StrideH", int, 1))
DILATION = (("dilation_w", "DilationWFactor", int, 1), ("dilation_h", "DilationHFactor", int, 1))


def _reshape(b: flatbuffers.Builder, attrs: dict[str, Any]) -> tuple[int, int]:
    shape = attrs["new_shape"]
    tflite.ReshapeOptionsStartNewShapeVector(b, len(shape))
    for s in reversed(shape):
        b.PrependInt32(int(s))
    vec = b.EndVector()
    tflite.ReshapeOptionsStart(b)
    tflite.ReshapeOptionsAddNewShape(b, vec)
    return tflite.BuiltinOptions.ReshapeOptions, tflite.ReshapeOptionsEnd(b)


WRITERS: dict[str, OptionsWriter] = {
    "FULLY_CONNECTED": _table("FullyConnectedOptions", FUSED, ("keep_num_dims", "KeepNumDims", bool, False),
                              ("asymmetric_quantize_inputs", "AsymmetricQuantizeInputs", bool, False)),
    "CONV_2D": _table("Conv2DOptions", *WINDOW, FUSED, *DILATION),
    "DEPTHWISE_CONV_2D": _table("DepthwiseConv2DOptions", *WINDOW, ("depth_multiplier", "DepthMultiplier", int, 1),
                                FUSED, *DILATION),
    "MAX_POOL_2D": _table("Pool2DOptions", *WINDOW, ("filter_w", "FilterWidth", int, 1),
                          ("filter_h", "FilterHeight", int, 1), FUSED),
    "ADD": _table("AddOptions", FUSED),
    "SUB": _table("SubOptions", FUSED),
    "MUL": _table("MulOptions", FUSED),
    "DIV": _table("DivOptions", FUSED),
    "CONCATENATION": _table("ConcatenationOptions", ("axis", "Axis", int, 0), FUSED),
    "MEAN": _table("ReducerOptions", ("keep_dims", "KeepDims", bool, False)),
    "SOFTMAX": _table("SoftmaxOptions", ("beta", "Beta", float, 1.0)),
    "LOG_SOFTMAX": _table("LogSoftmaxOptions"),
    "LEAKY_RELU": _table("LeakyReluOptions", ("alpha", "Alpha", float, 0.2)),
    "GELU": _table("GeluOptions", ("approximate", "Approximate", bool, False)),
    "PAD": _table("PadOptions"),
    "TRANSPOSE": _table("TransposeOptions"),
    "HARD_SWISH": _table("HardSwishOptions"),
    "RESIZE_NEAREST_NEIGHBOR": _table("ResizeNearestNeighborOptions",
                                      ("align_corners", "AlignCorners", bool, False),
                                      ("half_pixel_centers", "HalfPixelCenters", bool, False)),
    "BATCH_MATMUL": _table("BatchMatMulOptions", ("adj_x", "AdjX", bool, False), ("adj_y", "AdjY", bool, False)),
    "GATHER": _table("GatherOptions", ("axis", "Axis", int, 0), ("batch_dims", "BatchDims", int, 0)),
    "MAXIMUM": _table("MaximumMinimumOptions"),
    "MINIMUM": _table("MaximumMinimumOptions"),
    "RESHAPE": _reshape,
    "TRANSPOSE_CONV": _table("TransposeConvOptions", *WINDOW, FUSED),
    "RESIZE_BILINEAR": _table("ResizeBilinearOptions", ("align_corners", "AlignCorners", bool, False),
                              ("half_pixel_centers", "HalfPixelCenters", bool, False)),
    "SPLIT_V": _table("SplitVOptions", ("num_splits", "NumSplits", int, 1)),
    "STRIDED_SLICE": _table("StridedSliceOptions", ("begin_mask", "BeginMask", int, 0),
                            ("end_mask", "EndMask", int, 0), ("ellipsis_mask", "EllipsisMask", int, 0),
                            ("new_axis_mask", "NewAxisMask", int, 0), ("shrink_axis_mask", "ShrinkAxisMask", int, 0),
                            ("offset", "Offset", bool, False)),
    "SELECT_V2": _table("SelectV2Options"),
    "CAST": _table("CastOptions", ("in_data_type", "InDataType", _tensor_type, None),
                   ("out_data_type", "OutDataType", _tensor_type, None)),
    "BROADCAST_TO": _table("BroadcastToOptions"),
    "SHAPE": _table("ShapeOptions", ("out_type", "OutType", _tensor_type, np.int32)),
    "EQUAL": _table("EqualOptions"),
    "NOT_EQUAL": _table("NotEqualOptions"),
    "LESS": _table("LessOptions"),
    "LESS_EQUAL": _table("LessEqualOptions"),
    "GREATER": _table("GreaterOptions"),
    "GREATER_EQUAL": _table("GreaterEqualOptions"),
}
WRITERS["AVERAGE_POOL_2D"] = WRITERS["MAX_POOL_2D"]
for _op in ("SUM", "REDUCE_MAX", "REDUCE_MIN"):
    WRITERS[_op] = WRITERS["MEAN"]


def write_options(b: flatbuffers.Builder, op: str, attrs: dict[str, Any]) -> tuple[int, int] | None:
    writer = WRITERS.get(op)
    return writer(b, attrs) if writer else None
