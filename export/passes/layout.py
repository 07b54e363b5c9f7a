"""Layout NCHW -> NHWC: Ember computes on NCHW images, TFLite's spatial ops want NHWC.

Each value keeps its logical (Ember) shape and gets a physical permutation: the tensor TFLite stores is
`logical.transpose(perm)`. Images are stored NHWC (perm 0,2,3,1) from the input onwards; elementwise ops,
concatenation, padding and reductions follow their input's permutation by rewriting axes and transposing constants,
so no TRANSPOSE is needed between them. A flatten feeding FULLY_CONNECTED permutes the FC's weight columns instead of
the activations, and a user's TRANSPOSE only changes the permutation. A TRANSPOSE is inserted only where an op
needs a layout its input cannot be given otherwise (never in the common CNN patterns)."""

from __future__ import annotations

import math

import numpy as np

from ..errors import ExportError
from ..ir import Graph, Node, Value

Perm = tuple[int, ...]
NHWC: Perm = (0, 2, 3, 1)
SPATIAL = {"CONV_2D", "DEPTHWISE_CONV_2D", "MAX_POOL_2D", "AVERAGE_POOL_2D", "RESIZE_NEAREST_NEIGHBOR",
           "RESIZE_BILINEAR"}
ELEMENTWISE = {"ADD", "SUB", "MUL", "DIV", "MAXIMUM", "MINIMUM", "RELU", "RELU6", "RELU_N1_TO_1", "LEAKY_RELU",
               "LOGISTIC", "TANH", "HARD_SWISH", "GELU", "RSQRT", "SQRT", "EXP", "LOG", "ABS", "SELECT_V2", "CAST",
               "PRELU", "ELU", "EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL"}
REDUCERS = {"MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN"}


def identity(rank: int) -> Perm:
    return tuple(range(rank))


