"""Every op's forward and gradients against PyTorch (the oracle), in float64 and float32, across
broadcasting and edge shapes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from oracle import DTYPES, check, dev, host, randn

import ember.nn.functional as F

pytestmark = pytest.mark.usefixtures("on_device")  # every test runs on each backend

BINARY = [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b),
]
BROADCAST_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((1,), (5, 2)), ((0, 3), (3,)),
                    ((), (2, 3))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name,fn", BINARY, ids=[b[0] for b in BINARY])
def test_binary_broadcasting(name, fn, shapes, dtype):
    check(fn, fn, shapes, dtype, positive=(name == "div"))


@pytest.mark.parametrize("dtype", DTYPES)
def test_scalar_operands(dtype):
    check(lambda a: 2.5 * a - 1 + a / 4 - (3 - a), lambda a: 2.5 * a - 1 + a / 4 - (3 - a), [(3, 2)], dtype)
    check(lambda a: -a, lambda a: -a, [(4,)], dtype)


MATMUL_SHAPES = [((3, 4), (4, 5)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,)), ((2, 3, 4), (4, 5)),
                 ((2, 1, 3, 4), (5, 4, 2)), ((0, 4), (4, 3))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul(shapes, dtype):
    check(lambda a, b: a @ b, lambda a, b: a @ b, shapes, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_shape", [(5, 4), (2, 3, 4), (1, 4)], ids=str)
def test_linear(x_shape, bias, dtype):
    shapes = [x_shape, (3, 4)] + ([(3,)] if bias else [])
    check(F.linear, torch.nn.functional.linear, shapes, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu(dtype):
    check(F.relu, torch.relu, [(4, 7)], dtype)
    check(lambda x: x.relu(), torch.relu, [(0, 2)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_and_log_softmax(dim, dtype):
    check(lambda x: F.softmax(x, dim), lambda x: torch.softmax(x, dim), [(3, 5)], dtype)
    check(lambda x: F.log_softmax(x, dim), lambda x: torch.log_softmax(x, dim), [(3, 5)], dtype)


def test_log_softmax_is_stable_for_large_logits():
    x = np.array([[1000.0, 0.0, -1000.0]], np.float32)
    ours = host(F.log_softmax(dev(x), 1))
    theirs = torch.log_softmax(torch.tensor(x), 1).numpy()
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,start,end", [((2, 3, 4), 0, -1), ((2, 3, 4, 5), 1, -1), ((2, 3, 4), 1, 1),
                                             ((2, 0, 4), 1, -1)])
def test_flatten(shape, start, end, dtype):
    check(lambda x: x.flatten(start, end), lambda x: x.flatten(start, end), [shape], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_reshape_and_view(dtype):
    check(lambda x: x.reshape(4, -1), lambda x: x.reshape(4, -1), [(2, 6)], dtype)
    check(lambda x: x.view((3, 2, 2)), lambda x: x.view((3, 2, 2)), [(12,)], dtype)


def test_reshape_error_names_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, -1\)|\(2, 3\).*4"):
        randn(2, 3).reshape(4, -1)


REDUCTIONS = [None, 0, 1, -1, (0, 2)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", REDUCTIONS, ids=str)
@pytest.mark.parametrize("op", ["sum", "mean"])
def test_reductions(op, dim, keepdim, dtype):
    def ours(x):
        return getattr(x, op)() if dim is None else getattr(x, op)(dim=dim, keepdim=keepdim)

    def theirs(x):
        return getattr(x, op)() if dim is None else getattr(x, op)(dim=dim, keepdim=keepdim)

    check(ours, theirs, [(2, 3, 4)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sum_over_empty_dimension(dtype):
    check(lambda x: x.sum(dim=0), lambda x: x.sum(dim=0), [(0, 3)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_and_nll(reduction, dtype):
    target = np.array([3, 0, 4, 4, 1])
    ours = lambda x: F.cross_entropy(x, dev(target), reduction=reduction)
    theirs = lambda x: torch.nn.functional.cross_entropy(x, torch.tensor(target), reduction=reduction)
    check(ours, theirs, [(5, 6)], dtype)
    ours = lambda x: F.nll_loss(F.log_softmax(x, 1), dev(target), reduction=reduction)
    theirs = lambda x: torch.nn.functional.nll_loss(torch.log_softmax(x, 1), torch.tensor(target),
                                                    reduction=reduction)
    check(ours, theirs, [(5, 6)], dtype)


def test_cross_entropy_spatial_targets():
    target = np.random.default_rng(1).integers(0, 4, size=(2, 3, 5))
    check(lambda x: F.cross_entropy(x, dev(target)),
          lambda x: torch.nn.functional.cross_entropy(x, torch.tensor(target)), [(2, 4, 3, 5)], np.float64)


def test_cross_entropy_rejects_bad_targets():
    logits = randn(3, 4, requires_grad=True)
    with pytest.raises(IndexError, match=r"\[0, 3\]"):
        F.cross_entropy(logits, dev([0, 1, 4]))
    with pytest.raises(ValueError, match="targets of shape"):
        F.cross_entropy(logits, dev([0, 1]))
    with pytest.raises(TypeError, match="class indices"):
        F.cross_entropy(logits, dev([0.0, 1.0, 2.0]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_composite_graph_with_shared_inputs(dtype):
    """A value used by several ops gets the sum of their gradients (diamond-shaped graph)."""

    def f(a, b):
        h = (a @ b).relu()
        return (h * h + h).sum(dim=1).mean() + (a * 2).sum()

    check(f, f, [(4, 3), (3, 5)], dtype)


def test_non_contiguous_inputs():
    base = np.random.default_rng(3).standard_normal((6, 8))
    ours = dev(base, requires_grad=True)
    ours.data = ours.data[::2, 1::2]  # a strided view made on the device (dev() alone copies contiguously)
    theirs = torch.tensor(np.ascontiguousarray(base[::2, 1::2]), requires_grad=True)
    (ours @ ours.detach().t()).sum().backward()
    (theirs @ theirs.detach().t()).sum().backward()
    np.testing.assert_allclose(host(ours.grad), theirs.grad.numpy(), rtol=1e-10)
