"""Define-by-run capture: run the model on an example input and record every Function it applies, with the
module path of each op (like torch.jit.trace).

Data-dependent control flow cannot be a static graph, so it is refused where it happens: turning a tensor computed
from the input into a Python value (`.item()`, `bool()` of a comparison in an `if`, `float()`, `int()`, `.tolist()`,
`.numpy()`, `np.asarray`) raises a TraceError naming the module and the user's source line, unless it runs inside
`static()`. As a backstop, a second run on a genuinely different example must record the same graph."""

from __future__ import annotations

import contextlib
import inspect
import linecache
import os
import sys
import warnings
from typing import Any

import numpy as np

import ember
from ember.autograd import add_apply_hook
from ember.nn import Module
from ember.nn.modules import register_module_forward_hook, register_module_forward_pre_hook
from ember.tensor import add_conversion_hook

from .ir import Graph, Node


class TraceError(RuntimeError):
    """The model cannot be captured as one static graph; the message names the module and the cause."""


class static(contextlib.ContextDecorator):  # noqa: N801 - used like a function: `with ember.export.static():`
    """Mark tensor -> Python conversions as static for export: inside `with ember.export.static():` (or in a function
    decorated `@ember.export.static()`), `.item()`, `bool()`, `float()`, ... on a traced tensor are allowed and the
    value of the example input is recorded as a constant of the graph (the second, checking run is handed the
    same values). Use it only when the value is the same for every input the model will see."""

    depth = 0

    def __enter__(self) -> static:
        static.depth += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        static.depth -= 1


_CONVERSIONS = {"item": ".item()", "bool": "bool() (an `if`, `while`, `and`, `or` or `not` on a tensor)",
                "float": "float()", "int": "int()", "tolist": ".tolist()", "numpy": ".numpy()",
                "__array__": "a numpy conversion (np.asarray / np.array)"}
# Frames in these folders are ember's (or numpy's) own: the site of a conversion is the first frame outside them.
_OWN_FOLDERS = tuple(os.path.dirname(os.path.abspath(m.__file__)) + os.sep
                     for m in (ember, sys.modules[__package__], np))


def _user_site() -> tuple[str, int]:
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_OWN_FOLDERS):
        frame = frame.f_back
    return ("<unknown>", 0) if frame is None else (frame.f_code.co_filename, frame.f_lineno)


class _Recorder:
    def __init__(self, model: Module, examples: tuple[ember.Tensor, ...], names: list[str],
                 replay: list[tuple] | None = None) -> None:
        self.graph = Graph(type(model).__name__)
        self.module_names = {id(m): name for name, m in model.named_modules()}
        self.param_names = {id(p): name for name, p in (*model.named_parameters(), *model.named_buffers())}
        self.values: dict[int, Any] = {}
        self.keep: list[Any] = []  # holds traced tensors so their ids stay unique while tracing
        self.scope: list[str] = []
        self.calls: list[tuple[Any, ...]] = []  # the op sequence, to compare two runs
        self.statics: list[tuple[str, tuple[str, int], Any]] = []  # (kind, site, value) converted under static()
        self.dynamic = {id(x) for x in examples}  # ids of tensors computed from the inputs (all are in `keep`)
        self.replay = None if replay is None else list(reversed(replay))  # the first run's statics, for the second
        for example, name in zip(examples, names, strict=True):
            value = self.graph.value(name, example.shape, example.dtype)
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

    def _scope(self) -> str:
        return next((s for s in reversed(self.scope) if s), "")

    def on_convert(self, tensor: ember.Tensor, kind: str, value: Any) -> Any:
        if kind == "detach":  # the same value in the graph, not a constant frozen from the example
            if id(tensor) in self.values:
                self._bind(value, self.values[id(tensor)])
                if id(tensor) in self.dynamic:
                    self.dynamic.add(id(value))
            return value
        if id(tensor) not in self.dynamic:  # parameters, buffers and what is computed from them alone are static
            return value
        site = _user_site()
        if static.depth == 0:
            file, line = site
            code = linecache.getline(file, line).strip()
            raise TraceError(
                f"module '{self._scope() or '<top>'}' turns a tensor computed from the input into a Python value with "
                f"{_CONVERSIONS[kind]} at {file}:{line}{f' (`{code}`)' if code else ''}: that is data-dependent "
                "control flow, and the exported graph would keep the branch, loop count or number of this one "
                "example input. Compute it with tensor ops (ember.where, clamp, masks) instead, or, if the value "
                "is the same for every input, wrap it in `with ember.export.static():` to record it as a constant"
            )
        if self.replay is None:
            self.statics.append((kind, site, np.array(value, copy=True) if isinstance(value, np.ndarray) else value))
            return value
        if not self.replay or self.replay[-1][:2] != (kind, site):
            raise TraceError(
                f"module '{self._scope() or '<top>'}': the static() conversions at {site[0]}:{site[1]} ran in a "
                "different order on a second example: the model's control flow depends on its input; export needs "
                "one static graph"
            )
        recorded = self.replay.pop()[2]
        return recorded.copy() if isinstance(recorded, np.ndarray) else recorded

    def on_apply(self, fn: Any, inputs: tuple, outputs: tuple) -> None:
        scope = self._scope()
        ins = [self._value_of(t) for t in inputs]
        outs = []
        for t in outputs:
            value = self.graph.value(scope.replace(".", "/") or fn.name.lower(), t.shape, t.dtype)
            self._bind(t, value)
            outs.append(value)
        if any(id(t) in self.dynamic for t in inputs):
            self.dynamic.update(id(t) for t in outputs)
        self.graph.add_node(fn.name, ins, outs, dict(fn.attrs), scope)
        self.calls.append((fn.name, scope, tuple(v.shape for v in ins), _attr_key(fn.attrs)))


