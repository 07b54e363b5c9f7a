"""Quantisation-aware training, the graph side: a model `qat_prepare.prepare_qat` prepared and the user trained
becomes the int8 TFLite graph. Tracing folds the weights' fake quantisation (they are on the int8 grid already),
`strip_fake_quant` takes the activations' parameters from their FakeQuantize nodes and removes them, and
`quantize_graph` quantises the lowered graph with those parameters; `convert` writes the file."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import numpy as np

from ember import nn

from .. import lowering, passes
from ..errors import ExportError
from ..ir import Graph, Value
from ..tflite import write_model
from ..tracer import trace, warn_unused_inputs
from .calibrate import calibrated_params
from .fake_quant import FakeQuantize
from .observers import Observer
from .ptq import FIXED_OUTPUT, SHARES_INPUT, quantize_graph
from .qparams import INT8_MAX, INT8_MIN, QuantParams


def strip_fake_quant(graph: Graph) -> dict[int, QuantParams]:
    """Remove the activation FakeQuantize nodes of a traced (and constant-folded) graph; returns the parameters
    of the values they rounded, keyed by id of the Value (lowering keeps the Value objects).

    Weight FakeQuantize nodes have constant inputs and are gone already: fold_constants computed them."""
    params: dict[int, QuantParams] = {}
    for node in [n for n in graph.nodes if n.op == FakeQuantize.__name__]:
        x, scale, zero_point = node.inputs
        if not (scale.is_constant and zero_point.is_constant) or node.attrs.get("axis") is not None:
            raise ExportError(f"FakeQuantize in module '{node.scope or '<top>'}' is per channel or has computed "
                              "parameters on an activation: int8 activations are quantised per tensor")
        if (node.attrs["qmin"], node.attrs["qmax"]) != (INT8_MIN, INT8_MAX):
            raise ExportError(f"FakeQuantize in module '{node.scope or '<top>'}' rounds to "
                              f"[{node.attrs['qmin']}, {node.attrs['qmax']}]; int8 activations use [-128, 127]")
        out = node.outputs[0]
        params[id(x)] = QuantParams.per_tensor(float(scale.data.reshape(-1)[0]), int(zero_point.data.reshape(-1)[0]))
        graph.nodes.remove(node)
        graph.replace_uses(out, x)
    return params


def _missing(graph: Graph, params: dict[int, QuantParams]) -> list[tuple[Value, str]]:
    """Float activations quantize_graph will ask parameters for that fake quantisation did not give."""
    wanted = [(v, "the graph input") for v in graph.inputs if v.dtype == np.float32]
    wanted += [(out, f"{n.op} in module '{n.scope or '<top>'}'") for n in graph.nodes
               if n.op not in FIXED_OUTPUT and n.op not in SHARES_INPUT for out in n.outputs if out.dtype == np.float32]
    return [(v, where) for v, where in wanted if id(v) not in params]


def quantize_lowered(graph: Graph, params: dict[int, QuantParams], calibration: Iterable[Any] | None = None,
                     observer: str | Observer | type = "minmax", io: str = "int8") -> Graph:
    """`quantize_graph` of a lowered, optimised QAT graph with the parameters `strip_fake_quant` recorded;
    `calibration` fills in tensors no fake quantisation covered, else they are refused with their names."""
    missing = _missing(graph, params)
    if missing and calibration is not None:
        calibrated = calibrated_params(graph, calibration, observer)
        for v, _ in missing:
            p = calibrated(v)
            if p is not None:
                params[id(v)] = p
        missing = _missing(graph, params)
    if missing:
        names = "; ".join(f"'{v.name}' ({where})" for v, where in missing[:5])
        raise ExportError(
            f"{len(missing)} int8 tensor(s) have no fake quantisation: {names}. They come from functional ops "
            "inside a forward(); move the op into its own module (prepare_qat rounds module outputs), or pass "
            "convert(..., calibration=data) to calibrate just these"
        )
    return quantize_graph(graph, lambda v: params.get(id(v)), io=io)


def traced_qat_graph(model: nn.Module, example_input: Any) -> tuple[Graph, dict[int, QuantParams]]:
    """The traced graph of a QAT model (eval mode) with its weights' fake quantisation folded and the activations'
    FakeQuantize nodes removed, and the parameters those nodes held."""
    graph = passes.simplify(trace(model, example_input))
    warn_unused_inputs(graph)
    params = strip_fake_quant(graph)
    if not params:
        raise ExportError("the model has no fake quantisation: prepare it with prepare_qat and train it, or export "
                          "a float model with to_tflite(..., quantize='int8', calibration=...)")
    return graph, params


def qat_graph(model: nn.Module, example_input: Any, calibration: Iterable[Any] | None = None,
              observer: str | Observer | type = "minmax", io: str = "int8", dynamic_batch: bool = False) -> Graph:
    """The int8 TFLite graph of a QAT model: trace, fold the weights' fake quantisation, take the activations'
    parameters from their FakeQuantize nodes, lower, optimise and quantise (`dynamic_batch` as in to_tflite)."""
    if not dynamic_batch:
        graph, params = traced_qat_graph(model, example_input)
        return quantize_lowered(passes.optimize(lowering.lower(graph)), params, calibration, observer, io)
    from ..dynamic_batch import at_batch, batch_sizes, declare_batch, mark_batch

    batch, b1, b2 = batch_sizes(example_input)
    graph, params = traced_qat_graph(model, at_batch(example_input, b1))
    other, _ = traced_qat_graph(model, at_batch(example_input, b2))
    lowered = mark_batch(passes.optimize(lowering.lower(graph)), passes.optimize(lowering.lower(other)), b1, b2)
    return quantize_lowered(declare_batch(lowered, batch), params, calibration, observer, io)


def convert(model: nn.Module, example_input: Any, path: str | os.PathLike, *, io: str = "int8",
            calibration: Iterable[Any] | None = None, observer: str | Observer | type = "minmax",
            name: str | None = None, labels: list[str] | None = None,
            normalization: dict[str, Any] | None = None, dynamic_batch: bool = False) -> Graph:
    """Write the QAT-trained `model` as an int8 `.tflite` at `path` (arguments as `to_tflite`); returns the graph.

    Weights are the fake-quantised (BatchNorm-folded) weights, on the int8 grid already; activation parameters are
    those the fake-quant modules hold. `calibration` is only for tensors no fake-quant covers (see `qat_graph`).
    `dynamic_batch=True` makes the file valid for any batch size, as `to_tflite(..., dynamic_batch=True)`."""
    graph = qat_graph(model, example_input, calibration, observer, io, dynamic_batch)
    graph.name = name or graph.name
    write_model(graph, path, labels=labels, normalization=normalization, quantization="int8")
    return graph


__all__ = ["convert", "qat_graph", "quantize_lowered", "strip_fake_quant", "traced_qat_graph"]
