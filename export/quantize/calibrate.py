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


def _array(x: Any) -> np.ndarray:
    return x.cpu().data if isinstance(x, ember.Tensor) else np.asarray(x)


def _is_array(x: Any) -> bool:
    return isinstance(x, (ember.Tensor, np.ndarray))


def _fits(arrays: Any, shapes: list[tuple[int, ...]]) -> bool:
    """Whether `arrays` (a tuple/list) are one value per graph input: same count, each with the input's rank and
    the input's dims after the batch (dims are compared as the Ember model takes them, before the layout)."""
    return (isinstance(arrays, (tuple, list)) and len(arrays) == len(shapes)
            and all(_is_array(a) and tuple(np.shape(_array(a))[1:]) == s[1:] for a, s in zip(arrays, shapes,
                                                                                             strict=True)))


def sample_inputs(item: Any, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    """The model inputs in one calibration or evaluation item, for a graph whose inputs have logical `shapes`.

    One input: the item itself, or the first element of an (input, label) pair (as before). Several inputs: a
    tuple (x, mask), an ((x, mask), label) pair, or a flat (x, mask, label) DataLoader batch, told apart by the
    number of graph inputs and their shapes; anything else is refused naming the inputs the model takes."""
    if len(shapes) == 1:
        x = item[0] if isinstance(item, (tuple, list)) else item
        return [_array(x)]
    candidates = []
    if isinstance(item, (tuple, list)):
        candidates = [item, item[0] if item else None, item[:len(shapes)]]
    for c in candidates:
        if _fits(c, shapes):
            return [_array(a) for a in c]
    given = _describe(item)
    wanted = ", ".join(f"[N, {', '.join(map(str, s[1:]))}]" if len(s) > 1 else "[N]" for s in shapes)
    raise ExportError(
        f"a sample does not fit the model's {len(shapes)} inputs ({wanted}): got {given}. Give each sample as a "
        "tuple of inputs (x, mask), an ((x, mask), label) pair, or a (x, mask, label) DataLoader batch"
    )


def _describe(item: Any) -> str:
    if _is_array(item):
        return f"one array of shape {list(np.shape(_array(item)))}"
    if isinstance(item, (tuple, list)):
        return "(" + ", ".join(_describe(i) if isinstance(i, (tuple, list)) else
                               (str(list(np.shape(_array(i)))) if _is_array(i) else type(i).__name__)
                               for i in item) + ")"
    return type(item).__name__


def _samples(data: Iterable[Any], batch: int, shapes: list[tuple[int, ...]]) -> Iterable[list[np.ndarray]]:
    """Lists of arrays (one per graph input) of the graph's batch size from an iterable of inputs, (input, label)
    pairs, tuples of inputs or DataLoader batches."""
    for item in data:
        xs = sample_inputs(item, shapes)
        n = len(xs[0]) if xs[0].ndim else 1
        if any((len(x) if x.ndim else 1) != n for x in xs):
            raise ExportError(f"the inputs of a sample have different batch sizes {[len(x) for x in xs]}")
        if xs[0].ndim == 0:
            yield xs
            continue
        for start in range(0, n - batch + 1, batch):
            yield [x[start:start + batch] for x in xs]


def input_layouts(graph: Graph) -> list[Callable[[np.ndarray], np.ndarray] | None]:
    """How to turn each input as the Ember model takes it (NCHW images) into the graph's input layout."""
    return [(lambda x: np.transpose(x, (0, 2, 3, 1))) if graph.layouts.get(v.name) == "NHWC" else None
            for v in graph.inputs]


def input_layout(graph: Graph) -> Callable[[np.ndarray], np.ndarray] | None:
    """How to turn the first input as the Ember model takes it into the graph's input layout."""
    return input_layouts(graph)[0]


def logical_shapes(graph: Graph) -> list[tuple[int, ...]]:
    """The graph inputs' shapes as the Ember model takes them (NCHW for an image stored NHWC)."""
    return [(s[0], s[3], s[1], s[2]) if graph.layouts.get(v.name) == "NHWC" and len(s) == 4 else s
            for v in graph.inputs for s in [tuple(v.shape)]]


def calibrate(graph: Graph, data: Iterable[Any], observer: str | Observer | type = "minmax",
              layout: Any = None, max_samples: int | None = None) -> dict[int, Observer]:
    """Observers (keyed by id of the graph's Values) of every float activation over `data`.

    `layout(x)` converts one model input (as the user's model takes it, e.g. NCHW) to the graph's input layout; a
    list gives one per input (default: the graph's own layouts)."""
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
    layouts = layout if isinstance(layout, (list, tuple)) else (
        [layout] + [None] * (len(graph.inputs) - 1) if layout is not None else input_layouts(graph))
    shapes = logical_shapes(graph)
    batch = graph.inputs[0].shape[0] if graph.inputs[0].shape else 1
    count = 0
    for xs in _samples(data, batch, shapes):
        for v, x, to_layout in zip(graph.inputs, xs, layouts, strict=True):
            x = np.asarray(to_layout(x) if to_layout is not None else x, v.dtype)
            if x.shape != v.shape:
                raise ExportError(f"calibration input '{v.name}' has shape {x.shape}, the model's input is "
                                  f"{v.shape}")
            interpreter.set_tensor(by_name[v.name], x)
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
                      from_range: Callable[[float, float], QuantParams] | None = None,
                      ) -> Callable[[Value], QuantParams | None]:
    """`calibrate` the graph over `data` (model inputs as the Ember model takes them) and return the `params_of`
    that `quantize_graph` asks: each observed tensor's parameters (int8 ones, or what `from_range` makes of the
    observed range, e.g. int16 for 16x8), None for tensors calibration did not see."""
    observers = calibrate(graph, data, observer)

    def params_of(v: Value) -> QuantParams | None:
        obs = observers.get(id(v))
        if obs is None or not obs.seen:
            return None
        return obs.qparams() if from_range is None else from_range(*obs.range())

    return params_of
