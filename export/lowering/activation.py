"""Activations. Those TFLite lacks are decomposed: SiLU = x * LOGISTIC(x), Hardsigmoid = RELU6(x + 3) / 6 (the
ADD takes the RELU6 as its fused activation later)."""

from __future__ import annotations

from ..ir import Graph, Node
from .registry import become, refuse, rule, scalar

SIMPLE = {"ReLU": "RELU", "ReLU6": "RELU6", "Sigmoid": "LOGISTIC", "Tanh": "TANH", "Hardswish": "HARD_SWISH"}


@rule(*SIMPLE)
def _simple(graph: Graph, node: Node) -> None:
    become(node, SIMPLE[node.op], node.inputs[:1])


@rule("PReLU")
def _prelu(graph: Graph, node: Node) -> None:
    x, w = node.inputs
    if not w.is_constant:
        raise refuse(node, "the slope is computed at run time", "TFLite export needs it to be a parameter")
    # alpha broadcasts against the input from the last dimension, as the (1, C, 1, ...) slope does
    become(node, "PRELU", [x, graph.constant(w.name, w.data.reshape(w.data.shape[1:]) if w.data.ndim > 1
                                             else w.data)])


@rule("ELU")
def _elu(graph: Graph, node: Node) -> None:
    x, alpha = node.inputs[0], float(node.attrs["alpha"])
    if alpha == 1.0:
        become(node, "ELU", [x])
        return
    # TFLite's ELU has alpha 1: alpha * elu(x) + (1 - alpha) * relu(x) is x above 0 and alpha * (e^x - 1) below.
    e = graph.emit(node, "ELU", [x], x.shape)
    r = graph.emit(node, "RELU", [x], x.shape)
    a = graph.emit(node, "MUL", [e, scalar(graph, node, alpha, x.dtype)], x.shape, attrs={"fused_activation": "NONE"})
    b = graph.emit(node, "MUL", [r, scalar(graph, node, 1.0 - alpha, x.dtype)], x.shape,
                   attrs={"fused_activation": "NONE"})
    become(node, "ADD", [a, b], fused_activation="NONE")


@rule("LeakyReLU")
def _leaky_relu(graph: Graph, node: Node) -> None:
    become(node, "LEAKY_RELU", node.inputs[:1], alpha=float(node.attrs.get("negative_slope", 0.01)))


@rule("GELU")
def _gelu(graph: Graph, node: Node) -> None:
    approximate = node.attrs.get("approximate", "none")
    become(node, "GELU", node.inputs[:1], approximate=approximate not in (None, False, "none"))


@rule("SiLU")
def _silu(graph: Graph, node: Node) -> None:
    x = node.inputs[0]
    s = graph.emit(node, "LOGISTIC", [x], x.shape)
    become(node, "MUL", [x, s], fused_activation="NONE")


@rule("Hardsigmoid")
def _hardsigmoid(graph: Graph, node: Node) -> None:
    x = node.inputs[0]
    three = scalar(graph, node, 3.0, x.dtype)
    shifted = graph.emit(node, "ADD", [x, three], x.shape, attrs={"fused_activation": "NONE"})
    clipped = graph.emit(node, "RELU6", [shifted], x.shape)
    become(node, "MUL", [clipped, scalar(graph, node, 1.0 / 6.0, x.dtype)], fused_activation="NONE")


@rule("Clamp")
def _clamp(graph: Graph, node: Node) -> None:
    bounds = (node.attrs.get("min"), node.attrs.get("max"))
    ops = {(0, None): "RELU", (0, 6): "RELU6", (-1, 1): "RELU_N1_TO_1"}
    op = next((v for k, v in ops.items() if k == bounds), None)
    if op is not None:
        become(node, op, node.inputs[:1])
        return
    # Any other range: MAXIMUM with the lower bound, then MINIMUM with the upper (std::min(std::max(x, lo), hi)).
    x = node.inputs[0]
    lo, hi = bounds
    if lo is not None and hi is not None:
        x = graph.emit(node, "MAXIMUM", [x, scalar(graph, node, lo, x.dtype)], x.shape)
        become(node, "MINIMUM", [x, scalar(graph, node, hi, x.dtype)])
    elif lo is not None:
        become(node, "MAXIMUM", [x, scalar(graph, node, lo, x.dtype)])
    else:
        become(node, "MINIMUM", [x, scalar(graph, node, hi, x.dtype)])


@rule("Softmax", "LogSoftmax")
def _softmax(graph: Graph, node: Node) -> None:
    # The axis is checked by the layout pass: TFLite normalises over the last physical axis.
    rank = len(node.inputs[0].shape)
    axis = node.attrs["dim"] % max(rank, 1)
    if node.op == "Softmax":
        become(node, "SOFTMAX", node.inputs[:1], beta=1.0, axis=axis)
    else:
        become(node, "LOG_SOFTMAX", node.inputs[:1], axis=axis)
