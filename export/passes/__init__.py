"""Graph passes: small functions Graph -> Graph, run in order by `optimize`."""

from ..ir import Graph
from .dead_code import eliminate_dead_code
from .fuse_activation import fuse_activations

DEFAULT_PASSES = (eliminate_dead_code, fuse_activations)


def optimize(graph: Graph) -> Graph:
    for p in DEFAULT_PASSES:
        graph = p(graph)
    return graph


__all__ = ["DEFAULT_PASSES", "eliminate_dead_code", "fuse_activations", "optimize"]
