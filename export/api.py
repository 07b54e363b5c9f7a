"""The exporter's entry points: `to_tflite(model, example_input, path)`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

import ember
from ember.files import write_atomically
from ember.nn import Module

from . import lowering, passes
from .errors import ExportError
from .ir import Graph, Value
from .quantize.calibrate import calibrate
from .quantize.observers import Observer
from .quantize.ptq import quantize_graph
from .quantize.qparams import QuantParams
from .tflite import write_tflite
from .tracer import trace


def to_graph(model: Module, example_input: Any) -> Graph:
    """Trace, lower to TFLite ops and optimise: the graph the writers serialise."""
    return passes.optimize(lowering.lower(passes.simplify(trace(model, example_input))))


def _describe(graph: Graph, value: Value) -> dict[str, Any]:
    """How an app feeds or reads a tensor: images are NHWC in the `.tflite` (TFLite's convention)."""
    return {"name": value.name, "shape": list(value.shape), "dtype": value.dtype.name,
            "layout": graph.layouts.get(value.name, "none")}


def input_layout(graph: Graph) -> Callable[[np.ndarray], np.ndarray] | None:
    """How to turn an input as the Ember model takes it (NCHW images) into the graph's input layout."""
    if graph.layouts.get(graph.inputs[0].name) == "NHWC":
        return lambda x: np.transpose(x, (0, 2, 3, 1))
    return None


def to_tflite(model: Module, example_input: Any, path: str | os.PathLike, *, name: str | None = None,
              labels: list[str] | None = None, normalization: dict[str, Any] | None = None,
              quantize: str | None = None, calibration: Iterable[Any] | None = None,
              observer: str | Observer | type = "minmax", io: str = "int8",
              params_of: Callable[[Value], QuantParams | None] | None = None) -> Graph:
    """Export `model` as a `.tflite` file at `path`; returns the exported graph.

    float32 by default. `quantize="int8"` writes TFLite's int8 scheme: activation ranges come from running the
    float graph over `calibration` (any iterable of example inputs, (input, label) pairs or a DataLoader) with
    `observer` ("minmax", "moving_average", "percentile", "mse" or an Observer); `io="int8"` makes the model's
    input and output int8, `io="float"` keeps them float32 with QUANTIZE/DEQUANTIZE inside the file.
    `labels` and `normalization` (e.g. {"mean": [...], "std": [...]}) go into the file's "ember" metadata, so an
    app can read how to prepare inputs and name outputs."""
    graph = to_graph(model, example_input)
    graph.name = name or graph.name
    if quantize is not None:
        graph = _quantize(graph, quantize, calibration, observer, io, params_of)
    elif calibration is not None:
        raise ExportError("calibration data was given without quantize='int8': pass quantize='int8' to use it")
    write_model(graph, path, labels=labels, normalization=normalization, quantization=quantize or "none")
    return graph


def write_model(graph: Graph, path: str | os.PathLike, *, labels: list[str] | None = None,
                normalization: dict[str, Any] | None = None, quantization: str = "none") -> bytes:
    """Write a lowered graph as `.tflite` at `path`, atomically, with the "ember" metadata and the runtime's memory
    plan as "OfflineMemoryAllocation" (TFLite Micro's layout; LiteRT ignores it). Returns the file's bytes."""
    metadata = {
        "model_name": graph.name,
        "labels": list(labels or []),
        "input_normalization": normalization or {},
        "layout": graph.layouts.get(graph.inputs[0].name, "none"),
        "inputs": [_describe(graph, v) for v in graph.inputs],
        "outputs": [_describe(graph, v) for v in graph.outputs],
        "quantization": quantization,
        "ember_version": ember.__version__,
    }
    description = f"ember {ember.__version__}"
    content = write_tflite(graph, metadata, description=description)
    plan = memory_plan(content)
    if plan is not None:
        content = write_tflite(graph, metadata, description=description,
                               extra_metadata={"OfflineMemoryAllocation": plan})
    write_atomically(path, content)
    return content


def memory_plan(content: bytes) -> bytes | None:
    """The runtime's arena plan for a model as "OfflineMemoryAllocation" bytes; None when the runtime cannot run
    the model (then it plans at load time, as for any file without a plan)."""
    from ember.runtime import Interpreter, RuntimeModelError

    try:
        interpreter = Interpreter(model_content=content)
    except RuntimeModelError:
        return None
    return interpreter.offline_plan_metadata(interpreter.memory_plan()["offsets"])


def _quantize(graph: Graph, scheme: str, calibration: Iterable[Any] | None, observer: Any, io: str,
              params_of: Callable[[Value], QuantParams | None] | None) -> Graph:
    if scheme != "int8":
        raise ExportError(f"quantize={scheme!r} is not supported: Ember writes TFLite's int8 scheme (quantize='int8')")
    if params_of is None:
        if calibration is None:
            raise ExportError(
                "int8 export needs calibration data to choose activation ranges: pass calibration= an iterable of "
                "example inputs or a DataLoader (a few hundred samples of the training set is typical)"
            )
        observers = calibrate(graph, calibration, observer, layout=input_layout(graph))

        def params_of(v: Value) -> QuantParams | None:
            obs = observers.get(id(v))
            return obs.qparams() if obs is not None and obs.seen else None

    return quantize_graph(graph, params_of, io=io)
