"""The rule table (Ember Function name -> rule) and the small helpers rules share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import ExportError
from ..ir import Graph, Node, Value
from ..rule_table import RuleTable

Rule = Callable[[Graph, Node], None]
RULES = RuleTable("TFLite")
rule = RULES.rule


def refuse(node: Node, what: str, fix: str) -> ExportError:
    return ExportError(f"{node.op} in module '{node.scope or '<top>'}': {what}; {fix}")


def constant_input(graph: Graph, node: Node, i: int, what: str) -> np.ndarray:
    value = node.inputs[i]
    if value is None or not value.is_constant:
        raise refuse(node, f"the {what} is computed at run time", "TFLite export needs it to be a parameter")
    return value.data


def scalar(graph: Graph, node: Node, x: float, dtype: Any = np.float32) -> Value:
    return graph.constant(f"{node.outputs[0].name}/const", np.array(x, dtype=dtype))


def int_vector(graph: Graph, node: Node, values: Any, suffix: str) -> Value:
    return graph.constant(f"{node.outputs[0].name}/{suffix}", np.array(values, dtype=np.int32))


def pair(v: Any) -> tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, (int, np.integer)) else (int(v[0]), int(v[1]))


def become(node: Node, op: str, inputs: list[Value | None] | None = None, **attrs: Any) -> None:
    """Turn `node` into `op` in place (keeps its outputs and scope)."""
    node.op, node.attrs = op, dict(attrs)
    if inputs is not None:
        node.inputs = list(inputs)
