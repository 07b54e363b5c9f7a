"""Graph passes: small functions Graph -> Graph. `simplify` runs on the traced graph (Ember ops), `optimize` on the
lowered one (TFLite ops), each pass in order."""

from ..ir import Graph
from .dead_code import eliminate_dead_code
from .fold_batchnorm import fold_batchnorm, fold_batchnorm_traced
from .fold_constants import fold_constants
from .fuse_activation import fuse_activations
from .layout import convert_layout

TRACED_PASSES = (fold_constants, eliminate_dead_code)
DEFAULT_PASSES = (fold_batchnorm, convert_layout, fuse_activations, eliminate_dead_code)


def simplify(graph: Graph) -> Graph:
    for p in TRACED_PASSES:
        graph = p(graph)
    return graph


def optimize(graph: Graph) -> Graph:
    for p in DEFAULT_PASSES:
        graph = p(graph)
    return graph


__all__ = ["DEFAULT_PASSES", "TRACED_PASSES", "convert_layout", "eliminate_dead_code", "fold_batchnorm",
           "fold_batchnorm_traced", "fold_constants", "fuse_activations", "optimize", "simplify"]
