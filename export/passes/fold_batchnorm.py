"""BatchNorm folding: y = x * scale + shift per channel merges into the CONV_2D / DEPTHWISE_CONV_2D /
FULLY_CONNECTED that produces x (weights scaled per output channel, bias shifted). A BatchNorm with no such
producer becomes one MUL and one ADD (its ReLU can still fuse into the ADD).

The arithmetic lives here once: `batchnorm_affine` (what lowering computes for BATCH_NORM) and `_fold`. The int8
ONNX export folds the traced graph with `fold_batchnorm_traced`, the same arithmetic on Ember's ops, so its
folded weights are bit-identical to those the int8 `.tflite` quantises."""

from __future__ import annotations

import numpy as np

from ..ir import Graph, Node

# Axis of the output channel in each producer's TFLite weight layout (OHWI, 1HWO, [out, in]).
CHANNEL_AXIS = {"CONV_2D": 0, "DEPTHWISE_CONV_2D": 3, "FULLY_CONNECTED": 0}
# The traced layers a BatchNorm folds into; their weights (OIHW, [out, in]) have output channels on axis 0.
TRACED_LAYERS = ("Conv2d", "Linear")


def batchnorm_affine(mean: np.ndarray, var: np.ndarray, weight: np.ndarray | None, bias: np.ndarray | None,
                     eps: float) -> tuple[np.ndarray, np.ndarray]:
    """(scale, shift), float32, of eval-mode BatchNorm: weight / sqrt(var + eps) and bias - mean * scale, computed in
    float64 (a missing weight is 1, a missing bias 0)."""
    c = mean.shape[0]
    weight = weight if weight is not None else np.ones(c, np.float32)
    bias = bias if bias is not None else np.zeros(c, np.float32)
    scale = weight / np.sqrt(var.astype(np.float64) + eps)
    shift = bias - mean * scale
    return scale.astype(np.float32), shift.astype(np.float32)


def _foldable(graph: Graph, bn: Node) -> Node | None:
    x = bn.inputs[0]
    producer = graph.producer(x)
    if (
        producer is None
        or producer.op not in CHANNEL_AXIS
        or producer.attrs.get("fused_activation", "NONE") != "NONE"
        or len(graph.consumers(x)) != 1
        or x in graph.outputs
        or not producer.inputs[1].is_constant
        or (producer.inputs[2] is not None and not producer.inputs[2].is_constant)
    ):
        return None
    if producer.op == "FULLY_CONNECTED" and len(x.shape) != 2:
        return None  # BatchNorm normalises dim 1; FC's output channels are the last dim, equal only at rank 2
    return producer


def _fold(graph: Graph, producer: Node, bn: Node, scale: np.ndarray, shift: np.ndarray, axis: int) -> None:
    """Scale the producer's weights along `axis` and shift its (possibly absent) bias; the producer takes over the
    BatchNorm's output and the BatchNorm goes."""
    w = producer.inputs[1]
    b = producer.inputs[2] if len(producer.inputs) > 2 else None
    shape = [1] * w.data.ndim
    shape[axis] = -1
    bias = b.data if b is not None else np.zeros_like(scale)
    name = producer.outputs[0].name
    producer.inputs = [producer.inputs[0],
                       graph.constant(f"{name}/weight_bn", (w.data * scale.reshape(shape)).astype(w.dtype)),
                       graph.constant(f"{name}/bias_bn", (bias * scale + shift).astype(w.dtype))]
    producer.outputs = list(bn.outputs)
    graph.nodes.remove(bn)


def _split(graph: Graph, bn: Node) -> None:
    x = bn.inputs[0]
    broadcast = (-1,) + (1,) * (len(x.shape) - 2)  # channels on dim 1 of (N, C, ...)
    scale = graph.constant(bn.inputs[1].name, bn.inputs[1].data.reshape(broadcast))
    shift = graph.constant(bn.inputs[2].name, bn.inputs[2].data.reshape(broadcast))
    scaled = graph.emit(bn, "MUL", [x, scale], x.shape, attrs={"fused_activation": "NONE"})
    bn.op, bn.inputs, bn.attrs = "ADD", [scaled, shift], {"fused_activation": "NONE"}


def fold_batchnorm(graph: Graph) -> Graph:
    """The lowered graph's BATCH_NORM(x, scale, shift) nodes: folded into their producer, or split."""
    for bn in [n for n in graph.nodes if n.op == "BATCH_NORM"]:
        producer = _foldable(graph, bn)
        if producer is not None:
            _fold(graph, producer, bn, bn.inputs[1].data, bn.inputs[2].data, CHANNEL_AXIS[producer.op])
        else:
            _split(graph, bn)
    return graph


def fold_batchnorm_traced(graph: Graph) -> Graph:
    """The traced graph's eval-mode BatchNorm(x, mean, var, weight, bias) nodes folded into the Conv2d / Linear
    before them, where `fold_batchnorm` would fold them after lowering; the others stay (written in float)."""
    for bn in [n for n in graph.nodes if n.op == "BatchNorm" and not n.attrs.get("training")]:
        x = bn.inputs[0]
        layer = graph.producer(x)
        if (layer is None or layer.op not in TRACED_LAYERS or len(graph.consumers(x)) != 1 or x in graph.outputs
                or not all(v is not None and v.is_constant for v in (*layer.inputs[1:], *bn.inputs[1:]))
                or (layer.op == "Linear" and len(x.shape) != 2)):
            continue
        mean, var, weight, bias = (v.data for v in bn.inputs[1:])
        scale, shift = batchnorm_affine(mean, var, weight, bias, bn.attrs["eps"])
        _fold(graph, layer, bn, scale, shift, 0)
    return graph
