"""Calibration: run the optimised float graph over example inputs and record the range of every tensor.

The graph is executed by LiteRT with all intermediate tensors preserved (how TensorFlow's own calibrator
works), so the ranges are those of the very tensors the int8 file will hold, after BatchNorm folding, fusion
and layout conversion, whatever the passes did to the graph."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

import ember

from ..errors import ExportError
from ..ir import Graph, Value
from ..tflite import write_tflite
from .observers import Observer, make_observer
from .qparams import QuantParams


def _samples(data: Iterable[Any], batch: int) -> Iterable[np.ndarray]:
    """Arrays of the graph's batch size from an iterable of inputs, (input, label) pairs or DataLoader batches."""
    for item in data:
        x = item[0] if isinstance(item, (tuple, list)) else item
        x = x.cpu().data if isinstance(x, ember.Tensor) else np.asarray(x)
        for start in range(0, len(x) - batch + 1, batch):
            yield x[start:start + batch]


def input_layout(graph: Graph) -> Callable[[np.ndarray], np.ndarray] | None:
    """How to turn an input as the Ember model takes it (NCHW images) into the graph's input layout."""
    if graph.layouts.get(graph.inputs[0].name) == "NHWC":
        return lambda x: np.transpose(x, (0, 2, 3, 1))
    return None


def calibrate(graph: Graph, data: Iterable[Any], observer: str | Observer | type = "minmax",
              layout: Any = None, max_samples: int | None = None) -> dict[int, Observer]:
    """Observers (keyed by id of the graph's Values) of every float activation over `data`.

    `layout(x)` converts one model input (as the user's model takes it, e.g. NCHW) to the graph's input layout."""
    from ai_edge_litert.interpreter import Interpreter

    with warnings.catch_warnings():  # LiteRT warns that preserving tensors costs memory: that is the point here
        warnings.simplefilter("ignore", UserWarning)
        interpreter = Interpreter(model_content=write_tflite(graph), experimental_preserve_all_tensors=True)
    interpreter.allocate_tensors()
    by_name = {d["name"]: d["index"] for d in interpreter.get_tensor_details()}
    watched: dict[int, tuple[Value, int]] = {}
    for v in graph.values():
        if not v.is_constant and v.dtype == np.float32:
            if v.name not in by_name:
                raise ExportError(f"calibration: tensor '{v.name}' is missing from the float model")
            watched[id(v)] = (v, by_name[v.name])
    observers = {key: make_observer(observer) for key in watched}
    (graph_input,) = graph.inputs
    batch = graph_input.shape[0] if graph_input.shape else 1
    count = 0
    for x in _samples(data, batch):
        x = np.asarray(layout(x) if layout is not None else x, graph_input.dtype)
        if x.shape != graph_input.shape:
            raise ExportError(f"calibration input has shape {x.shape}, the model's input is {graph_input.shape}")
        interpreter.set_tensor(by_name[graph_input.name], x)
        interpreter.invoke()
        for key, (_, index) in watched.items():
            observers[key].observe(interpreter.get_tensor(index))
        count += 1
        if max_samples is not None and count * batch >= max_samples:
            break
    if count == 0:
        raise ExportError(
            "calibration data is empty: int8 export needs representative inputs, e.g. "
            "calibration=DataLoader(train_set, batch_size=1) or a list of example tensors"
        )
    return observers


def calibrated_params(graph: Graph, data: Iterable[Any], observer: str | Observer | type = "minmax",
                      ) -> Callable[[Value], QuantParams | None]:
    """`calibrate` the graph over `data` (model inputs as the Ember model takes them) and return the `params_of`
    that `quantize_graph` asks: each observed tensor's parameters, None for tensors calibration did not see."""
    observers = calibrate(graph, data, observer, layout=input_layout(graph))

    def params_of(v: Value) -> QuantParams | None:
        obs = observers.get(id(v))
        return obs.qparams() if obs is not None and obs.seen else None

    return params_of
