"""Indexing, splitting, selection and casts: Getitem, Split, Where, the comparisons, Cast, Expand ->
STRIDED_SLICE (+ RESHAPE for new or dropped axes, GATHER for one index array), SPLIT_V, SELECT_V2, LESS ... ,
CAST, BROADCAST_TO. Shapes are static, so every slice is resolved to concrete begin/end/stride here."""

from __future__ import annotations

import numpy as np

from ..ir import Graph, Node
from .registry import become, int_vector, refuse, rule

COMPARE = {"Equal": "EQUAL", "NotEqual": "NOT_EQUAL", "Less": "LESS", "LessEqual": "LESS_EQUAL",
           "Greater": "GREATER", "GreaterEqual": "GREATER_EQUAL"}


@rule("Split")
def _split(graph: Graph, node: Node) -> None:
    x = node.inputs[0]
    axis = int(node.attrs["dim"]) % len(x.shape)
    sizes = [v.shape[axis] for v in node.outputs]
    become(node, "SPLIT_V", [x, int_vector(graph, node, sizes, "size_splits"),
                             graph.constant(f"{node.outputs[0].name}/axis", np.array(axis, np.int32))],
           num_splits=len(sizes), axis=axis)


@rule("Getitem")
def _getitem(graph: Graph, node: Node) -> None:
    x = node.inputs[0]
    index = node.attrs["index"]
    arrays = [i for i in index if hasattr(i, "dtype")]
    if arrays:
        _gather(graph, node, x, index)
        return
    begin, end, strides, end_mask = _resolve(x.shape, index, node)
    out = node.outputs[0]
    sliced_shape = tuple(len(range(b, e if not (end_mask >> d) & 1 else -1, s)) if s < 0 else
                         len(range(b, e, s)) for d, (b, e, s) in enumerate(zip(begin, end, strides, strict=True)))
    attrs = dict(begin=begin, end=end, strides=strides, begin_mask=0, end_mask=end_mask, ellipsis_mask=0,
                 new_axis_mask=0, shrink_axis_mask=0, offset=False)
    inputs = [x, int_vector(graph, node, begin, "begin"), int_vector(graph, node, end, "end"),
              int_vector(graph, node, strides, "strides")]
    if sliced_shape == tuple(out.shape):
        become(node, "STRIDED_SLICE", inputs, **attrs)
        return
    # Integer indices drop axes and None adds them: slice with every axis kept, then one RESHAPE.
    sliced = graph.emit(node, "STRIDED_SLICE", inputs, sliced_shape, attrs=attrs)
    shape = list(out.shape)
    become(node, "RESHAPE", [sliced, int_vector(graph, node, shape, "shape")], new_shape=shape)


def _resolve(shape: tuple[int, ...], index: tuple, node: Node) -> tuple[list[int], list[int], list[int], int]:
    """begin/end/stride for every input axis (ints become a one-element slice) and the end_mask bits where a
    negative stride runs past the start."""
    items = list(index)
    if sum(i is Ellipsis for i in items) > 1:
        raise refuse(node, "more than one Ellipsis", "index with at most one '...'")
    used = sum(1 for i in items if i is not None and i is not Ellipsis)
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items[at:at + 1] = [slice(None)] * (len(shape) - used)
    items += [slice(None)] * (len(shape) - sum(1 for i in items if i is not None))
    begin, end, strides, end_mask = [], [], [], 0
    d = 0
    for item in items:
        if item is None:
            continue
        n = shape[d]
        if isinstance(item, slice):
            b, e, s = item.indices(n)
            if s < 0 and e < 0:
                end_mask |= 1 << d
            begin.append(b), end.append(e), strides.append(s)
        else:
            i = int(item) % n if n else 0
            begin.append(i), end.append(i + 1), strides.append(1)
        d += 1
    return begin, end, strides, end_mask


def _gather(graph: Graph, node: Node, x, index: tuple) -> None:
    """x[..., idx, ...] with one integer index array and plain ':' elsewhere -> GATHER on that axis."""
    positions = [k for k, i in enumerate(index) if not (isinstance(i, slice) and i == slice(None))]
    if len(positions) != 1 or not hasattr(index[positions[0]], "dtype"):
        raise refuse(node, "indexing with an array combined with other indices", "index with one integer array "
                     "and ':' on the other axes")
    axis = positions[0]
    idx = np.asarray(index[axis])
    if idx.dtype == bool:
        raise refuse(node, "a boolean mask index (its output size depends on the data)", "use where() instead")
    idx = (idx.astype(np.int64) % x.shape[axis]).astype(np.int32)
    become(node, "GATHER", [x, graph.constant(f"{node.outputs[0].name}/indices", idx)], axis=axis, batch_dims=0)


@rule(*COMPARE)
def _compare(graph: Graph, node: Node) -> None:
    a, b = node.inputs[:2]
    if b.is_constant and b.dtype != a.dtype:
        b = graph.constant(b.name, b.data.astype(a.dtype))
    become(node, COMPARE[node.op], [a, b])


@rule("Where")
def _where(graph: Graph, node: Node) -> None:
    cond, x, y = node.inputs
    dtype = node.outputs[0].dtype
    x, y = (graph.constant(v.name, v.data.astype(dtype)) if v.is_constant and v.dtype != dtype else v
            for v in (x, y))
    become(node, "SELECT_V2", [cond, x, y])


@rule("Cast")
def _cast(graph: Graph, node: Node) -> None:
    x, out = node.inputs[0], node.outputs[0]
    if out.dtype == np.float64:
        raise refuse(node, "a cast to float64", "export float32 models (call model.float())")
    become(node, "CAST", [x], in_data_type=x.dtype, out_data_type=out.dtype)


@rule("Expand")
def _expand(graph: Graph, node: Node) -> None:
    shape = list(node.outputs[0].shape)
    become(node, "BROADCAST_TO", [node.inputs[0], int_vector(graph, node, shape, "shape")])