def _attr_key(attrs: dict[str, Any]) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in attrs.items()))


def _record(model: Module, examples: tuple[ember.Tensor, ...], names: list[str],
            replay: list[tuple] | None = None) -> _Recorder:
    rec = _Recorder(model, examples, names, replay)
    removers = [register_module_forward_pre_hook(rec.pre_hook), register_module_forward_hook(rec.post_hook),
                add_apply_hook(rec.on_apply), add_conversion_hook(rec.on_convert)]
    try:
        with ember.no_grad():
            out = model(*examples)
    finally:
        for remove in removers:
            remove()
    outs = out if isinstance(out, (tuple, list)) else (out,)
    for i, t in enumerate(outs):
        if not isinstance(t, ember.Tensor):
            raise TraceError(f"{type(model).__name__}.forward returned {type(t).__name__}; export needs tensors")
        if id(t) not in rec.dynamic:
            raise TraceError(
                f"output {i} of {type(model).__name__} does not depend on its input{'s' if len(examples) > 1 else ''}: "
                "no recorded op connects them. "
                "Work outside ember's ops (`.data`, `.detach()`, numpy) cuts the trace; compute the output with "
                "ember ops"
            )
        rec.graph.outputs.append(rec.values[id(t)])
    return rec


def _second_example(example: ember.Tensor, seed: int = 12345) -> ember.Tensor:
    """An input that takes other branches than the example: floats of the opposite sign, shifted by two spreads and
    three times as spread (`x.mean() > 0.3` and `x.max() > 0.9` flip for inputs in [0, 1)); integers drawn anew
    within the example's range (token ids stay valid); booleans negated."""
    data = example.cpu().data
    rng = np.random.default_rng(seed)
    if data.size == 0:
        other = data.copy()
    elif np.issubdtype(data.dtype, np.floating):
        finite = data[np.isfinite(data)]
        mean = float(np.mean(finite)) if finite.size else 0.0
        spread = (float(np.std(finite)) if finite.size else 0.0) or max(abs(mean), 1.0)
        other = rng.normal(-mean - 2 * spread, 3 * spread, data.shape).astype(data.dtype)
    elif data.dtype == np.bool_:
        other = ~data
    else:
        lo, hi = data.min(), data.max()
        other = rng.integers(lo, hi, data.shape, endpoint=True).astype(data.dtype)
        if np.array_equal(other, data):
            other = (int(hi) + int(lo) - data.astype(np.int64)).astype(data.dtype)  # mirrored in the range
    return ember.tensor(other)


def example_tensors(example_input: Any) -> tuple[ember.Tensor, ...]:
    """The positional arguments of forward() an example stands for: a tuple (or a list of tensors/arrays) is one
    argument per item, anything else is one tensor."""
    items = example_input if isinstance(example_input, tuple) or (
        isinstance(example_input, list) and example_input
        and all(isinstance(x, (ember.Tensor, np.ndarray)) for x in example_input)) else (example_input,)
    if not items:
        raise TraceError("the example input is an empty tuple: pass one example tensor per argument of forward()")
    return tuple(x if isinstance(x, ember.Tensor) else ember.tensor(x) for x in items)


def input_names(model: Module, count: int) -> list[str]:
    """Graph input names: "input" for a single input (as before), else forward()'s parameter names in order."""
    if count == 1:
        return ["input"]
    try:
        params = list(inspect.signature(model.forward).parameters.values())
    except (TypeError, ValueError):
        params = []
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][:count]
    return positional + [f"input_{i}" for i in range(len(positional), count)]  # *args


def trace(model: Module, example_input: Any, check: bool = True) -> Graph:
    """Record `model(*examples)` in eval mode as a Graph (one graph input per example tensor, in order); with
    `check`, refuse data-dependent control flow."""
    examples = example_tensors(example_input)
    names = input_names(model, len(examples))
    was_training = model.training
    model.eval()
    try:
        first = _record(model, examples, names)
        if check:
            with np.errstate(all="ignore"):  # the other example may be outside the model's domain (log, sqrt)
                others = tuple(_second_example(x, seed) for seed, x in enumerate(examples, start=12345))
                second = _record(model, others, names, replay=first.statics)
            _compare(first.calls, second.calls)
    finally:
        model.train(was_training)
    return first.graph


def warn_unused_inputs(graph: Graph) -> None:
    """An input no op of the (dead-code-free) graph reads stays an input of the file, as TensorFlow's converter
    keeps it: callers still feed it. A warning names it, since it often means the trace was cut."""
    used = {id(v) for n in graph.nodes for v in n.inputs if v is not None} | {id(v) for v in graph.outputs}
    for v in graph.inputs:
        if id(v) not in used:
            warnings.warn(
                f"input '{v.name}' of {graph.name} is not used by the exported graph: it is kept as an input of the "
                "file (as TensorFlow's converter keeps it), and its value is ignored. If forward() does use it, "
                "work outside ember's ops (`.data`, numpy) cut the trace there", UserWarning, stacklevel=3)


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


__all__ = ["Graph", "Node", "TraceError", "example_tensors", "input_names", "static", "trace",
           "warn_unused_inputs"]