class _Layout:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.logical = {id(v): v.shape for v in graph.values()}
        self.placed: dict[int, tuple[Value, Perm]] = {}  # logical value -> (stored value, perm)
        self.converted: dict[tuple[int, Perm], Value] = {}
        self.consumers: dict[int, list[Node]] = {}
        for n in graph.nodes:
            for v in n.inputs:
                if v is not None:
                    self.consumers.setdefault(id(v), []).append(n)
        self.nodes: list[Node] = []

    # helpers --------------------------------------------------------------------------------------------
    def where(self, v: Value) -> tuple[Value, Perm]:
        return self.placed.get(id(v), (v, identity(len(v.shape))))

    def place(self, logical: Value, stored: Value, perm: Perm) -> None:
        self.placed[id(logical)] = (stored, perm)
        if stored is logical:
            shape = self.logical[id(logical)]
            logical.shape = tuple(shape[i] for i in perm)

    def ensure(self, v: Value, target: Perm) -> Value:
        """`v` stored with permutation `target`: a transposed constant, or a TRANSPOSE when unavoidable."""
        stored, perm = self.where(v)
        if perm == target:
            return stored
        key = (id(v), target)
        if key not in self.converted:
            t = [perm.index(i) for i in target]
            if stored.is_constant:
                data = stored.data.transpose(np.argsort(perm)).transpose(target)
                self.converted[key] = self.graph.constant(stored.name, data)
            else:
                out = self.graph.value(f"{stored.name}/transposed", tuple(stored.shape[i] for i in t), stored.dtype)
                perm_value = self.graph.constant(f"{out.name}/perm", np.array(t, np.int32))
                self.nodes.append(Node("TRANSPOSE", [stored, perm_value], [out], {"perm": t}, "layout"))
                self.converted[key] = out
        return self.converted[key]

    def constant_like(self, c: Value, rank: int, target: Perm) -> Value:
        """A constant broadcast against a permuted tensor: pad its rank (NumPy aligns trailing dims), then permute."""
        if target == identity(rank) or c.data.ndim == 0:
            return c
        data = c.data.reshape((1,) * (rank - c.data.ndim) + c.data.shape).transpose(target)
        return self.graph.constant(c.name, np.ascontiguousarray(data))

    # ops ------------------------------------------------------------------------------------------------
    def run(self) -> Graph:
        g = self.graph
        if any(n.op in SPATIAL for n in g.nodes):
            for v in g.inputs:
                if len(v.shape) == 4 and np.issubdtype(v.dtype, np.floating):
                    self.place(v, v, NHWC)
        handlers = {"CONCATENATION": self._concatenation, "PAD": self._pad, "TRANSPOSE": self._transpose,
                    "RESHAPE": self._reshape, "SOFTMAX": self._softmax, "LOG_SOFTMAX": self._softmax,
                    "BATCH_MATMUL": self._batch_matmul, "TRANSPOSE_CONV": self._transpose_conv,
                    "STRIDED_SLICE": self._strided_slice, "SPLIT_V": self._split}
        handlers.update({op: self._spatial for op in SPATIAL})
        handlers.update({op: self._elementwise for op in ELEMENTWISE})
        handlers.update({op: self._reduce for op in REDUCERS})
        for node in g.nodes:
            handlers.get(node.op, self._default)(node)
        outputs = []
        for v in g.outputs:
            stored, perm = self.where(v)
            if perm not in (identity(len(perm)), NHWC):
                stored, perm = self.ensure(v, identity(len(perm))), identity(len(perm))
            outputs.append(stored)
            if len(perm) == 4:
                g.layouts[stored.name] = "NHWC" if perm == NHWC else "NCHW"
        for v in g.inputs:
            if len(v.shape) == 4:
                g.layouts[v.name] = "NHWC" if self.where(v)[1] == NHWC else "NCHW"
        g.outputs, g.nodes = outputs, self.nodes
        return g

    def emit(self, node: Node, perm: Perm) -> None:
        self.nodes.append(node)
        for out in node.outputs:
            self.place(out, out, perm)

    def _default(self, node: Node) -> None:
        node.inputs = [v if v is None or v.is_constant else self.ensure(v, identity(len(v.shape)))
                       for v in node.inputs]
        self.emit(node, identity(len(node.outputs[0].shape)))

    def _spatial(self, node: Node) -> None:
        node.inputs[0] = self.ensure(node.inputs[0], NHWC)
        self.emit(node, NHWC)

    def _elementwise(self, node: Node) -> None:
        rank = len(node.outputs[0].shape)
        live = [v for v in node.inputs if not v.is_constant]
        target = identity(rank)
        if all(len(v.shape) == rank for v in live):
            target = next((p for _, p in map(self.where, live) if p != identity(rank)), target)
        node.inputs = [self.constant_like(v, rank, target) if v.is_constant else self.ensure(v, target)
                       for v in node.inputs]
        self.emit(node, target)

    def _concatenation(self, node: Node) -> None:
        live = [v for v in node.inputs if not v.is_constant]
        target = self.where(live[0])[1] if live else identity(len(node.outputs[0].shape))
        node.inputs = [self.ensure(v, target) for v in node.inputs]
        node.attrs["axis"] = target.index(node.attrs["axis"])
        self.emit(node, target)

    def _pad(self, node: Node) -> None:
        x, paddings = node.inputs
        stored, perm = self.where(x)
        node.inputs = [stored, self.graph.constant(paddings.name, np.ascontiguousarray(paddings.data[list(perm)]))]
        self.emit(node, perm)

    def _reduce(self, node: Node) -> None:
        x, axes = node.inputs
        stored, perm = self.where(x)
        logical_axes = {int(a) for a in axes.data.reshape(-1)}
        physical_axes = sorted(perm.index(a) for a in logical_axes)
        node.inputs = [stored, self.graph.constant(axes.name, np.array(physical_axes, np.int32))]
        if node.attrs.get("keep_dims"):
            out_perm = perm
        else:
            kept = [d for d in perm if d not in logical_axes]  # logical dims, in stored order
            out_perm = tuple(sorted(kept).index(d) for d in kept)
        self.emit(node, out_perm)

    def _transpose(self, node: Node) -> None:
        # out = in.transpose(q); stored = in.transpose(p)  =>  stored = out.transpose(r) with q[r[i]] = p[i].
        stored, p = self.where(node.inputs[0])
        q = tuple(node.attrs["perm"])
        self.placed[id(node.outputs[0])] = (stored, tuple(q.index(i) for i in p))

    def _reshape(self, node: Node) -> None:
        x = node.inputs[0]
        stored, perm = self.where(x)
        shape = self.logical[id(x)]
        out = node.outputs[0]
        rank = len(perm)
        moved = [d for d in perm if shape[d] != 1]
        if (perm == identity(rank) or moved == sorted(moved)) and not self._feeds_spatial(out):
            node.inputs[0] = stored  # same element order either way
        elif (out_perm := self._unit_dims_only(shape, perm, self.logical[id(out)])) is not None:
            # Only size-1 dims come or go (Conv1d's unsqueeze/squeeze around its CONV_2D): the stored elements are
            # already in the order of the output stored as `out_perm`, so the RESHAPE moves nothing.
            node.inputs[0] = stored
            node.attrs["new_shape"] = [self.logical[id(out)][d] for d in out_perm]
            node.inputs[1] = self.graph.constant(node.inputs[1].name, np.array(node.attrs["new_shape"], np.int32))
            self.emit(node, out_perm)
            return
        elif self._permute_fc_columns(node, stored, perm, shape):
            node.inputs[0] = stored
        else:
            node.inputs[0] = self.ensure(x, identity(rank))
        self.emit(node, identity(len(out.shape)))

    def _feeds_spatial(self, v: Value) -> bool:
        """An unsqueeze to 4-D right before a CONV_2D (Conv1d): worth placing NHWC if no element moves."""
        return len(self.logical[id(v)]) == 4 and any(u.op in SPATIAL for u in self.consumers.get(id(v), []))

    @staticmethod
    def _unit_dims_only(shape: tuple[int, ...], perm: Perm, out_shape: tuple[int, ...]) -> Perm | None:
        """The stored order of the output of a reshape that only adds or drops size-1 dims, such that the stored
        elements need not move: NHWC for an image when possible, else the input's order with the unit dims kept in
        place. None when the reshape does more."""
        in_dims = [d for d in range(len(shape)) if shape[d] != 1]
        out_dims = [d for d in range(len(out_shape)) if out_shape[d] != 1]
        if [shape[d] for d in in_dims] != [out_shape[d] for d in out_dims]:
            return None
        to_out = dict(zip(in_dims, out_dims, strict=True))
        order = [to_out[d] for d in perm if shape[d] != 1]  # output dims in stored order
        rank = len(out_shape)
        units = [d for d in range(rank) if out_shape[d] == 1]
        fallback = list(order)
        for u in units:  # a unit dim goes where its logical index puts it
            fallback.insert(min(u, len(fallback)), u)
        for candidate in ((NHWC,) if rank == 4 else ()) + (identity(rank), tuple(fallback)):
            if [d for d in candidate if out_shape[d] != 1] == order:
                return candidate
        return None

    def _permute_fc_columns(self, node: Node, stored: Value, perm: Perm, shape: tuple[int, ...]) -> bool:
        """Flatten -> FULLY_CONNECTED: reorder the FC's weight columns to the stored (e.g. NHWC) element order."""
        out = node.outputs[0]
        users = self.consumers.get(id(out), [])
        if (
            perm[0] != 0
            or self.logical[id(out)] != (shape[0], math.prod(shape[1:]))
            or out in self.graph.outputs
            or not users
            or any(u.op != "FULLY_CONNECTED" or u.inputs[0] is not out or not u.inputs[1].is_constant
                   or any(v is out for v in u.inputs[1:]) for u in users)
        ):
            return False
        for user in users:
            w = user.inputs[1]
            columns = w.data.reshape(w.shape[0], *shape[1:]).transpose(0, *perm[1:]).reshape(w.shape[0], -1)
            user.inputs[1] = self.graph.constant(w.name, np.ascontiguousarray(columns))
        return True

    def _softmax(self, node: Node) -> None:
        x = node.inputs[0]
        stored, perm = self.where(x)
        axis = node.attrs.pop("axis", len(perm) - 1)
        if perm[-1] == axis:
            node.inputs[0] = stored
            self.emit(node, perm)
            return
        if axis != len(perm) - 1:
            raise ExportError(
                f"{node.op} over dim {axis} of a rank-{len(perm)} tensor in module '{node.scope or '<top>'}': "
                "TFLite normalises over the last axis; transpose so the class axis is last"
            )
        node.inputs[0] = self.ensure(x, identity(len(perm)))
        self.emit(node, identity(len(perm)))

    def _transpose_conv(self, node: Node) -> None:
        # inputs: output_shape (written NHWC by the rule), weights, the image, bias
        node.inputs[2] = self.ensure(node.inputs[2], NHWC)
        node.attrs.pop("output_shape_nhwc", None)
        self.emit(node, NHWC)

    def _strided_slice(self, node: Node) -> None:
        """A slice that keeps every axis follows its input's permutation (begin/end/strides and masks permuted)."""
        x, begin, end, strides = node.inputs
        stored, perm = self.where(x)
        a = node.attrs
        if any(a.get(m, 0) for m in ("shrink_axis_mask", "new_axis_mask", "ellipsis_mask")) or perm == identity(
                len(perm)):
            self._default(node)
            return
        def permuted(v: Value) -> Value:
            return self.graph.constant(v.name, np.ascontiguousarray(v.data[list(perm)]))

        def bits(mask: int) -> int:
            return sum(1 << i for i, d in enumerate(perm) if (mask >> d) & 1)

        node.inputs = [stored, permuted(begin), permuted(end), permuted(strides)]
        for m in ("begin_mask", "end_mask"):
            a[m] = bits(a.get(m, 0))
        self.emit(node, perm)

    def _split(self, node: Node) -> None:
        x, sizes, axis = node.inputs
        stored, perm = self.where(x)
        physical = perm.index(int(node.attrs["axis"]))
        node.inputs = [stored, sizes, self.graph.constant(axis.name, np.array(physical, np.int32))]
        node.attrs["axis"] = physical
        for out in node.outputs:
            self.place(out, out, perm)
        self.nodes.append(node)

    def _batch_matmul(self, node: Node) -> None:
        for i, flag in ((0, "adj_x"), (1, "adj_y")):
            v = node.inputs[i]
            stored, perm = self.where(v)
            rank = len(perm)
            swapped = identity(rank)[:-2] + (rank - 1, rank - 2)
            if not v.is_constant and perm == swapped:  # a transposed operand is BATCH_MATMUL's adjoint flag
                node.inputs[i], node.attrs[flag] = stored, not node.attrs.get(flag, False)
            else:
                node.inputs[i] = self.ensure(v, identity(rank))
        self.emit(node, identity(len(node.outputs[0].shape)))


def convert_layout(graph: Graph) -> Graph:
    return _Layout(graph).run()
