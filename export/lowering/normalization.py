"""BatchNorm and LayerNorm. BatchNorm stays one BATCH_NORM node here so `fold_batchnorm` can merge it into the
conv/linear before it (or split it into MUL + ADD); LayerNorm is decomposed into MEAN, SUB, MUL, ADD, RSQRT."""

from __future__ import annotations

from ..ir import Graph, Node
from ..passes.fold_batchnorm import batchnorm_affine
from .registry import become, constant_input, int_vector, refuse, rule, scalar


@rule("BatchNorm")
def _batch_norm(graph: Graph, node: Node) -> None:
    if node.attrs.get("training"):
        raise refuse(node, "batch statistics in eval mode (track_running_stats=False)",
                     "keep running statistics so the normalisation is a constant affine map")
    x, mean, var, weight, bias = (list(node.inputs) + [None] * 5)[:5]
    names = ("running_mean", "running_var", "weight", "bias")
    for i, name in enumerate(names, start=1):
        if node.inputs[i] is not None:
            constant_input(graph, node, i, name)
    scale, shift = batchnorm_affine(mean.data, var.data, weight.data if weight is not None else None,
                                    bias.data if bias is not None else None, node.attrs["eps"])
    base = node.outputs[0].name
    become(node, "BATCH_NORM", [x, graph.constant(f"{base}/scale", scale), graph.constant(f"{base}/shift", shift)])


@rule("LayerNorm")
def _layer_norm(graph: Graph, node: Node) -> None:
    x = node.inputs[0]
    weight = node.inputs[1] if len(node.inputs) > 1 else None
    bias = node.inputs[2] if len(node.inputs) > 2 else None
    shape = tuple(node.attrs["normalized_shape"]) if not isinstance(node.attrs["normalized_shape"], int) else (
        node.attrs["normalized_shape"],)
    rank = len(x.shape)
    if tuple(x.shape[rank - len(shape):]) != shape:
        raise refuse(node, f"normalized_shape {shape} vs input {x.shape}", "normalise over trailing dims")
    axes = int_vector(graph, node, list(range(rank - len(shape), rank)), "axes")
    reduced = tuple(x.shape[: rank - len(shape)]) + (1,) * len(shape)
    mean = graph.emit(node, "MEAN", [x, axes], reduced, attrs={"keep_dims": True})
    centered = graph.emit(node, "SUB", [x, mean], x.shape, attrs={"fused_activation": "NONE"})
    squared = graph.emit(node, "MUL", [centered, centered], x.shape, attrs={"fused_activation": "NONE"})
    var = graph.emit(node, "MEAN", [squared, axes], reduced, attrs={"keep_dims": True})
    var_eps = graph.emit(node, "ADD", [var, scalar(graph, node, node.attrs["eps"], x.dtype)], reduced,
                         attrs={"fused_activation": "NONE"})
    inv_std = graph.emit(node, "RSQRT", [var_eps], reduced)
    if weight is None and bias is None:
        become(node, "MUL", [centered, inv_std], fused_activation="NONE")
        return
    normed = graph.emit(node, "MUL", [centered, inv_std], x.shape, attrs={"fused_activation": "NONE"})
    if bias is None:
        become(node, "MUL", [normed, weight], fused_activation="NONE")
        return
    scaled = graph.emit(node, "MUL", [normed, weight], x.shape, attrs={"fused_activation": "NONE"}) \
        if weight is not None else normed
    become(node, "ADD", [scaled, bias], fused_activation="NONE")
