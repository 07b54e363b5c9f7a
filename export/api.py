"""The exporter's entry points: `to_graph(model, example_input)` and `to_tflite(model, example_input, path)`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ember.nn import Module

from . import lowering, passes
from .dynamic_batch import at_batch, batch_sizes, declare_batch, mark_batch
from .errors import ExportError
from .ir import Graph, Value
from .quantize.calibrate import calibrated_params
from .quantize.dynamic_range import dynamic_range_weights
from .quantize.float16 import float16_weights
from .quantize.observers import Observer
from .quantize.ptq import INT8, INT16X8, quantize_graph
from .quantize.qparams import QuantParams
from .tflite import write_model
from .tracer import trace, warn_unused_inputs


def to_graph(model: Module, example_input: Any, *, dynamic_batch: bool = False) -> Graph:
    """Trace, lower to TFLite ops and optimise: the graph the writers serialise. `example_input` is one tensor or
    a tuple of tensors (one per positional argument of forward()). With `dynamic_batch`, dim 0 of every input is
    the batch and the graph is valid for any batch size (see dynamic_batch.py), or ExportError says why not."""
    if not dynamic_batch:
        return _lowered(model, example_input)
    batch, b1, b2 = batch_sizes(example_input)
    first = _lowered(model, at_batch(example_input, b1))
    second = _lowered(model, at_batch(example_input, b2), warn=False)
    return declare_batch(mark_batch(first, second, b1, b2), batch)


def _lowered(model: Module, example_input: Any, warn: bool = True) -> Graph:
    traced = passes.simplify(trace(model, example_input))
    if warn:
        warn_unused_inputs(traced)
    return passes.optimize(lowering.lower(traced))


def to_tflite(model: Module, example_input: Any, path: str | os.PathLike, *, name: str | None = None,
              labels: list[str] | None = None, normalization: dict[str, Any] | None = None,
              quantize: str | None = None, calibration: Iterable[Any] | None = None,
              observer: str | Observer | type = "minmax", io: str | None = None,
              params_of: Callable[[Value], QuantParams | None] | None = None, dynamic_batch: bool = False,
              float_fallback: bool = False) -> Graph:
    """Export `model` as a `.tflite` file at `path`; returns the exported graph.

    `example_input` is one tensor, or a tuple of tensors for a forward() with several arguments (`(x, mask)`:
    one file input per argument, in order, named after forward()'s parameters). `dynamic_batch=True` writes dim 0
    of every input, and of every tensor that carries the batch, as -1 in the shape signature (TensorFlow's
    converter does the same), so `resize_tensor_input(i, [n, ...])` works for any n; graphs that mix the batch
    into other dims are refused.

    float32 by default. `quantize="float16"` stores the weights as float16 (half the file; DEQUANTIZE to float32
    at load, TensorFlow's float16 quantisation). `quantize="int8"` writes TFLite's int8 scheme: activation ranges
    come from running the float graph over `calibration` (any iterable of example inputs, (input, label) pairs or a
    DataLoader) with `observer` ("minmax", "moving_average", "percentile", "mse" or an Observer); `io="int8"` (the
    default) makes the model's input and output int8, `io="float"` keeps them float32 with QUANTIZE/DEQUANTIZE
    inside the file. `quantize="int16x8"` is TensorFlow's 16x8 scheme, calibrated the same way: int16 activations
    (symmetric, zero point 0), int8 weights, int64 biases; `io="int16"` (the default) or `io="float"`.
    `quantize="dynamic"` is dynamic-range quantisation: int8 weights for FULLY_CONNECTED, CONV_2D and
    DEPTHWISE_CONV_2D weights of 1024 elements or more, float32 activations, no calibration (hybrid kernels).
    An op without an int8 (16x8) rule is refused by name, unless `float_fallback=True`: it then runs in float32
    between a DEQUANTIZE and a QUANTIZE, as TensorFlow's converter does with TFLITE_BUILTINS allowed.
    `labels` and `normalization` (e.g. {"mean": [...], "std": [...]}) go into the file's "ember" metadata, so an
    app can read how to prepare inputs and name outputs."""
    graph = to_graph(model, example_input, dynamic_batch=dynamic_batch)
    graph.name = name or graph.name
    if quantize is not None:
        graph = _quantize(graph, quantize, calibration, observer, io, params_of, float_fallback)
    elif calibration is not None:
        raise ExportError("calibration data was given without quantize='int8': pass quantize='int8' to use it")
    write_model(graph, path, labels=labels, normalization=normalization, quantization=quantize or "none")
    return graph


SCHEMES = {"int8": INT8, "int16x8": INT16X8}
WEIGHT_ONLY = {"float16": float16_weights, "dynamic": dynamic_range_weights}


def _quantize(graph: Graph, scheme: str, calibration: Iterable[Any] | None, observer: Any, io: str | None,
              params_of: Callable[[Value], QuantParams | None] | None, float_fallback: bool = False) -> Graph:
    if scheme in WEIGHT_ONLY:
        if calibration is not None or params_of is not None:
            raise ExportError(f"quantize={scheme!r} quantises weights only and needs no calibration data: drop "
                              "calibration= (or use quantize='int8')")
        if io not in (None, "float"):
            raise ExportError(f"quantize={scheme!r} keeps float32 inputs and outputs: drop io={io!r}")
        return WEIGHT_ONLY[scheme](graph)
    if scheme not in SCHEMES:
        raise ExportError(f"quantize={scheme!r} is not supported: use 'int8' (TFLite's int8 scheme, calibrated), "
                          "'int16x8' (int16 activations, int8 weights, calibrated), 'dynamic' (int8 weights, float "
                          "activations) or 'float16' (float16 weights, float32 arithmetic)")
    rules = SCHEMES[scheme]
    integer = np.dtype(rules.dtype).name
    io = io or integer
    if io not in (integer, "float"):
        raise ExportError(f"quantize={scheme!r} takes io={integer!r} or io='float', not io={io!r}")
    if params_of is None:
        if calibration is None:
            raise ExportError(
                f"{scheme} export needs calibration data to choose activation ranges: pass calibration= an iterable "
                "of example inputs or a DataLoader (a few hundred samples of the training set is typical)"
            )
        params_of = calibrated_params(graph, calibration, observer,
                                      None if rules is INT8 else rules.from_range)
    elif rules is not INT8:
        raise ExportError(f"params_of= (QAT's ranges) gives int8 parameters: quantize={scheme!r} is calibrated "
                          "post-training, pass calibration= instead")
    return quantize_graph(graph, params_of, io=io, scheme=rules, float_fallback=float_fallback)
