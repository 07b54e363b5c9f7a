"""Window geometry shared by convolution and pooling: PyTorch's explicit padding mapped onto TFLite's SAME/VALID."""

from __future__ import annotations

from ..ir import Graph, Node, Value
from .registry import int_vector


def torch_out_size(size: int, k_eff: int, stride: int, pad: int, ceil_mode: bool = False) -> int:
    span = size + 2 * pad - k_eff
    out = -(-span // stride) + 1 if ceil_mode else span // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:  # PyTorch: the last window must start inside the input
        out -= 1
    return out


def matches_same(size: int, k_eff: int, stride: int, pad: int, out: int) -> bool:
    """TFLite SAME: out = ceil(size / stride), total padding split with the smaller half before."""
    same_out = -(-size // stride)
    total = max((same_out - 1) * stride + k_eff - size, 0)
    return out == same_out and pad == total // 2


def matches_valid(size: int, k_eff: int, stride: int, pad: int, out: int) -> bool:
    return pad == 0 and out == (size - k_eff) // stride + 1


def choose_padding(spatial: tuple[int, int], k_eff: tuple[int, int], stride: tuple[int, int],
                   pad: tuple[int, int], out: tuple[int, int]) -> str | None:
    """'VALID' or 'SAME' when one of them reproduces PyTorch's windows exactly, else None."""
    if all(matches_valid(*a) for a in zip(spatial, k_eff, stride, pad, out, strict=True)):
        return "VALID"
    if all(matches_same(*a) for a in zip(spatial, k_eff, stride, pad, out, strict=True)):
        return "SAME"
    return None


def pad_explicitly(graph: Graph, node: Node, x: Value, pad: tuple[int, int]) -> Value:
    """A zero PAD of the two spatial dims of NCHW `x` before `node` (then the window op runs VALID)."""
    n, c, h, w = x.shape
    paddings = [[0, 0], [0, 0], [pad[0], pad[0]], [pad[1], pad[1]]]
    return graph.emit(node, "PAD", [x, int_vector(graph, node, paddings, "paddings")],
                      (n, c, h + 2 * pad[0], w + 2 * pad[1]))
