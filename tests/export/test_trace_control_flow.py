"""Data-dependent control flow is refused where it happens: a traced tensor turned into a Python value names the
module path and the user's source line; `ember.export.static()` allows it and records the value as a constant.
Oracles: LiteRT runs the exported file; the closed form of each model on the example input."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter, OpResolverType

import ember
import ember.export
from ember import nn

RNG = np.random.default_rng(7)
X = RNG.random((2, 4), dtype=np.float32)  # uniform in [0, 1): mean about 0.5, max above 0.9


def _line(cls: type, marker: str) -> int:
    """The source line of `cls` that contains `marker` (where the refusal must point)."""
    lines, start = inspect.getsourcelines(cls)
    return start + next(i for i, text in enumerate(lines) if marker in text)


class MeanGate(nn.Module):
    def forward(self, x):
        if x.mean().item() > 0.3:  # mark: mean-item
            return x * 2
        return x


class MaxGate(nn.Module):
    def forward(self, x):
        if x.max() > 0.9:  # mark: max-bool
            return x.relu()
        return -x


class ItemLoop(nn.Module):
    def forward(self, x):
        for _ in range(int(x.sum().item())):  # mark: loop-count
            x = x * 0.5
        return x


class FedBack(nn.Module):
    def forward(self, x):
        scale = x.abs().max().item()  # mark: fed-back
        return x / ember.tensor(scale)


class Conversions(nn.Module):
    def __init__(self, convert):
        super().__init__()
        self.convert = convert

    def forward(self, x):
        self.convert(x.sum())
        return x * 2


def _wrapped(inner: nn.Module) -> nn.Module:
    class Body(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.gate = inner

        def forward(self, x):
            return self.gate(self.fc(x).sigmoid())

    return nn.Sequential(nn.Identity(), Body())


@pytest.mark.parametrize("inner, marker, what", [
    (MeanGate(), "mark: mean-item", r"\.item\(\)"),
    (MaxGate(), "mark: max-bool", r"bool\(\)"),
    (ItemLoop(), "mark: loop-count", r"\.item\(\)"),
    (FedBack(), "mark: fed-back", r"\.item\(\)"),
], ids=["if-mean-item", "if-max-compare", "loop-count-from-item", "item-fed-back"])
def test_conversion_of_a_traced_tensor_is_refused_with_module_and_line(inner, marker, what):
    line = _line(type(inner), marker)
    with pytest.raises(ember.export.TraceError) as info:
        ember.export.trace(_wrapped(inner), ember.tensor(X))
    message = str(info.value)
    assert "module '1.gate'" in message
    assert re.search(what, message)
    assert f"{__file__}:{line}" in message
    assert "ember.export.static()" in message


@pytest.mark.parametrize("convert", [float, int, bool, lambda t: t.tolist(), lambda t: t.numpy(), np.asarray],
                         ids=["float", "int", "bool", "tolist", "numpy", "np.asarray"])
def test_every_conversion_to_python_is_refused(convert):
    with pytest.raises(ember.export.TraceError, match=r"module '<top>'.*data-dependent control flow"):
        ember.export.trace(Conversions(convert), ember.tensor(X))


class ParamGate(nn.Module):
    """Conversions of parameters and of what is computed from them alone are static, so they trace."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.fc.bias.data[...] = 1.0

    def forward(self, x):
        if self.fc.bias.abs().max().item() > 0.5 and abs(float(self.fc.weight.sum())) < 1e9:
            return self.fc(x) * 3
        return self.fc(x)


def test_parameter_conversions_are_static_and_the_input_one_is_named(tmp_path):
    model = ParamGate()
    path = tmp_path / "p.tflite"
    ember.export.to_tflite(model, ember.tensor(X), path)
    with ember.no_grad():
        expected = model(ember.tensor(X)).numpy()
    np.testing.assert_allclose(_litert(path, X), expected, rtol=1e-5, atol=1e-6)
    # the same parameter conversions followed by one on the input: the refusal points at the input's line only
    with pytest.raises(ember.export.TraceError, match=rf"module 'gate'.*:{_line(MeanGate, 'mark: mean-item')} "):
        ember.export.trace(_ParamThenInput(), ember.tensor(X))


class _ParamThenInput(nn.Module):
    def __init__(self):
        super().__init__()
        self.param = ParamGate()
        self.gate = MeanGate()

    def forward(self, x):
        return self.gate(self.param(x))


class StaticScale(nn.Module):
    def __init__(self, use_decorator: bool):
        super().__init__()
        self.use_decorator = use_decorator

    @ember.export.static()
    def _scale_decorated(self, x):
        return x.abs().max().item()

    def forward(self, x):
        if self.use_decorator:
            scale = self._scale_decorated(x)
        else:
            with ember.export.static():
                scale = x.abs().max().item()
                big = bool(x.mean() > 0.3)
        y = x / scale
        return y.relu() * 2.0 if self.use_decorator or big else y


def _litert(path, x):
    it = Interpreter(model_path=str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], np.ascontiguousarray(x))
    it.invoke()
    return it.get_tensor(it.get_output_details()[0]["index"])


