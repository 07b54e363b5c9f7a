"""ONNX int8 export in QDQ form: float ops between QuantizeLinear/DequantizeLinear pairs, with the parameters of
the int8 `.tflite` Ember writes for the same model, so both files round at the same tensors to the same grids.

The int8 TFLite graph is built first (`writer.int8_graphs`: PTQ with calibration, or from a QAT model's fake
quantisation); every activation it holds that the traced graph also holds (same name) gets a QuantizeLinear ->
DequantizeLinear pair after its producer: int8 per tensor. Conv and Gemm/MatMul weights are int8 symmetric per
output channel (a DequantizeLinear with `axis`), their biases int32 with scale s_in * s_w[c] (a DequantizeLinear
too), computed by `quantize_weights` / `quantize_bias` after folding BatchNorm with the TFLite exporter's own
arithmetic (`passes.fold_batchnorm_traced`). Ops between pairs (a conv's fused ReLU, a BatchNorm with no conv
before it) stay float, where TFLite also keeps no int8 tensor. onnxruntime fuses these patterns into its int8
kernels (QLinearConv, ...) or computes them in float on the dequantised values; either way it differs from
TFLite only by the rounding of requantisation (a few LSBs)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ExportError
from ..ir import Graph, Node, Value
from ..passes import fold_batchnorm_traced
from ..quantize.qparams import QuantParams, quantize_bias, quantize_weights
from .rules import OnnxBuilder
from .writer import OPSET, apply_rule, finish

LAYERS = ("Conv2d", "Linear")  # the layers written with int8 weights and an int32 bias


class QdqWriter:
    def __init__(self, graph: Graph, params: dict[str, QuantParams], opset: int) -> None:
        self.graph, self.b = graph, OnnxBuilder(opset)
        self.pairs: dict[int, tuple[str, Value, QuantParams]] = {}  # id(float value) -> (its name, DQ value, params)
        self.input_params: dict[int, QuantParams] = {}  # id(DQ value) -> params, for the layers' bias scale
        for v in graph.values():
            p = params.get(v.name)
            if v.is_constant or p is None or v.dtype != np.float32:
                continue
            public = v.name
            if any(v is i for i in graph.inputs):
                dq = Value(graph.unique_name(f"{public}/dequantized"), v.shape, v.dtype)
            else:  # the DQ output takes over the public name (the graph output's, when it is one)
                v.name = graph.unique_name(f"{public}/float")
                dq = Value(public, v.shape, v.dtype)
            graph.replace_uses(v, dq)
            self.pairs[id(v)] = (v.name, dq, p)
            self.input_params[id(dq)] = p

    def scalar(self, base: str, data: Any) -> str:
        return self.b.const(base, np.asarray(data))

    def quantize_dequantize(self, v: Value) -> None:
        source, dq, p = self.pairs[id(v)]
        scale = self.scalar(f"{dq.name}/scale", np.float32(p.scale[0]))
        zero_point = self.scalar(f"{dq.name}/zero_point", np.int8(p.zero_point[0]))
        q = self.b.add("QuantizeLinear", [source, scale, zero_point], [f"{dq.name}/quantized"])
        self.b.add("DequantizeLinear", [q, scale, zero_point], [dq.name])

    def dequantized_constant(self, base: str, q: np.ndarray, scale: np.ndarray, axis: int) -> str:
        zero_point = np.zeros(scale.shape, q.dtype)
        return self.b.add("DequantizeLinear", [self.b.const(f"{base}/quantized", q), self.b.const(
            f"{base}/scale", scale.astype(np.float32)), self.b.const(f"{base}/zero_point", zero_point)],
                          [self.b.fresh(f"{base}/dequantized")], axis=axis)

    def layer(self, node: Node) -> bool:
        """A Conv2d / Linear with int8 weights and int32 bias; False when its input or weight is not int8-able."""
        x, w = node.inputs[0], node.inputs[1]
        bias = node.inputs[2] if len(node.inputs) > 2 else None
        p = self.input_params.get(id(x))
        if p is None or not w.is_constant or (bias is not None and not bias.is_constant):
            return False
        qw, wp = quantize_weights(w.data, 0)
        weight = self.dequantized_constant(w.name, qw, wp.scale, 0)
        names = [x.name, weight]
        if bias is not None:
            qb, bp = quantize_bias(bias.data, float(p.scale[0]), wp.scale)
            names.append(self.dequantized_constant(bias.name, qb, bp.scale, 0))
        if node.op == "Conv2d":
            shadow = Node(node.op, [Value(n, v.shape, np.float32) for n, v in zip(names, node.inputs, strict=False)],
                          node.outputs, node.attrs, node.scope)
            apply_rule(self.b, shadow)
        elif len(x.shape) == 2:
            self.b.add("Gemm", names, [node.outputs[0].name], transB=1)
        else:  # x (..., in) @ W^T: the transposed int8 weight keeps its output channels on axis 1
            wt = self.dequantized_constant(f"{w.name}/T", np.ascontiguousarray(qw.T), wp.scale, 1)
            if bias is None:
                self.b.add("MatMul", [x.name, wt], [node.outputs[0].name])
            else:
                self.b.add("Add", [self.b.add("MatMul", [x.name, wt]), names[2]], [node.outputs[0].name])
        return True

    def write(self) -> bytes:
        for v in self.graph.inputs:
            if id(v) in self.pairs:
                self.quantize_dequantize(v)
        for node in self.graph.nodes:
            if not (node.op in LAYERS and self.layer(node)):
                apply_rule(self.b, node)
            for out in node.outputs:
                if id(out) in self.pairs:
                    self.quantize_dequantize(out)
        return finish(self.b, self.graph)


def write_onnx_qdq(traced: Graph, int8: Graph, opset: int = OPSET) -> bytes:
    """The QDQ `.onnx` bytes of a traced graph with the activation parameters of its int8 TFLite graph."""
    if opset < 13:
        raise ExportError(f"int8 ONNX needs opset >= 13 (per-axis DequantizeLinear), got {opset}")
    params = {v.name: v.quant for v in int8.values()
              if not v.is_constant and v.quant is not None and v.dtype == np.int8}
    return QdqWriter(fold_batchnorm_traced(traced), params, opset).write()


__all__ = ["QdqWriter", "write_onnx_qdq"]
