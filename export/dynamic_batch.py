"""`dynamic_batch=True`: a file valid for any batch size, with the batch written as -1 (TFLite's `shape_signature`,
as TensorFlow's converter writes it) or as the symbolic dim 'batch' (ONNX).

The model is traced at two batch sizes b1 < b2 (every example input repeated along dim 0) and the two graphs are
compared value by value: a tensor with one dim that is b1 in one graph and b2 in the other carries the batch there
(dim 0, or the dim a transpose moved it to, e.g. an LSTM's time-major [T, B, F]). A constant that differs holds the
batch size (a RESHAPE's new shape, a slice end) and is rewritten batch-free (-1, the end mask); a constant of batch
size that is the same for every sample (an LSTM's zero initial state) keeps one sample where a broadcasting op
(ADD, MUL, ...) uses it; TRANSPOSE_CONV's output shape is computed from its input's (SHAPE, STRIDED_SLICE,
CONCATENATION). Anything else that follows the batch (a dim of b1 * C, two batch dims, a constant shaped by
the batch that differs between samples or feeds a non-broadcasting op, a different op sequence) is refused with
the tensor and module that cause it. b1 is at least 2, so no size-1 batch shortcut (a reshape that only drops a
unit dim) is baked into the file; the file then declares the example's batch in `shape` and -1 in
`shape_signature`."""

from __future__ import annotations

from typing import Any

import numpy as np

import ember

from .errors import ExportError
from .ir import Graph, Node
from .tracer import example_tensors

INT64_MAX = np.iinfo(np.int64).max


def batch_sizes(example_input: Any) -> tuple[int, int, int]:
    """(the examples' batch, b1, b2): the two batch sizes to trace at."""
    examples = example_tensors(example_input)
    shapes = [tuple(x.shape) for x in examples]
    if any(not s for s in shapes):
        raise ExportError("dynamic_batch=True needs every input to have a batch dimension (dim 0); an input is a "
                          "scalar")
    if len({s[0] for s in shapes}) != 1:
        raise ExportError(f"dynamic_batch=True: the example inputs have different batch sizes (dim 0 of "
                          f"{[list(s) for s in shapes]}); dim 0 of every input is the batch")
    batch = shapes[0][0]
    if batch < 1:
        raise ExportError("dynamic_batch=True needs an example with at least one sample")
    b1 = max(batch, 2)
    return batch, b1, b1 + 1


def at_batch(example_input: Any, n: int) -> tuple[ember.Tensor, ...]:
    """The example inputs with `n` samples: the given samples repeated along dim 0."""
    out = []
    for x in example_tensors(example_input):
        data = x.cpu().data
        out.append(ember.tensor(np.ascontiguousarray(data[np.arange(n) % data.shape[0]])))
    return tuple(out)


def _where(node: Node | None) -> str:
    return "a graph input" if node is None else f"{node.op} in module '{node.scope or '<top>'}'"


def _pairs(g1: Graph, g2: Graph, b1: int, b2: int) -> None:
    def fail(i: int, a: Node, b: Node) -> ExportError:
        return ExportError(
            f"dynamic_batch=True: the graph traced at batch {b1} and at batch {b2} differs at op {i} ({a.op} in "
            f"module '{a.scope or '<top>'}' vs {b.op} in '{b.scope or '<top>'}'): forward() depends on the batch "
            "size; export with a fixed batch (dynamic_batch=False)"
        )

    if len(g1.nodes) != len(g2.nodes) or len(g1.inputs) != len(g2.inputs) or len(g1.outputs) != len(g2.outputs):
        raise ExportError(f"dynamic_batch=True: the graph traced at batch {b1} has {len(g1.nodes)} ops, at batch {b2} "
                          f"{len(g2.nodes)}: forward() depends on the batch size; export with a fixed batch")
    for i, (a, b) in enumerate(zip(g1.nodes, g2.nodes, strict=True)):
        if a.op != b.op or len(a.inputs) != len(b.inputs) or len(a.outputs) != len(b.outputs) or any(
                (x is None) != (y is None) for x, y in zip(a.inputs, b.inputs, strict=True)):
            raise fail(i, a, b)


