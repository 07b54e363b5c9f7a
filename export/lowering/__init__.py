"""Lowering: rewrite each traced Ember op (a Function name) into the TFLite builtin ops that compute it.

Every rule is a small function registered under the Function's name, grouped by family like `ember.ops`. Rules
work in Ember's logical layout (NCHW images, OIHW conv weights already reordered to TFLite's OHWI/1HWO); the layout
pass later moves image tensors to NHWC. An op with no rule is refused with a message naming it and its module."""

from __future__ import annotations

import numpy as np

from ..errors import ExportError
from ..ir import Graph

# Importing the families registers their rules.
from . import activation, array, connection, math, normalization, pooling, selection  # noqa: F401
from .registry import RULES, rule


def lower(graph: Graph) -> Graph:
    for node in list(graph.nodes):
        RULES.apply(graph, node)
    for value in graph.values():
        if value.dtype == np.float64:
            raise ExportError(f"tensor '{value.name}' is float64: export float32 models (call model.float())")
    return graph


__all__ = ["RULES", "lower", "rule"]
