"""The `.tflite` file Ember writes: the flatbuffer of a lowered graph with the "ember" metadata (name, labels,
input normalisation, tensor layouts) and the runtime's memory plan as "OfflineMemoryAllocation", written
atomically. `to_tflite` and QAT's `convert` both end here."""

from __future__ import annotations

import os
from typing import Any

import ember
from ember.files import write_atomically

from ..ir import Graph, Value
from .writer import write_tflite


def _describe(graph: Graph, value: Value) -> dict[str, Any]:
    """How an app feeds or reads a tensor: images are NHWC in the `.tflite` (TFLite's convention)."""
    described = {"name": value.name, "shape": list(value.shape), "dtype": value.dtype.name,
                 "layout": graph.layouts.get(value.name, "none")}
    if graph.dynamic_batch:
        described["shape_signature"] = [-1 if d == value.batch_dim else s for d, s in enumerate(value.shape)]
    return described


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
        "dynamic_batch": graph.dynamic_batch,
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


__all__ = ["memory_plan", "write_model"]
