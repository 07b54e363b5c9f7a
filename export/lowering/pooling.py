"""MaxPool2d, AvgPool2d, AdaptiveAvgPool2d -> MAX_POOL_2D, AVERAGE_POOL_2D, MEAN."""

from __future__ import annotations

from ..ir import Graph, Node
from .geometry import choose_padding, pad_explicitly
from .registry import become, int_vector, pair, refuse, rule


def _pool(node: Node, op: str, x, kernel, stride, padding: str) -> None:
    become(node, op, [x], padding=padding, stride_h=stride[0], stride_w=stride[1], filter_h=kernel[0],
           filter_w=kernel[1], fused_activation="NONE")


@rule("MaxPool2d")
def _max_pool(graph: Graph, node: Node) -> None:
    a = node.attrs
    kernel, pad = pair(a["kernel_size"]), pair(a["padding"])
    stride = pair(a.get("stride") or a["kernel_size"])
    if pair(a.get("dilation", 1)) != (1, 1):
        raise refuse(node, "dilated max pooling", "TFLite's MAX_POOL_2D has no dilation")
    x = node.inputs[0]
    padding = choose_padding(x.shape[2:], kernel, stride, pad, node.outputs[0].shape[2:])
    if padding is None:  # zero padding would change the max of negative windows
        raise refuse(node, f"padding {pad} with stride {stride} on a {x.shape[2]}x{x.shape[3]} input matches "
                     "neither TFLite SAME nor VALID windows", "pad so the windows match SAME, or use padding=0")
    _pool(node, "MAX_POOL_2D", x, kernel, stride, padding)


@rule("AvgPool2d")
def _avg_pool(graph: Graph, node: Node) -> None:
    a = node.attrs
    kernel, pad = pair(a["kernel_size"]), pair(a["padding"])
    stride = pair(a.get("stride") or a["kernel_size"])
    x = node.inputs[0]
    out = node.outputs[0].shape[2:]
    if pad != (0, 0) and a.get("count_include_pad", True):
        # Padded zeros count in the average: exactly a zero PAD followed by a VALID pool.
        if choose_padding(tuple(s + 2 * p for s, p in zip(x.shape[2:], pad, strict=True)), kernel, stride,
                          (0, 0), out) != "VALID":
            raise refuse(node, "ceil_mode windows reach past the padding", "use ceil_mode=False")
        _pool(node, "AVERAGE_POOL_2D", pad_explicitly(graph, node, x, pad), kernel, stride, "VALID")
        return
    padding = choose_padding(x.shape[2:], kernel, stride, pad, out)
    if padding is None:
        raise refuse(node, f"padding {pad} (count_include_pad=False, ceil_mode={a.get('ceil_mode')}) matches "
                     "neither TFLite SAME nor VALID windows", "use padding=0 or SAME-like padding")
    _pool(node, "AVERAGE_POOL_2D", x, kernel, stride, padding)


@rule("AdaptiveAvgPool2d")
def _adaptive_avg_pool(graph: Graph, node: Node) -> None:
    x = node.inputs[0]
    h, w = x.shape[2:]
    oh, ow = node.outputs[0].shape[2:]
    if (oh, ow) == (1, 1):
        become(node, "MEAN", [x, int_vector(graph, node, [2, 3], "axes")], keep_dims=True)
    elif h % oh == 0 and w % ow == 0:
        _pool(node, "AVERAGE_POOL_2D", x, (h // oh, w // ow), (h // oh, w // ow), "VALID")
    else:
        raise refuse(node, f"adaptive pooling {h}x{w} -> {oh}x{ow} has uneven windows",
                     "use an output size that divides the input size")
