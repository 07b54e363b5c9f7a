"""The graph IR between tracing and writing: a `Graph` of `Node`s over `Value`s.

A Value is a tensor: activations have no data, constants (weights, shapes) carry a numpy array. A Node is one
op (after lowering, a TFLite builtin name such as FULLY_CONNECTED) with its attributes and the module path it
came from. Passes are functions Graph -> Graph that rewrite nodes in place and return the graph."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .quantize.qparams import QuantParams


@dataclass(eq=False)
class Value:
    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    data: np.ndarray | None = None
    quant: QuantParams | None = None  # int8/int32 tensors of a quantised graph
    batch_dim: int | None = None  # the dim that is the batch of a dynamic_batch graph (-1 in the shape signature)

    @property
    def is_constant(self) -> bool:
        return self.data is not None

    def __str__(self) -> str:
        return f"{'@' if self.is_constant else '%'}{self.name}"

    def type_str(self) -> str:
        text = f"{np.dtype(self.dtype).name}[{','.join(map(str, self.shape))}]"
        return text if self.quant is None else f"{text} {self.quant}"


@dataclass(eq=False)
class Node:
    op: str
    inputs: list[Value | None]
    outputs: list[Value]
    attrs: dict[str, Any] = field(default_factory=dict)
    scope: str = ""

    def __str__(self) -> str:
        outs = ", ".join(str(v) for v in self.outputs)
        ins = ", ".join("-" if v is None else str(v) for v in self.inputs)
        attrs = " {" + ", ".join(f"{k}: {_short(v)}" for k, v in self.attrs.items()) + "}" if self.attrs else ""
        types = ", ".join(v.type_str() for v in self.outputs)
        return f"{outs} = {self.op}({ins}){attrs} : {types}" + (f"  # {self.scope}" if self.scope else "")


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


class Graph:
    def __init__(self, name: str = "model") -> None:
        self.name = name
        self.inputs: list[Value] = []
        self.outputs: list[Value] = []
        self.nodes: list[Node] = []
        self.layouts: dict[str, str] = {}  # graph input/output name -> "NHWC"/"NCHW", set by the layout pass
        self.dynamic_batch = False  # values with `batch` set take any batch size (dynamic_batch.py)
        self._names: set[str] = set()
        self._counter = itertools.count()

    # construction ---------------------------------------------------------------------------------------
    def unique_name(self, base: str) -> str:
        name = base or f"t{next(self._counter)}"
        while name in self._names:
            name = f"{base or 't'}_{next(self._counter)}"
        self._names.add(name)
        return name

    def value(self, base: str, shape: tuple[int, ...], dtype: Any, data: np.ndarray | None = None) -> Value:
        return Value(self.unique_name(base), tuple(int(s) for s in shape), np.dtype(dtype), data)

    def constant(self, base: str, data: np.ndarray) -> Value:
        data = np.ascontiguousarray(data)
        return self.value(base, data.shape, data.dtype, data)

    def add_node(self, op: str, inputs: list[Value | None], outputs: list[Value], attrs: dict[str, Any] | None = None,
                 scope: str = "", index: int | None = None) -> Node:
        node = Node(op, list(inputs), list(outputs), dict(attrs or {}), scope)
        self.nodes.insert(len(self.nodes) if index is None else index, node)
        return node

    def emit(self, before: Node, op: str, inputs: list[Value | None], shape: tuple[int, ...], dtype: Any = None,
             attrs: dict[str, Any] | None = None) -> Value:
        """Insert `op` just before node `before` (same scope); returns its single new output value."""
        dtype = dtype if dtype is not None else next(v.dtype for v in inputs if v is not None)
        out = self.value(f"{before.outputs[0].name}/{op.lower()}", shape, dtype)
        self.add_node(op, inputs, [out], attrs, before.scope, index=self.nodes.index(before))
        return out

    def copy(self) -> Graph:
        """A copy with its own Values and Nodes (constant arrays shared: passes replace arrays, never write them)."""
        out = Graph(self.name)
        out._names = set(self._names)
        out._counter = itertools.count(len(out._names))
        copies: dict[int, Value] = {}

        def copy(v: Value | None) -> Value | None:
            if v is None:
                return None
            if id(v) not in copies:
                copies[id(v)] = Value(v.name, v.shape, v.dtype, v.data, v.quant, v.batch_dim)
            return copies[id(v)]

        out.inputs = [copy(v) for v in self.inputs]
        out.nodes = [Node(n.op, [copy(v) for v in n.inputs], [copy(v) for v in n.outputs], dict(n.attrs), n.scope)
                     for n in self.nodes]
        out.outputs = [copy(v) for v in self.outputs]
        out.layouts = dict(self.layouts)
        out.dynamic_batch = self.dynamic_batch
        return out

    # queries --------------------------------------------------------------------------------------------
    def producer(self, value: Value) -> Node | None:
        return next((n for n in self.nodes if any(o is value for o in n.outputs)), None)

    def consumers(self, value: Value) -> list[Node]:
        return [n for n in self.nodes if any(i is value for i in n.inputs)]

    def values(self) -> list[Value]:
        """Every value, in first-use order: inputs, then each node's inputs and outputs."""
        seen: dict[int, Value] = {}
        for v in self.inputs:
            seen.setdefault(id(v), v)
        for n in self.nodes:
            for v in (*n.inputs, *n.outputs):
                if v is not None:
                    seen.setdefault(id(v), v)
        for v in self.outputs:
            seen.setdefault(id(v), v)
        return list(seen.values())

    def replace_uses(self, old: Value, new: Value) -> None:
        for n in self.nodes:
            n.inputs = [new if v is old else v for v in n.inputs]
        self.outputs = [new if v is old else v for v in self.outputs]

    def op_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for n in self.nodes:
            counts[n.op] = counts.get(n.op, 0) + 1
        return counts

    def __str__(self) -> str:
        ins = ", ".join(f"{v}: {v.type_str()}" for v in self.inputs)
        outs = ", ".join(f"{v}: {v.type_str()}" for v in self.outputs)
        consts = [v for v in self.values() if v.is_constant]
        lines = [f"graph {self.name}({ins}) -> ({outs})"]
        lines += [f"  {v}: {v.type_str()}" for v in consts]
        lines += [f"  {n}" for n in self.nodes]
        return "\n".join(lines)

    __repr__ = __str__
