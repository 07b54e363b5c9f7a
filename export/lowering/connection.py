"""Linear, Conv2d, MatMul, Embedding -> FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D, BATCH_MATMUL, GATHER."""

from __future__ import annotations

import numpy as np

from ..ir import Graph, Node
from .geometry import choose_padding, pad_explicitly
from .registry import become, constant_input, pair, refuse, rule


@rule("Linear")
def _linear(graph: Graph, node: Node) -> None:
    x = node.inputs[0]
    constant_input(graph, node, 1, "weight")
    bias = node.inputs[2] if len(node.inputs) > 2 else None
    # TFLite's FC flattens all leading dimensions unless keep_num_dims is set.
    become(node, "FULLY_CONNECTED", [x, node.inputs[1], bias], fused_activation="NONE",
           keep_num_dims=len(x.shape) > 2)


@rule("MatMul")
def _matmul(graph: Graph, node: Node) -> None:
    a, b = node.inputs
    if len(a.shape) < 2 or len(b.shape) < 2:
        raise refuse(node, f"matmul of shapes {a.shape} and {b.shape}", "use inputs of rank >= 2")
    if b.is_constant and len(b.shape) == 2:
        weight = graph.constant(f"{node.outputs[0].name}/weight", np.ascontiguousarray(b.data.T))
        become(node, "FULLY_CONNECTED", [a, weight, None], fused_activation="NONE", keep_num_dims=len(a.shape) > 2)
    else:
        become(node, "BATCH_MATMUL", [a, b], adj_x=False, adj_y=False)


@rule("Conv2d")
def _conv2d(graph: Graph, node: Node) -> None:
    x = node.inputs[0]
    w = constant_input(graph, node, 1, "weight")
    bias = node.inputs[2] if len(node.inputs) > 2 else None
    a = node.attrs
    stride, pad, dilation, groups = pair(a["stride"]), pair(a["padding"]), pair(a["dilation"]), int(a["groups"])
    out_c, in_per_group, kh, kw = w.shape
    in_c = x.shape[1]
    k_eff = tuple(d * (k - 1) + 1 for d, k in zip(dilation, (kh, kw), strict=True))
    padding = choose_padding(x.shape[2:], k_eff, stride, pad, node.outputs[0].shape[2:])
    if padding is None:
        x, padding = pad_explicitly(graph, node, x, pad), "VALID"
    if bias is None:
        bias = graph.constant(f"{node.outputs[0].name}/bias", np.zeros(out_c, np.float32))
    elif not bias.is_constant:
        raise refuse(node, "the bias is computed at run time", "TFLite export needs it to be a parameter")
    common = dict(padding=padding, stride_h=stride[0], stride_w=stride[1], dilation_h=dilation[0],
                  dilation_w=dilation[1], fused_activation="NONE")
    if groups == in_c > 1 and in_per_group == 1:
        # Output channel o reads input channel o // multiplier in both PyTorch and TFLite.
        weight = graph.constant(f"{node.outputs[0].name}/weight", w.transpose(1, 2, 3, 0))  # OIHW -> 1HWO
        become(node, "DEPTHWISE_CONV_2D", [x, weight, bias], depth_multiplier=out_c // in_c, **common)
    else:
        # groups=1, and grouped (1 < groups < in_c) too: TFLite infers groups = input channels / filter input
        # channels, and output channel o reads group o // (out_c / groups), PyTorch's order.
        weight = graph.constant(f"{node.outputs[0].name}/weight", w.transpose(0, 2, 3, 1))  # OIHW -> OHWI
        become(node, "CONV_2D", [x, weight, bias], **common)


@rule("Embedding")
def _embedding(graph: Graph, node: Node) -> None:
    indices, weight = node.inputs
    if indices in graph.inputs and indices.dtype == np.int64:
        indices.dtype = np.dtype(np.int32)  # TFLite runtimes index with int32; vocabularies fit easily
    become(node, "GATHER", [weight, indices], axis=0, batch_dims=0)
