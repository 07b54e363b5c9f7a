"""Linear, Conv2d, ConvTranspose2d, MatMul, Embedding -> FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV,
BATCH_MATMUL, GATHER."""

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


@rule("ConvTranspose2d")
def _conv_transpose2d(graph: Graph, node: Node) -> None:
    """TRANSPOSE_CONV computes the full (in - 1) * s + k grid and keeps a window of it: SAME when torch's window is
    exactly that (output in * s, padding (k - s) / 2, no output_padding), else VALID over the full grid followed
    by PAD (output_padding rows past the grid) and STRIDED_SLICE (torch's `padding` crop), bias added last."""
    x = node.inputs[0]
    w = constant_input(graph, node, 1, "weight")
    bias = node.inputs[2] if len(node.inputs) > 2 else None
    a = node.attrs
    stride, pad, out_pad = pair(a["stride"]), pair(a["padding"]), pair(a["output_padding"])
    if int(a["groups"]) != 1 or pair(a["dilation"]) != (1, 1):
        raise refuse(node, f"groups={a['groups']}, dilation={a['dilation']}",
                     "TFLite's TRANSPOSE_CONV has neither; use groups=1 and dilation=1")
    if bias is not None and not bias.is_constant:
        raise refuse(node, "the bias is computed at run time", "TFLite export needs it to be a parameter")
    c_out, (kh, kw) = w.shape[1], w.shape[2:]
    n, _, h, wd = x.shape
    out = node.outputs[0]
    oh, ow = out.shape[2:]
    weight = graph.constant(f"{out.name}/weight", w.transpose(1, 2, 3, 0))  # (C_in, C_out, KH, KW) -> OHWI
    name = out.name
    same = (out_pad == (0, 0) and (oh, ow) == (h * stride[0], wd * stride[1])
            and all(k - s == 2 * p for k, s, p in zip((kh, kw), stride, pad, strict=True)))
    common = dict(stride_h=stride[0], stride_w=stride[1], fused_activation="NONE", output_shape_nhwc=True)
    if same or (pad == (0, 0) and out_pad == (0, 0)):
        shape = graph.constant(f"{name}/output_shape", np.array([n, oh, ow, c_out], np.int32))
        inputs = [shape, weight, x] + ([bias] if bias is not None else [])  # no bias: 3 inputs, version 1
        become(node, "TRANSPOSE_CONV", inputs, padding="SAME" if same else "VALID", **common)
        return
    full = ((h - 1) * stride[0] + kh, (wd - 1) * stride[1] + kw)
    shape = graph.constant(f"{name}/output_shape", np.array([n, *full, c_out], np.int32))
    y = graph.emit(node, "TRANSPOSE_CONV", [shape, weight, x], (n, c_out, *full), x.dtype,
                   attrs=dict(padding="VALID", **common))
    grow = tuple(max(p + o - f, 0) for p, o, f in zip(pad, (oh, ow), full, strict=True))
    if any(grow):
        paddings = np.array([[0, 0], [0, 0], [0, grow[0]], [0, grow[1]]], np.int32)
        y = graph.emit(node, "PAD", [y, graph.constant(f"{name}/paddings", paddings)],
                       (n, c_out, full[0] + grow[0], full[1] + grow[1]))
    begin, end = [0, 0, pad[0], pad[1]], [n, c_out, pad[0] + oh, pad[1] + ow]
    slice_attrs = dict(begin=begin, end=end, strides=[1, 1, 1, 1], begin_mask=0, end_mask=0, ellipsis_mask=0,
                       new_axis_mask=0, shrink_axis_mask=0, offset=False)
    slice_inputs = [y, graph.constant(f"{name}/begin", np.array(begin, np.int32)),
                    graph.constant(f"{name}/end", np.array(end, np.int32)),
                    graph.constant(f"{name}/strides", np.ones(4, np.int32))]
    if bias is None:
        become(node, "STRIDED_SLICE", slice_inputs, **slice_attrs)
        return
    y = graph.emit(node, "STRIDED_SLICE", slice_inputs, (n, c_out, oh, ow), attrs=slice_attrs)
    become(node, "ADD", [y, graph.constant(bias.name, bias.data.reshape(1, -1, 1, 1))], fused_activation="NONE")
