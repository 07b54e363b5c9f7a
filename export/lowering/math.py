"""Elementwise arithmetic and reductions. Division by a constant becomes a MUL by its reciprocal, Neg a MUL by -1,
x ** 2 a MUL, so the common cases stay on the core op list."""

from __future__ import annotations

import numpy as np

from ..ir import Graph, Node, Value
from .registry import become, int_vector, refuse, rule, scalar

BINARY = {"Add": "ADD", "Sub": "SUB", "Mul": "MUL", "Div": "DIV", "Maximum": "MAXIMUM", "Minimum": "MINIMUM"}
UNARY = {"Exp": "EXP", "Log": "LOG", "Sqrt": "SQRT", "Abs": "ABS", "Rsqrt": "RSQRT"}
FUSED = {"ADD", "SUB", "MUL", "DIV"}  # ops whose options carry a fused activation


def _as_output_dtype(graph: Graph, node: Node, v: Value) -> Value:
    dtype = node.outputs[0].dtype
    if v.is_constant and v.dtype != dtype:
        return graph.constant(v.name, v.data.astype(dtype))
    return v


@rule(*BINARY)
def _binary(graph: Graph, node: Node) -> None:
    a, b = (_as_output_dtype(graph, node, v) for v in node.inputs[:2])
    op = BINARY[node.op]
    if op == "DIV" and b.is_constant:
        op, b = "MUL", graph.constant(f"{b.name}/reciprocal", (1 / b.data).astype(b.dtype))
    become(node, op, [a, b], **({"fused_activation": "NONE"} if op in FUSED else {}))


@rule("Neg")
def _neg(graph: Graph, node: Node) -> None:
    x = node.inputs[0]
    become(node, "MUL", [x, scalar(graph, node, -1, x.dtype)], fused_activation="NONE")


@rule(*UNARY)
def _unary(graph: Graph, node: Node) -> None:
    become(node, UNARY[node.op], node.inputs[:1])


@rule("Pow")
def _pow(graph: Graph, node: Node) -> None:
    x = node.inputs[0]
    exponent = node.attrs.get("exponent")
    if exponent is None and len(node.inputs) > 1 and node.inputs[1].is_constant and node.inputs[1].data.size == 1:
        exponent = float(node.inputs[1].data.reshape(()))
    if exponent == 2:
        become(node, "MUL", [x, x], fused_activation="NONE")
    elif exponent == 0.5:
        become(node, "SQRT", [x])
    elif exponent == -0.5:
        become(node, "RSQRT", [x])
    else:
        raise refuse(node, f"power with exponent {exponent}", "only x**2, x**0.5 and x**-0.5 export")


REDUCERS = {"Mean": "MEAN", "Sum": "SUM", "Max": "REDUCE_MAX", "Amax": "REDUCE_MAX", "Min": "REDUCE_MIN",
            "Amin": "REDUCE_MIN"}


def reduction_axes(dim, rank: int) -> list[int]:
    if dim is None:
        return list(range(rank))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    return sorted(int(d) % rank for d in dims)


@rule(*REDUCERS)
def _reduce(graph: Graph, node: Node) -> None:
    if len(node.outputs) > 1:
        raise refuse(node, "a reduction that also returns indices", "use amax/amin (values only)")
    x = node.inputs[0]
    axes = reduction_axes(node.attrs.get("dim"), len(x.shape))
    become(node, REDUCERS[node.op], [x, int_vector(graph, node, axes, "axes")],
           keep_dims=bool(node.attrs.get("keepdim", False)))
