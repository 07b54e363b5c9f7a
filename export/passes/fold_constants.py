"""Constant folding: run every op whose inputs are all constants (weight transposes, reshapes, a scale computed
from parameters) once at export time, with Ember's own Function, and keep only its result.

Runs on the traced graph (Ember op names), before lowering, so any op Ember can compute folds, exported or not."""

from __future__ import annotations

import numpy as np

from ember.autograd import Function

from ..ir import Graph


def _functions() -> dict[str, type[Function]]:
    found: dict[str, type[Function]] = {}
    stack = list(Function.__subclasses__())
    while stack:
        cls = stack.pop()
        found.setdefault(cls.__name__, cls)
        stack.extend(cls.__subclasses__())
    return found


def fold_constants(graph: Graph) -> Graph:
    functions = _functions()
    kept = []
    for node in graph.nodes:
        cls = functions.get(node.op)
        if cls is None or not node.inputs or not all(v is not None and v.is_constant for v in node.inputs):
            kept.append(node)
            continue
        fn = cls(**node.attrs)
        fn.xp = np
        out = fn.forward(*(v.data for v in node.inputs))
        for value, data in zip(node.outputs, out if isinstance(out, tuple) else (out,), strict=True):
            value.data = np.ascontiguousarray(np.asarray(data, dtype=value.dtype))
    graph.nodes = kept
    return graph
