"""Builtin options tables, one builder per op: (flatbuffers.Builder, attrs) -> (BuiltinOptions type, offset)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flatbuffers
import tflite

from .schema import ACTIVATIONS

OptionsWriter = Callable[[flatbuffers.Builder, dict[str, Any]], tuple[int, int]]


def _fully_connected(b: flatbuffers.Builder, attrs: dict[str, Any]) -> tuple[int, int]:
    tflite.FullyConnectedOptionsStart(b)
    tflite.FullyConnectedOptionsAddFusedActivationFunction(b, ACTIVATIONS[attrs.get("fused_activation", "NONE")])
    tflite.FullyConnectedOptionsAddKeepNumDims(b, bool(attrs.get("keep_num_dims", False)))
    return tflite.BuiltinOptions.FullyConnectedOptions, tflite.FullyConnectedOptionsEnd(b)


def _softmax(b: flatbuffers.Builder, attrs: dict[str, Any]) -> tuple[int, int]:
    tflite.SoftmaxOptionsStart(b)
    tflite.SoftmaxOptionsAddBeta(b, float(attrs.get("beta", 1.0)))
    return tflite.BuiltinOptions.SoftmaxOptions, tflite.SoftmaxOptionsEnd(b)


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
    "FULLY_CONNECTED": _fully_connected,
    "SOFTMAX": _softmax,
    "RESHAPE": _reshape,
}


def write_options(b: flatbuffers.Builder, op: str, attrs: dict[str, Any]) -> tuple[int, int] | None:
    writer = WRITERS.get(op)
    return writer(b, attrs) if writer else None