def mark_batch(g1: Graph, g2: Graph, b1: int, b2: int) -> Graph:
    """Compare `g1` (traced at batch b1) with `g2` (at b2), mark the values of `g1` whose dim 0 is the batch
    (`Value.batch`) and make its constants batch-free; returns `g1`, or raises ExportError naming what keeps it
    from being valid at every batch."""
    _pairs(g1, g2, b1, b2)
    producer: dict[int, Node] = {id(o): n for n in g1.nodes for o in n.outputs}
    v1s, v2s = g1.values(), g2.values()
    if len(v1s) != len(v2s):
        raise ExportError(f"dynamic_batch=True: the graph traced at batch {b1} and at batch {b2} differs in its "
                          "tensors: forward() depends on the batch size; export with a fixed batch")
    other = {id(a): b for a, b in zip(v1s, v2s, strict=True)}
    uniform: list[tuple[Any, int]] = []  # batch-shaped constants the same for every sample, and their batch dim
    for a in v1s:
        b = other[id(a)]
        if a.is_constant != b.is_constant:
            raise ExportError(f"dynamic_batch=True: tensor '{a.name}' ({_where(producer.get(id(a)))}) is a constant "
                              "at one batch size only: forward() depends on the batch size")
        if a.is_constant:
            if a.shape != b.shape and _uniform_along_batch(a, b, b1, b2) is not None:
                uniform.append((a, _uniform_along_batch(a, b, b1, b2)))
            elif a.shape != b.shape:
                user = next((n for n in g1.nodes if any(v is a for v in n.inputs)), None)
                raise ExportError(
                    f"dynamic_batch=True: constant '{a.name}' (an operand of {_where(user)}) has shape "
                    f"{list(a.shape)} at batch {b1} and {list(b.shape)} at batch {b2}: a tensor is built from the "
                    "batch size (e.g. zeros(x.shape[0], ...), or an LSTM's zero initial state); build it from the "
                    "input with tensor ops (zeros_like, broadcasting), or export with a fixed batch"
                )
            continue
        if a.shape == b.shape:
            continue
        differ = [d for d, (x, y) in enumerate(zip(a.shape, b.shape, strict=False)) if x != y]
        if len(a.shape) != len(b.shape) or len(differ) != 1 or (a.shape[differ[0]], b.shape[differ[0]]) != (b1, b2):
            dim = differ[0] if differ else 0
            raise ExportError(
                f"dynamic_batch=True: tensor '{a.name}' ({_where(producer.get(id(a)))}) has shape {list(a.shape)} "
                f"at batch {b1} and {list(b.shape)} at batch {b2}: the graph mixes the batch into dim {dim} with other "
                "sizes (e.g. a reshape [B, C, ...] -> [B*C, ...]), which no batch-free file can express; keep the "
                "batch a dim of its own or export with a fixed batch (dynamic_batch=False)"
            )
        a.batch_dim = differ[0]
    for a, d in uniform:
        _broadcast_instead(g1, a, d, b1)
    for n1, n2 in list(zip(g1.nodes, g2.nodes, strict=True)):  # a snapshot: rewrites insert ops into g1
        _batch_free_constants(g1, n1, n2, b1, b2)
    g1.dynamic_batch = True
    return g1


# Ops that broadcast their operands: a constant the same for every sample can have size 1 in the batch dim.
BROADCASTING = {"ADD", "SUB", "MUL", "DIV", "MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE"}


def _uniform_along_batch(a: Any, b: Any, b1: int, b2: int) -> int | None:
    """The dim of constant `a` that is the batch (b1 here, b2 in `b`) when its data is the same for every sample
    (an LSTM's zero initial state, ones(x.shape[0], ...)); None otherwise."""
    differ = [d for d, (x, y) in enumerate(zip(a.shape, b.shape, strict=False)) if x != y]
    if len(a.shape) != len(b.shape) or len(differ) != 1 or (a.shape[differ[0]], b.shape[differ[0]]) != (b1, b2):
        return None
    d = differ[0]
    first = np.take(a.data, [0], axis=d)
    same = np.array_equal(a.data, np.broadcast_to(first, a.shape), equal_nan=True) and np.array_equal(
        b.data, np.broadcast_to(first, b.shape), equal_nan=True)
    return d if same else None


