"""Lowering: rewrite each traced Ember op (a Function name) into the TFLite builtin op that computes it.

Every rule is a small function registered under the Function's name; an op with no rule is refused with a
message that names it and the module it came from."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .errors import ExportError
from .ir import Graph, Node

Rule = Callable[[Graph, Node], None]
RULES: dict[str, Rule] = {}


def rule(*names: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for name in names:
            RULES[name] = fn
        return fn

    return register


@rule("Linear")
def _linear(graph: Graph, node: Node) -> None:
    x = node.inputs[0]
    node.op = "FULLY_CONNECTED"
    # TFLite's FC flattens all leading dimensions unless keep_num_dims is set.
    node.attrs = {"fused_activation": "NONE", "keep_num_dims": len(x.shape) > 2}
    if len(node.inputs) == 2:
        node.inputs.append(None)


@rule("ReLU")
def _relu(graph: Graph, node: Node) -> None:
    node.op, node.attrs = "RELU", {}


@rule("Reshape")
def _reshape(graph: Graph, node: Node) -> None:
    new_shape = list(node.outputs[0].shape)
    node.op, node.attrs = "RESHAPE", {"new_shape": new_shape}
    node.inputs = [node.inputs[0], graph.constant(f"{node.outputs[0].name}/shape", np.array(new_shape, np.int32))]


@rule("Softmax")
def _softmax(graph: Graph, node: Node) -> None:
    rank = len(node.inputs[0].shape)
    if node.attrs["dim"] % max(rank, 1) != rank - 1:
        raise ExportError(
            f"softmax over dim {node.attrs['dim']} of a rank-{rank} tensor in module '{node.scope}': TFLite's "
            "SOFTMAX works on the last axis; transpose so the class axis is last"
        )
    node.op, node.attrs = "SOFTMAX", {"beta": 1.0}


def lower(graph: Graph) -> Graph:
    for node in list(graph.nodes):
        fn = RULES.get(node.op)
        if fn is None:
            raise ExportError(
                f"op {node.op} in module '{node.scope or '<top>'}' has no TFLite export rule yet "
                f"(supported: {', '.join(sorted(RULES))}); rewrite the module with supported ops"
            )
        fn(graph, node)
    for value in graph.values():
        if value.dtype == np.float64:
            raise ExportError(f"tensor '{value.name}' is float64: export float32 models (call model.float())")
    return graph