@pytest.mark.parametrize("use_decorator", [False, True], ids=["context-manager", "decorator"])
def test_static_marked_conversion_exports_as_a_constant(tmp_path, use_decorator):
    path = tmp_path / "s.tflite"
    ember.export.to_tflite(StaticScale(use_decorator), ember.tensor(X), path)
    # closed form: the example's max |x| and its branch (mean > 0.3: relu) are constants of the graph, also for an
    # input whose own values would give another scale and branch (the checking run, whose input has a negative
    # mean, is handed the recorded values, so it takes the same branch)
    scale = float(np.abs(X).max())
    np.testing.assert_allclose(_litert(path, X), np.maximum(X / scale, 0) * 2.0, rtol=1e-5)
    other = (-3 * X + 1).astype(np.float32)
    np.testing.assert_allclose(_litert(path, other), np.maximum(other / scale, 0) * 2.0, rtol=1e-5)


class RawBranch(nn.Module):
    """Branches on the raw array (`.data`), which no hook sees: the second example must take the other branch."""

    def forward(self, x):
        if float(x.data.mean()) > 0.3:
            return x.relu()
        return x.sigmoid()


class RawTokenBranch(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 3)

    def forward(self, tokens):
        h = self.emb(tokens)
        if int(tokens.data.sum()) == 17:  # the example's sum, which a permutation of it keeps
            return h.relu()
        return h.sigmoid()


def test_second_example_catches_a_branch_on_raw_float_values():
    with pytest.raises(ember.export.TraceError, match="data-dependent control flow"):
        ember.export.trace(nn.Sequential(RawBranch()), ember.tensor(X))


def test_second_example_catches_a_branch_on_raw_integer_values():
    tokens = np.array([[9, 2], [5, 1]], dtype=np.int64)
    with pytest.raises(ember.export.TraceError, match="data-dependent control flow"):
        ember.export.trace(RawTokenBranch(), ember.tensor(tokens))


class ArgmaxHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(x).argmax(dim=1)


class MaskHead(nn.Module):
    def forward(self, x):
        return ember.where(x > 0.5, x, x * 0)


def test_a_traced_mask_exports_as_a_comparison_and_a_select(tmp_path):
    # The comparison stays a graph op (GREATER feeding SELECT_V2), so the file follows the input, not the example.
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    model = nn.Sequential(nn.Identity(), MaskHead())
    graph = ember.export.to_tflite(model, ember.tensor(X), tmp_path / "m.tflite")
    assert {"GREATER", "SELECT_V2"} <= set(graph.op_counts())
    other = np.random.default_rng(5).standard_normal(X.shape).astype(np.float32)
    it = Interpreter(model_path=str(tmp_path / "m.tflite"), experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], other)
    it.invoke()
    np.testing.assert_array_equal(it.get_tensor(it.get_output_details()[0]["index"]),
                                  np.where(other > 0.5, other, other * 0))


@pytest.mark.parametrize("head, op", [(ArgmaxHead(), "ArgMax")], ids=["argmax"])
def test_non_differentiable_ops_are_traced_and_reported_by_name(tmp_path, head, op):
    _check_argmax_and_comparisons_against_numpy()
    model = nn.Sequential(nn.Identity(), head)
    graph = ember.export.trace(model, ember.tensor(X))
    assert any(n.op == op and n.scope == "1" for n in graph.nodes)
    with pytest.raises(ember.export.ExportError, match=rf"op {op} in module '1' has no TFLite export rule"):
        ember.export.to_tflite(model, ember.tensor(X), tmp_path / "a.tflite")
    with pytest.raises(ember.export.ExportError, match=rf"op {op} in module '1' has no ONNX export rule"):
        ember.export.to_onnx(model, ember.tensor(X), tmp_path / "a.onnx")


def _check_argmax_and_comparisons_against_numpy():
    x = ember.tensor(X)
    np.testing.assert_array_equal(x.argmax(dim=1).numpy(), X.argmax(axis=1))
    np.testing.assert_array_equal(x.argmin().numpy(), X.argmin())
    np.testing.assert_array_equal(x.max(dim=0).indices.numpy(), X.argmax(axis=0))
    np.testing.assert_array_equal((x > 0.5).numpy(), X > 0.5)
    np.testing.assert_array_equal((ember.tensor([1, 2]) > 1.5).numpy(), [False, True])
    np.testing.assert_array_equal((ember.tensor(np.array([3], np.int8)) < 1000).numpy(), [True])


def test_detach_keeps_the_traced_value_instead_of_freezing_the_example(tmp_path):
    """A detached tensor is the same value in the graph (torch.jit.trace does the same), not a constant of the
    example: the exported file must follow the input, checked against the closed form in LiteRT."""

    class Detached(nn.Module):
        def forward(self, x):
            return x.detach() * 2.0 + 1.0

    model = Detached()
    example = ember.tensor(np.linspace(-1, 1, 8, dtype=np.float32).reshape(1, 8))
    ember.export.to_tflite(model, example, tmp_path / "detach.tflite")
    other = np.linspace(3, 5, 8, dtype=np.float32).reshape(1, 8)
    np.testing.assert_allclose(_litert(tmp_path / "detach.tflite", other), other * 2.0 + 1.0, rtol=1e-6)


def test_dtype_cast_is_recorded_and_refused_by_name(tmp_path):
    """`.to(dtype)` on a traced value is an op (Cast), not a frozen constant: with no export rule yet it is refused
    by name, never exported as a graph that ignores its input."""

    class Casts(nn.Module):
        def forward(self, x):
            return x.double().float() + 1.0

    with pytest.raises(ember.export.ExportError, match="Cast"):
        ember.export.to_tflite(Casts(), ember.randn(1, 4), tmp_path / "cast.tflite")
    assert not (tmp_path / "cast.tflite").exists()
