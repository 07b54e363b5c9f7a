"""Define-by-run capture: run the model on an example input and record every Function it applies, with the
module path of each op (like torch.jit.trace). A second run on a different example must record the same
graph; otherwise the model has data-dependent control flow and cannot be exported as a static graph."""

from __future__ import annotations

from typing import Any

import numpy as np

import ember
from ember.autograd import add_apply_hook
from ember.nn import Module
from ember.nn.modules import register_module_forward_hook, register_module_forward_pre_hook

from .ir import Graph, Node


class TraceError(RuntimeError):
    """The model cannot be captured as one static graph; the message names the module and the cause."""


class _Recorder:
    def __init__(self, model: Module, example: ember.Tensor) -> None:
        self.graph = Graph(type(model).__name__)
        self.module_names = {id(m): name for name, m in model.named_modules()}
        self.param_names = {id(p): name for name, p in (*model.named_parameters(), *model.named_buffers())}
        self.values: dict[int, Any] = {}
        self.keep: list[Any] = []  # holds traced tensors so their ids stay unique while tracing
        self.scope: list[str] = []
        self.calls: list[tuple[Any, ...]] = []  # the op sequence, to compare two runs
        value = self.graph.value("input", example.shape, example.dtype)
        self.graph.inputs.append(value)
        self._bind(example, value)

    def _bind(self, tensor: ember.Tensor, value: Any) -> None:
        self.values[id(tensor)] = value
        self.keep.append(tensor)

    def _value_of(self, tensor: ember.Tensor) -> Any:
        value = self.values.get(id(tensor))
        if value is None:
            base = self.param_names.get(id(tensor), "const")
            value = self.graph.constant(base, np.array(tensor.cpu().data, copy=True))
            self._bind(tensor, value)
        return value

    def pre_hook(self, module: Module, args: tuple) -> None:
        self.scope.append(self.module_names.get(id(module), type(module).__name__))

    def post_hook(self, module: Module, args: tuple, out: Any) -> None:
        self.scope.pop()

    def on_apply(self, fn: Any, inputs: tuple, outputs: tuple) -> None:
        scope = next((s for s in reversed(self.scope) if s), "")
        ins = [self._value_of(t) for t in inputs]
        outs = []
        for t in outputs:
            value = self.graph.value(scope.replace(".", "/") or fn.name.lower(), t.shape, t.dtype)
            self._bind(t, value)
            outs.append(value)
        self.graph.add_node(fn.name, ins, outs, dict(fn.attrs), scope)
        self.calls.append((fn.name, scope, tuple(v.shape for v in ins), _attr_key(fn.attrs)))


def _attr_key(attrs: dict[str, Any]) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in attrs.items()))


def _record(model: Module, example: ember.Tensor) -> _Recorder:
    rec = _Recorder(model, example)
    removers = [register_module_forward_pre_hook(rec.pre_hook), register_module_forward_hook(rec.post_hook),
                add_apply_hook(rec.on_apply)]
    try:
        with ember.no_grad():
            out = model(example)
    finally:
        for remove in removers:
            remove()
    outs = out if isinstance(out, (tuple, list)) else (out,)
    for t in outs:
        if not isinstance(t, ember.Tensor):
            raise TraceError(f"{type(model).__name__}.forward returned {type(t).__name__}; export needs tensors")
        if id(t) not in rec.values:
            raise TraceError("the model's output does not depend on its input (no op was recorded)")
        rec.graph.outputs.append(rec.values[id(t)])
    return rec


def _second_example(example: ember.Tensor) -> ember.Tensor:
    data = example.cpu().data
    rng = np.random.default_rng(12345)
    if np.issubdtype(data.dtype, np.floating):
        spread = float(np.std(data)) or 1.0
        other = rng.normal(float(np.mean(data)), spread, data.shape).astype(data.dtype)
    else:
        other = rng.permutation(data.reshape(-1)).reshape(data.shape) if data.size else data.copy()
    return ember.tensor(other)


def trace(model: Module, example_input: Any, check: bool = True) -> Graph:
    """Record `model(example_input)` in eval mode as a Graph; with `check`, refuse data-dependent control flow."""
    example = example_input if isinstance(example_input, ember.Tensor) else ember.tensor(example_input)
    was_training = model.training
    model.eval()
    try:
        first = _record(model, example)
        if check:
            second = _record(model, _second_example(example))
            _compare(first.calls, second.calls)
    finally:
        model.train(was_training)
    return first.graph


def _compare(a: list[tuple], b: list[tuple]) -> None:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            raise TraceError(
                f"module '{x[1] or y[1] or '<top>'}' ran {x[0]} on one example and {y[0]} on another (op {i}): "
                "its forward() has data-dependent control flow (a Python `if`/loop on tensor values). Export "
                "needs one static graph: replace the branch with tensor ops or move it out of forward()"
            )
    if len(a) != len(b):
        last = (a if len(a) > len(b) else b)[min(len(a), len(b))]
        raise TraceError(
            f"module '{last[1] or '<top>'}' ran a different number of ops on two examples ({len(a)} vs {len(b)}): "
            "its forward() has data-dependent control flow; export needs one static graph"
        )


__all__ = ["Graph", "Node", "TraceError", "trace"]
