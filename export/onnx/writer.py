"""`to_onnx(model, example_input, path)`: trace, fold constants, map each Ember op with `rules.RULES`, check the
model with `onnx.checker` and write it atomically. ONNX keeps Ember's NCHW layout: no layout pass."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

import ember
from ember.files import write_atomically
from ember.nn import Module

from .. import lowering, passes
from ..errors import ExportError
from ..ir import Graph, Node, Value
from ..tracer import trace, warn_unused_inputs
from .rules import RULES, OnnxBuilder

if TYPE_CHECKING:
    from ..quantize.observers import Observer

OPSET = 17


def _value_info(v: Value) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(v.name, helper.np_dtype_to_tensor_dtype(np.dtype(v.dtype)), list(v.shape))


def apply_rule(b: OnnxBuilder, node: Node) -> None:
    RULES.apply(b, node)


def write_onnx(graph: Graph, opset: int = OPSET) -> bytes:
    """The `.onnx` bytes of a traced (not lowered) graph."""
    b = OnnxBuilder(opset)
    for node in graph.nodes:
        apply_rule(b, node)
    return finish(b, graph)


def finish(b: OnnxBuilder, graph: Graph) -> bytes:
    """The model of the nodes `b` holds, with the initializers they use, checked by onnx.checker."""
    opset = b.opset
    used = {name for n in b.nodes for name in n.input}  # rules may replace a weight (e.g. Linear's, transposed)
    constants = {v.name: v for n in graph.nodes for v in n.inputs if v is not None and v.is_constant}
    initializers = [numpy_helper.from_array(np.asarray(v.data), name) for name, v in constants.items() if name in used]
    initializers += [t for t in b.initializers if t.name in used]
    onnx_graph = helper.make_graph(b.nodes, graph.name, [_value_info(v) for v in graph.inputs],
                                   [_value_info(v) for v in graph.outputs], initializer=initializers)
    model = helper.make_model(onnx_graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="ember", producer_version=ember.__version__)
    model.ir_version = min(model.ir_version, 8)  # readable by onnxruntime releases of the last years
    onnx.checker.check_model(model, full_check=True)
    return model.SerializeToString()


def int8_graphs(model: Module, example_input: Any, calibration: Iterable[Any] | None,
                observer: str | Observer | type) -> tuple[Graph, Graph]:
    """(traced graph to write as QDQ ONNX, the int8 TFLite graph whose parameters it takes), from one trace: a QAT
    model's FakeQuantize nodes hold the parameters, a float model's come from calibrating the lowered graph."""
    from ..quantize.calibrate import calibrated_params
    from ..quantize.ptq import quantize_graph
    from ..quantize.qat_convert import quantize_lowered, strip_fake_quant

    graph = passes.simplify(trace(model, example_input))
    warn_unused_inputs(graph)
    fake_quant = strip_fake_quant(graph)
    traced = graph.copy()
    lowered = passes.optimize(lowering.lower(graph))
    if fake_quant:
        return traced, quantize_lowered(lowered, fake_quant, calibration, observer)
    if calibration is None:
        raise ExportError("int8 ONNX export needs calibration data to choose activation ranges: pass calibration= "
                          "an iterable of example inputs or a DataLoader (or export a QAT model)")
    return traced, quantize_graph(lowered, calibrated_params(lowered, calibration, observer), io="int8")


def to_onnx(model: Module, example_input: Any, path: str | os.PathLike, *, opset: int = OPSET,
            quantize: str | None = None, calibration: Iterable[Any] | None = None,
            observer: str | Observer | type = "minmax", dynamic_batch: bool = False) -> Graph:
    """Export `model` (eval mode) as an NCHW `.onnx` file at `path`; returns the traced, folded graph.

    `example_input` is one tensor or a tuple of tensors (one graph input per positional argument of forward(),
    named after its parameter). `quantize="int8"` writes QuantizeLinear/DequantizeLinear pairs with the parameters
    of the int8 `.tflite` (`to_tflite(..., quantize="int8")` with the same `calibration` and `observer`, or a QAT
    model's own): see `qdq.py`. The returned graph is then the one written, BatchNorm folded, without the Q/DQ
    pairs. `dynamic_batch=True` makes dim 0 of the inputs and outputs the symbolic dim 'batch' and the shapes
    inside batch-free (see dynamic_batch.py), or raises ExportError naming what holds the batch."""
    if quantize is not None:
        if quantize != "int8":
            raise ExportError(f"quantize={quantize!r} is not supported: Ember writes int8 (quantize='int8')")
        from .qdq import write_onnx_qdq

        traced, int8 = int8_graphs(model, example_input, calibration, observer)
        data = write_onnx_qdq(traced, int8, opset)
        if dynamic_batch:  # the same parameters (by tensor name) on the graphs traced at two other batch sizes
            data = _batch_free(model, example_input, lambda g: write_onnx_qdq(g, int8, opset), data)
        write_atomically(path, data)
        return traced
    if calibration is not None:
        raise ExportError("calibration data was given without quantize='int8': pass quantize='int8' to use it")
    graph = passes.simplify(trace(model, example_input))
    warn_unused_inputs(graph)
    if any(n.op == "FakeQuantize" for n in graph.nodes):
        raise ExportError("the model has fake quantisation (prepare_qat): export it with quantize='int8'")
    for value in graph.values():
        if value.dtype == np.float64:
            raise ExportError(f"tensor '{value.name}' is float64: export float32 models (call model.float())")
    data = write_onnx(graph, opset)
    if dynamic_batch:
        data = _batch_free(model, example_input, lambda g: write_onnx(g, opset), data)
    write_atomically(path, data)
    return graph


def _traced(model: Module, example_input: Any) -> Graph:
    from ..quantize.qat_convert import strip_fake_quant

    graph = passes.simplify(trace(model, example_input))
    strip_fake_quant(graph)  # a QAT model's: int8_graphs strips them the same way
    return graph


def _batch_free(model: Module, example_input: Any, write: Any, declared: bytes) -> bytes:
    """The model written by `write` at two batch sizes, compared into one with a symbolic batch dim."""
    from ..dynamic_batch import at_batch, batch_free_onnx, batch_sizes

    _, b1, b2 = batch_sizes(example_input)
    m1, m2 = (onnx.load_from_string(write(_traced(model, at_batch(example_input, b)))) for b in (b1, b2))
    ops = [n.op_type for n in onnx.load_from_string(declared).graph.node]
    if [n.op_type for n in m1.graph.node] != ops:
        raise ExportError(f"dynamic_batch=True: the ONNX graph at batch {b1} differs from the one at the example's "
                          "batch: forward() depends on the batch size; export with a fixed batch")
    model_proto = batch_free_onnx(m1, m2, b1, b2)
    onnx.checker.check_model(model_proto, full_check=True)
    return model_proto.SerializeToString()
