"""Shape and data-movement ops: Reshape, Permute, Cat, Stack, Pad, UpsampleNearest, UpsampleBilinear."""

from __future__ import annotations

import numpy as np

from ..ir import Graph, Node
from .registry import become, int_vector, refuse, rule


@rule("Reshape")
def _reshape(graph: Graph, node: Node) -> None:
    new_shape = list(node.outputs[0].shape)
    become(node, "RESHAPE", [node.inputs[0], int_vector(graph, node, new_shape, "shape")], new_shape=new_shape)


@rule("Permute")
def _permute(graph: Graph, node: Node) -> None:
    rank = len(node.inputs[0].shape)
    perm = [int(d) % rank for d in node.attrs["dims"]]
    become(node, "TRANSPOSE", [node.inputs[0], int_vector(graph, node, perm, "perm")], perm=perm)


@rule("Cat")
def _cat(graph: Graph, node: Node) -> None:
    rank = len(node.outputs[0].shape)
    become(node, "CONCATENATION", node.inputs, axis=int(node.attrs["dim"]) % rank, fused_activation="NONE")


@rule("Stack")
def _stack(graph: Graph, node: Node) -> None:
    out_shape = node.outputs[0].shape
    axis = int(node.attrs["dim"]) % len(out_shape)
    parts = []
    for x in node.inputs:
        shape = list(x.shape[:axis]) + [1] + list(x.shape[axis:])
        parts.append(graph.emit(node, "RESHAPE", [x, int_vector(graph, node, shape, "shape")], tuple(shape),
                                attrs={"new_shape": shape}))
    become(node, "CONCATENATION", parts, axis=axis, fused_activation="NONE")


@rule("Pad")
def _pad(graph: Graph, node: Node) -> None:
    x = node.inputs[0]
    mode, value = node.attrs.get("mode", "constant"), float(node.attrs.get("value", 0.0) or 0.0)
    if mode != "constant" or value != 0.0:
        raise refuse(node, f"{mode} padding with value {value}", "only zero (constant) padding exports, as PAD")
    flat = list(node.attrs["pad"])
    paddings = np.zeros((len(x.shape), 2), np.int32)
    for i in range(len(flat) // 2):  # PyTorch lists (before, after) pairs from the last dimension backwards
        paddings[len(x.shape) - 1 - i] = flat[2 * i], flat[2 * i + 1]
    if (paddings < 0).any():
        raise refuse(node, f"negative padding {flat}", "crop with slicing before export instead")
    become(node, "PAD", [x, int_vector(graph, node, paddings, "paddings")])


@rule("UpsampleNearest")
def _upsample_nearest(graph: Graph, node: Node) -> None:
    x = node.inputs[0]
    if len(x.shape) != 4:
        raise refuse(node, f"nearest upsampling of a rank-{len(x.shape)} tensor", "use NCHW images")
    size = list(node.outputs[0].shape[2:])
    # PyTorch's 'nearest' reads source index floor(dst * in / out): TFLite without align_corners or half pixels.
    become(node, "RESIZE_NEAREST_NEIGHBOR", [x, int_vector(graph, node, size, "size")], align_corners=False,
           half_pixel_centers=False)


@rule("UpsampleBilinear")
def _upsample_bilinear(graph: Graph, node: Node) -> None:
    x = node.inputs[0]
    size = list(node.outputs[0].shape[2:])
    align = bool(node.attrs["align_corners"])
    scales = node.attrs.get("scales")
    if not align and scales and any(abs(1.0 / s - i / o) > 1e-12
                                    for s, i, o in zip(scales, x.shape[2:], size, strict=True)):
        raise refuse(node, f"scale_factor {scales} maps coordinates by 1/scale, TFLite's RESIZE_BILINEAR by "
                     f"input/output size ({tuple(x.shape[2:])} -> {tuple(size)})",
                     "pass size= (or recompute_scale_factor=True) so both agree")
    # torch's align_corners=False is TFLite's half_pixel_centers (both clamp source coordinates below at 0).
    become(node, "RESIZE_BILINEAR", [x, int_vector(graph, node, size, "size")], align_corners=align,
           half_pixel_centers=not align)
