"""BatchNorm folding: y = x * scale + shift per channel merges into the CONV_2D / DEPTHWISE_CONV_2D /
FULLY_CONNECTED that produces x (weights scaled per output channel, bias shifted). A BatchNorm with no such
producer becomes one MUL and one ADD (its ReLU can still fuse into the ADD)."""

from __future__ import annotations

import numpy as np

from ..ir import Graph, Node

# Axis of the output channel in each producer's TFLite weight layout (OHWI, 1HWO, [out, in]).
CHANNEL_AXIS = {"CONV_2D": 0, "DEPTHWISE_CONV_2D": 3, "FULLY_CONNECTED": 0}


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


def _fold(graph: Graph, producer: Node, bn: Node) -> None:
    scale, shift = bn.inputs[1].data, bn.inputs[2].data
    w, b = producer.inputs[1], producer.inputs[2]
    axis = CHANNEL_AXIS[producer.op]
    shape = [1] * w.data.ndim
    shape[axis] = -1
    bias = b.data if b is not None else np.zeros_like(scale)
    name = producer.outputs[0].name
    producer.inputs[1] = graph.constant(f"{name}/weight_bn", (w.data * scale.reshape(shape)).astype(w.dtype))
    producer.inputs[2] = graph.constant(f"{name}/bias_bn", (bias * scale + shift).astype(w.dtype))
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
    for bn in [n for n in graph.nodes if n.op == "BATCH_NORM"]:
        producer = _foldable(graph, bn)
        if producer is not None:
            _fold(graph, producer, bn)
        else:
            _split(graph, bn)
    return graph