def _broadcast_instead(graph: Graph, a: Any, d: int, b1: int) -> None:
    """Replace the batch-shaped constant `a` (the same for every sample along dim d) by its size-1 slice in each
    broadcasting op whose output carries the batch in dim d; refuse any other use."""
    users = [n for n in graph.nodes if any(v is a for v in n.inputs)]
    for n in users:
        out = n.outputs[0]
        if n.op not in BROADCASTING or out.batch_dim != d or len(out.shape) != len(a.shape):
            raise ExportError(
                f"dynamic_batch=True: constant '{a.name}' (an operand of {_where(n)}) has the batch size {b1} in dim "
                f"{d}: a tensor is built from the batch size (e.g. zeros(x.shape[0], ...)) and used where it cannot "
                "broadcast; build it from the input with tensor ops (zeros_like), or export with a fixed batch"
            )
    small = graph.constant(a.name, np.ascontiguousarray(np.take(a.data, [0], axis=d)))
    for n in users:
        n.inputs = [small if v is a else v for v in n.inputs]


def _differs(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return not np.array_equal(np.asarray(a), np.asarray(b))
    return repr(a) != repr(b)


def _refuse(node: Node, what: str, b1: int, b2: int) -> ExportError:
    return ExportError(
        f"dynamic_batch=True: {node.op} in module '{node.scope or '<top>'}' has the batch size in its {what} "
        f"(it changes from batch {b1} to {b2}) and Ember cannot rewrite it batch-free; export with a fixed batch "
        "(dynamic_batch=False)"
    )


def _batch_free_constants(graph: Graph, n1: Node, n2: Node, b1: int, b2: int) -> None:
    changed = [i for i, (x, y) in enumerate(zip(n1.inputs, n2.inputs, strict=True))  # (shapes that differ: shrunk)
               if x is not None and x.is_constant and x.shape == y.shape and not np.array_equal(x.data, y.data)]
    attrs = [k for k in set(n1.attrs) | set(n2.attrs) if _differs(n1.attrs.get(k), n2.attrs.get(k))]
    if not changed and not attrs:
        return
    if n1.op == "RESHAPE" and changed == [1] and set(attrs) <= {"new_shape"}:
        shape, shape2 = n1.inputs[1].data.astype(np.int64).reshape(-1), n2.inputs[1].data.reshape(-1)
        diff = np.flatnonzero(shape != shape2)
        if len(diff) == 1 and (shape[diff[0]], shape2[diff[0]]) == (b1, b2) and -1 not in shape:
            shape[diff[0]] = -1
            n1.inputs[1] = graph.constant(n1.inputs[1].name, shape.astype(n1.inputs[1].dtype))
            if "new_shape" in n1.attrs:
                n1.attrs["new_shape"] = [int(s) for s in shape]
            return
        raise _refuse(n1, "new shape", b1, b2)
    if n1.op == "STRIDED_SLICE" and changed == [2] and set(attrs) <= {"end"}:
        begin, end = n1.inputs[1].data.reshape(-1), n1.inputs[2].data.reshape(-1)
        strides = n1.inputs[3].data.reshape(-1)
        diff = np.flatnonzero(end != n2.inputs[2].data.reshape(-1))
        if len(diff) == 1 and begin[diff[0]] == 0 and strides[diff[0]] == 1 and end[diff[0]] == b1:
            d = int(diff[0])
            n1.attrs["end_mask"] = int(n1.attrs.get("end_mask", 0)) | (1 << d)  # to the end, whatever the batch
            return
        raise _refuse(n1, "slice bounds", b1, b2)
    if n1.op == "TRANSPOSE_CONV" and changed == [0] and not attrs:
        _output_shape_from_input(graph, n1, n2, b1, b2)
        return
    what = ", ".join([f"input {i} ('{n1.inputs[i].name}')" for i in changed] + [f"option '{k}'" for k in attrs])
    raise _refuse(n1, what, b1, b2)


def _output_shape_from_input(graph: Graph, n1: Node, n2: Node, b1: int, b2: int) -> None:
    """TRANSPOSE_CONV's output shape [B, H, W, C] is an operand: computed in the file from the image's batch as
    TensorFlow's converter writes it, SHAPE(input)[0:1] concatenated with the constant [H, W, C] (runtimes know
    its value at prepare, from the input's shape)."""
    shape1, shape2 = n1.inputs[0].data.reshape(-1), n2.inputs[0].data.reshape(-1)
    if len(shape1) != 4 or (shape1[0], shape2[0]) != (b1, b2) or not np.array_equal(shape1[1:], shape2[1:]):
        raise _refuse(n1, "output shape", b1, b2)
    name = n1.outputs[0].name
    shape = graph.emit(n1, "SHAPE", [n1.inputs[2]], (4,), np.int32)
    ints = [graph.constant(f"{name}/batch_{k}", np.array([v], np.int32)) for k, v in (("begin", 0), ("end", 1),
                                                                                       ("stride", 1))]
    batch = graph.emit(n1, "STRIDED_SLICE", [shape, *ints], (1,), np.int32,
                       attrs=dict(begin=[0], end=[1], strides=[1], begin_mask=0, end_mask=0, ellipsis_mask=0,
                                  new_axis_mask=0, shrink_axis_mask=0, offset=False))
    spatial = graph.constant(f"{name}/output_hwc", shape1[1:].astype(np.int32))
    n1.inputs[0] = graph.emit(n1, "CONCATENATION", [batch, spatial], (4,), np.int32,
                              attrs=dict(axis=0, fused_activation="NONE"))


def declare_batch(graph: Graph, batch: int) -> Graph:
    """Give every batch tensor of a `mark_batch` graph the declared batch in dim 0 (the file's `shape`)."""
    for v in graph.values():
        if v.batch_dim is not None and not v.is_constant:
            v.shape = tuple(batch if d == v.batch_dim else s for d, s in enumerate(v.shape))
    return graph


# ONNX ------------------------------------------------------------------------------------------------------------
def batch_free_onnx(m1: Any, m2: Any, b1: int, b2: int) -> Any:
    """The ONNX model `m1` (written at batch b1) with the batch made symbolic ('batch'), by comparison with `m2`
    (the same export at b2): inputs and outputs get the dim 'batch' (dim 0 for inputs), Reshape shapes -1, Expand
    shapes 1, Slice ends INT64_MAX; anything else that holds the batch is refused."""
    from onnx import numpy_helper

    g1, g2 = m1.graph, m2.graph
    shapes = _inferred_shapes(m1)  # at batch b1, before the inputs' dim 0 becomes symbolic
    added: list[Any] = []
    unused: set[str] = set()
    if [n.op_type for n in g1.node] != [n.op_type for n in g2.node] or len(g1.initializer) != len(g2.initializer):
        raise ExportError(f"dynamic_batch=True: the ONNX graph at batch {b1} and at batch {b2} differs: forward() "
                          "depends on the batch size; export with a fixed batch")
    for i, (n1, n2) in enumerate(zip(g1.node, g2.node, strict=True)):
        if list(n1.attribute) != list(n2.attribute):
            raise ExportError(f"dynamic_batch=True: ONNX node {i} ({n1.op_type}) has attributes that follow the batch "
                              "size; export with a fixed batch")
    for vs1, vs2 in ((g1.input, g2.input), (g1.output, g2.output)):
        for v1, v2 in zip(vs1, vs2, strict=True):
            d1, d2 = v1.type.tensor_type.shape.dim, v2.type.tensor_type.shape.dim
            values1, values2 = [d.dim_value for d in d1], [d.dim_value for d in d2]
            diff = [k for k, (x, y) in enumerate(zip(values1, values2, strict=True)) if x != y]
            if len(diff) != 1 or (values1[diff[0]], values2[diff[0]]) != (b1, b2):
                raise ExportError(f"dynamic_batch=True: ONNX tensor '{v1.name}' has shape {values1} at batch {b1} "
                                  f"and {values2} at batch {b2}: no dim of its own is the batch")
            d1[diff[0]].dim_param = "batch"
    users: dict[str, list[tuple[Any, int]]] = {}
    for n in g1.node:
        for k, name in enumerate(n.input):
            users.setdefault(name, []).append((n, k))
    for k, (t1, t2) in enumerate(zip(g1.initializer, g2.initializer, strict=True)):
        a, b = numpy_helper.to_array(t1), numpy_helper.to_array(t2)
        if a.shape == b.shape and np.array_equal(a, b):
            continue
        uses = users.get(t1.name, [])
        d = _uniform_along_batch(_Array(a), _Array(b), b1, b2) if a.shape != b.shape else None
        if d is not None and uses and all(
                n.op_type in ONNX_BROADCASTING and len(n.input) == 2 and shapes.get(n.output[0], [None] * (d + 1))[d]
                == b1 and shapes.get(n.input[1 - slot], [None] * (d + 1))[d] == b1 for n, slot in uses):
            g1.initializer[k].CopyFrom(numpy_helper.from_array(np.ascontiguousarray(np.take(a, [0], axis=d)),
                                                               t1.name))
            continue
        diff = np.flatnonzero(a.reshape(-1) != b.reshape(-1)) if a.shape == b.shape else np.array([-1])
        kinds = {(n.op_type, slot) for n, slot in uses}
        if a.ndim == 1 and len(diff) == 1 and (a[diff[0]], b[diff[0]]) == (b1, b2) and len(kinds) == 1:
            ((op, slot),) = kinds
            i = int(diff[0])
            replacement = {("Reshape", 1): -1, ("Expand", 1): 1, ("Slice", 2): INT64_MAX}.get((op, slot))
            if op == "Slice" and not all(_slice_from_zero(g1, n, i) for n, _ in uses):
                replacement = None
            if replacement is not None and not (op == "Reshape" and -1 in a):
                fixed = a.copy()
                fixed[i] = replacement
                g1.initializer[k].CopyFrom(numpy_helper.from_array(fixed.astype(a.dtype), t1.name))
                continue
        if kinds == {("Resize", 3)} and a.ndim == 1 and len(diff) == 1 and (a[diff[0]], b[diff[0]]) == (b1, b2):
            scales = _resize_scales(a, [shapes.get(n.input[0]) for n, _ in uses], int(diff[0]))
            if scales is not None:  # the same resize expressed by scales, which hold no batch
                name = f"{t1.name}/scales"
                added.append(numpy_helper.from_array(scales, name))
                for n, _ in uses:
                    n.input[2] = name
                    del n.input[3]
                unused.add(t1.name)
                continue
        ops = ", ".join(sorted(f"{op} input {slot}" for op, slot in kinds)) or "no node"
        raise ExportError(f"dynamic_batch=True: ONNX constant '{t1.name}' (used by {ops}) holds the batch size and "
                          "cannot be made batch-free; export with a fixed batch")
    kept = [t for t in g1.initializer if t.name not in unused]
    del g1.initializer[:]
    g1.initializer.extend([*kept, *added])
    return m1


def _resize_scales(sizes: np.ndarray, in_shapes: list[Any], batch_dim: int) -> np.ndarray | None:
    """Resize `sizes` as float32 scales (1 on the batch dim) when every scale is exact, so that floor(in * scale)
    and the coordinate mapping are those of the sizes; None otherwise."""
    shapes = {tuple(s) if s is not None else None for s in in_shapes}
    if len(shapes) != 1 or None in shapes or any(d is None for d in next(iter(shapes))):
        return None
    (shape,) = shapes
    scales = np.ones(len(sizes), np.float32)
    for d, (out, inp) in enumerate(zip(sizes, shape, strict=True)):
        if d == batch_dim:
            continue
        scales[d] = np.float32(out / inp)
        if float(scales[d]) != out / inp or float(scales[d]) * inp != out:
            return None
    return scales


ONNX_BROADCASTING = {"Add", "Sub", "Mul", "Div", "Max", "Min"}


def _slice_from_zero(graph: Any, node: Any, i: int) -> bool:
    """Whether Slice `node` starts at 0 with step 1 along the i-th sliced axis (so its end can be "to the end")."""
    from onnx import numpy_helper

    consts = {t.name: numpy_helper.to_array(t) for t in graph.initializer if t.name in node.input[1:]}
    starts = consts.get(node.input[1])
    steps = consts.get(node.input[4]) if len(node.input) > 4 else None
    return starts is not None and int(starts[i]) == 0 and (steps is None or int(steps[i]) == 1)


class _Array:
    """An ONNX initializer's array with the `shape`/`data` a graph Value has (for `_uniform_along_batch`)."""

    def __init__(self, data: np.ndarray) -> None:
        self.data, self.shape = data, data.shape


def _inferred_shapes(model: Any) -> dict[str, list[int | None]]:
    """Every tensor's shape in `model` from ONNX shape inference (None for an unknown dim)."""
    import onnx

    inferred = onnx.shape_inference.infer_shapes(model)
    out: dict[str, list[int | None]] = {}
    for v in (*inferred.graph.input, *inferred.graph.value_info, *inferred.graph.output):
        dims = v.type.tensor_type.shape.dim
        out[v.name] = [d.dim_value if d.HasField("dim_value") else None for d in dims]
    return out


__all__ = ["at_batch", "batch_free_onnx", "batch_sizes", "declare_batch", "mark_batch"]
