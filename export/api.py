"""The exporter's entry points: `to_tflite(model, example_input, path)`."""

from __future__ import annotations

import os
from typing import Any

import ember
from ember.nn import Module

from . import lowering, passes
from .files import write_atomically
from .ir import Graph
from .tflite import write_tflite
from .tracer import trace


def to_graph(model: Module, example_input: Any) -> Graph:
    """Trace, lower to TFLite ops and optimise: the graph the writers serialise."""
    return passes.optimize(lowering.lower(trace(model, example_input)))


def to_tflite(model: Module, example_input: Any, path: str | os.PathLike, *, name: str | None = None,
              labels: list[str] | None = None, normalization: dict[str, Any] | None = None) -> Graph:
    """Export `model` as a float32 `.tflite` file at `path`; returns the exported graph.

    `labels` and `normalization` (e.g. {"mean": [...], "std": [...]}) go into the file's "ember" metadata, so an
    app can read how to prepare inputs and name outputs."""
    graph = to_graph(model, example_input)
    graph.name = name or graph.name
    metadata = {
        "model_name": graph.name,
        "labels": list(labels or []),
        "input_normalization": normalization or {},
        "layout": "NCHW" if len(graph.inputs[0].shape) == 4 else "none",
        "ember_version": ember.__version__,
    }
    write_atomically(path, write_tflite(graph, metadata, description=f"ember {ember.__version__}"))
    return graph
