"""Backends and devices: the strict test backend refuses implicit host copies exactly where cupy does, explicit
copies work, tensors and modules move between devices, and cupy is imported only when a CUDA device is used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from strict_backend import StrictArray

import ember
from ember import backend
from ember.autograd import Function

SUPPORT = Path(__file__).resolve().parents[1] / "support"  # tests/support, where strict_backend lives


def strict(a):
    return ember.tensor(np.asarray(a, dtype=np.float64), device="strict").data


def test_implicit_host_conversions_fail():
    x = strict([[1.0, 2.0], [3.0, 4.0]])
    host = np.ones(2)
    for leak in (lambda: np.asarray(x), lambda: np.array(x), lambda: x + host, lambda: host * x,
                 lambda: np.float32(x[0, 0]), lambda: backend.array_module(x).exp(host),
                 lambda: x.__setitem__(0, host)):
        with pytest.raises(TypeError, match="strict backend"):
            leak()
    with pytest.raises(AttributeError):
        x.__array_interface__  # noqa: B018 - another road numpy would take to the host


def test_device_arithmetic_and_explicit_copies_work():
    x = strict([[1.0, 2.0], [3.0, 4.0]])
    xp = backend.array_module(x)
    assert xp is not np and xp.ndarray is StrictArray
    y = xp.exp(x) * 2 + np.float64(1) - x.sum(axis=0, keepdims=True) @ x.T
    assert type(y) is StrictArray and type(np.exp(x)) is StrictArray  # numpy functions dispatch, as on cupy
    expected = np.exp(x.get()) * 2 + 1 - x.get().sum(axis=0, keepdims=True) @ x.get().T
    np.testing.assert_array_equal(y.get(), expected)
    assert type(x.sum()) is StrictArray and x.sum().shape == ()  # reductions stay 0-d device arrays
    assert float(x.sum()) == 10.0 and x.max().item() == 4.0 and x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    z = xp.zeros((2, 2))
    z += x
    backend.scatter_add(xp, z, (xp.asarray(np.array([0, 0])), xp.asarray(np.array([1, 1]))), xp.ones(2))
    np.testing.assert_array_equal(z.get(), [[1.0, 4.0], [3.0, 4.0]])
    assert type(xp.asarray(np.arange(3))) is StrictArray  # host -> device, explicitly


def test_tensors_and_modules_move_between_devices():
    t = ember.tensor([1.0, 2.0])
    s = t.to("strict")
    assert s.device == ember.device("strict") and type(s.data) is StrictArray
    assert s.to("strict") is s
    with pytest.raises(TypeError, match="cpu"):
        s.numpy()
    np.testing.assert_array_equal(s.cpu().numpy(), [1.0, 2.0])
    model = ember.nn.Linear(3, 2).to("strict")
    assert all(p.device == ember.device("strict") for p in model.parameters())
    out = model(ember.randn(4, 3).to("strict"))
    assert out.device == ember.device("strict")
    model.to("cpu")
    assert all(type(p.data) is np.ndarray for p in model.parameters())


def test_a_leaking_op_is_caught_on_the_strict_device():
    class HostExp(Function):  # the bug the strict backend exists for: a silent trip through the host
        def forward(self, x):
            return self.xp.asarray(np.exp(np.asarray(x)))

    np.testing.assert_allclose(HostExp.apply(ember.tensor([0.0])).numpy(), [1.0])
    with pytest.raises(TypeError, match="implicitly"):
        HostExp.apply(ember.tensor([0.0], device="strict"))


def test_device_parsing():
    assert str(ember.device("cuda")) == "cuda:0" and ember.device("cuda:1").index == 1
    assert ember.device("cpu") == "cpu" and ember.device("strict").index is None
    for bad in ("tpu", "cpu:0", "cuda:x"):
        with pytest.raises(ValueError):
            ember.device(bad)


def test_cupy_is_imported_only_when_asked_for():
    code = (f"import sys; sys.path.insert(0, {str(SUPPORT)!r}); import strict_backend; strict_backend.register(); "
            "import ember, numpy; m = ember.nn.Linear(2, 2); m(ember.randn(1, 2)).sum().backward(); "
            "ember.tensor([1.0]).to('strict'); print('cupy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cuda_without_cupy_says_how_to_install(monkeypatch):
    monkeypatch.setattr(backend, "_cupy_checked", True)
    monkeypatch.setattr(backend, "_cupy", None)
    monkeypatch.setattr(backend, "_cupy_error", "ModuleNotFoundError: No module named 'cupy'")
    with pytest.raises(RuntimeError, match=r"pip install ember\[cuda\]"):
        ember.tensor([1.0]).to("cuda")
