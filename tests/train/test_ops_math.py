"""Elementwise math ops (pow, exp, log, sqrt, abs, clamp, where, maximum, minimum, comparisons) against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from oracle import DTYPES, check, dev, host, randn

import ember

pytestmark = pytest.mark.usefixtures("on_device")  # every test runs on each backend

BROADCAST = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((1,), (5, 2)), ((0, 3), (3,)), ((), (2, 3))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", BROADCAST, ids=str)
@pytest.mark.parametrize("name", ["pow", "maximum", "minimum"])
def test_binary_broadcasting(name, shapes, dtype):
    if name == "pow":
        check(lambda a, b: a ** b, lambda a, b: a ** b, shapes, dtype, positive=True)
    else:
        check(lambda a, b: getattr(ember, name)(a, b), lambda a, b: getattr(torch, name)(a, b), shapes, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("strided", [False, True])
@pytest.mark.parametrize("shape", [(3, 5), (1,), (), (0, 2)], ids=str)
def test_unary(shape, strided, dtype):
    for ours, theirs, positive in [
        (lambda x: x.exp(), torch.exp, False), (lambda x: x.log(), torch.log, True),
        (lambda x: x.sqrt(), torch.sqrt, True), (lambda x: abs(x), torch.abs, False),
        (lambda x: x ** 3, lambda x: x ** 3, False), (lambda x: 2.0 ** x, lambda x: 2.0 ** x, False),
        (lambda x: x.pow(0.5), lambda x: x.pow(0.5), True), (lambda x: -x.neg(), lambda x: -x.neg(), False),
    ]:
        check(ours, theirs, [shape], dtype, positive=positive, strided=strided)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bounds", [(-0.5, 0.5), (None, 0.2), (-0.1, None)], ids=str)
def test_clamp(bounds, dtype):
    lo, hi = bounds
    check(lambda x: x.clamp(lo, hi), lambda x: x.clamp(lo, hi), [(4, 6)], dtype, strided=True)
    # the gradient passes at the bounds themselves, as in torch
    data = [np.array([-1.0, -0.5, 0.0, 0.5, 1.0], dtype)]
    check(lambda x: ember.clamp(x, -0.5, 0.5), lambda x: torch.clamp(x, -0.5, 0.5), None, dtype, data=data)


@pytest.mark.parametrize("dtype", DTYPES)
def test_maximum_ties_share_the_gradient(dtype):
    data = [np.array([1.0, 2.0, 3.0], dtype), np.array([1.0, 3.0, 2.0], dtype)]
    check(ember.maximum, torch.maximum, None, dtype, data=data)
    check(ember.minimum, torch.minimum, None, dtype, data=data)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (2, 2))], ids=str)
def test_where(shapes, dtype):
    cond = np.random.default_rng(5).random(np.broadcast_shapes(*shapes)) > 0.5
    check(lambda a, b: ember.where(dev(cond), a, b), lambda a, b: torch.where(torch.tensor(cond), a, b),
          shapes, dtype)
    check(lambda a: ember.where(dev(cond), a, 0.0), lambda a: torch.where(torch.tensor(cond), a, 0.0),
          shapes[:1], dtype)
    check(lambda a, b: a.where(dev(cond), b), lambda a, b: a.where(torch.tensor(cond), b), shapes, dtype)


def test_where_keeps_the_tensor_dtype_for_scalars():
    x = dev(np.ones(3, np.float64))
    assert ember.where(x > 0, x, 0.0).dtype == np.float64
    assert ember.where(x > 0, 1.0, x).dtype == np.float64


def test_comparisons_have_no_gradient():
    x = randn(3, 4, requires_grad=True)
    for result in (x > 0, x >= 0, x < 0, x <= 0, x == 0, x != 0):
        assert result.dtype == np.bool_ and not result.requires_grad
    t = torch.tensor(host(x))
    np.testing.assert_array_equal(host(x > 0.1), (t > 0.1).numpy())


def test_broadcast_error_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"mul: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        randn(2, 3) * randn(4)
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\)"):
        randn(2, 3) @ randn(4, 5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_method_spellings(dtype):
    check(lambda a, b: a.add(b).mul(b).sub(a).div(b + 3), lambda a, b: a.add(b).mul(b).sub(a).div(b + 3),
          [(3, 4), (3, 4)], dtype, positive=True)
    check(lambda a: a.sigmoid() + a.tanh() + a.relu(), lambda a: a.sigmoid() + a.tanh() + a.relu(), [(5,)], dtype)
