"""Reductions (max, min, amax, amin, var, std, argmax, argmin) against torch, with dim and keepdim."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from oracle import DTYPES, check, dev, host, randn

import ember

pytestmark = pytest.mark.usefixtures("on_device")  # every test runs on each backend

DIMS = [0, 1, -1]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_along_dim_returns_values_and_indices(op, dim, keepdim, dtype):
    check(lambda x: getattr(x, op)(dim, keepdim).values, lambda x: getattr(x, op)(dim, keepdim).values,
          [(3, 4, 5)], dtype, strided=True)
    x = np.random.default_rng(1).standard_normal((3, 4, 5)).astype(dtype)
    ours, theirs = getattr(dev(x), op)(dim, keepdim), getattr(torch.tensor(x), op)(dim, keepdim)
    np.testing.assert_array_equal(host(ours.indices), theirs.indices.numpy())
    values, indices = ours  # unpacks like torch's named tuple
    assert indices.dtype == np.int64


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", ["max", "min", "amax", "amin"])
def test_full_reductions_share_gradient_between_ties(op, dtype):
    check(lambda x: getattr(x, op)(), lambda x: getattr(x, op)(), [(4, 3)], dtype)
    data = [np.array([[1.0, 3.0, 3.0], [3.0, 0.0, -2.0]], dtype)]
    check(lambda x: getattr(x, op)(), lambda x: getattr(x, op)(), None, dtype, data=data)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, (0, 2), -1, (1, -1)], ids=str)
@pytest.mark.parametrize("op", ["amax", "amin"])
def test_amax_amin(op, dim, keepdim, dtype):
    check(lambda x: getattr(x, op)(dim, keepdim), lambda x: getattr(x, op)(dim, keepdim), [(2, 3, 4)], dtype)
    data = [np.round(np.random.default_rng(2).standard_normal((2, 3, 4))).astype(dtype)]  # many ties
    check(lambda x: getattr(x, op)(dim, keepdim), lambda x: getattr(x, op)(dim, keepdim), None, dtype, data=data)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [None, 0, (0, 2), -1], ids=str)
@pytest.mark.parametrize("op", ["var", "std"])
def test_var_std(op, dim, keepdim, dtype):
    for kwargs in ({}, {"unbiased": False}, {"correction": 0}, {"correction": 2}):
        def fn(x, kwargs=kwargs):  # the same call in both frameworks
            return getattr(x, op)(**kwargs) if dim is None else getattr(x, op)(dim, keepdim=keepdim, **kwargs)

        check(fn, fn, [(3, 4, 5)], dtype, strided=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_var_std_module_functions(dtype):
    check(lambda x: ember.var(x, 1), lambda x: torch.var(x, 1), [(4, 6)], dtype)
    check(lambda x: ember.std(x, 0, keepdim=True), lambda x: torch.std(x, 0, keepdim=True), [(4, 6)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", ["sum", "mean", "amax"])
def test_reductions_over_size_one_and_empty_dims(op, dtype):
    check(lambda x: getattr(x, op)(dim=1), lambda x: getattr(x, op)(dim=1), [(3, 1, 2)], dtype)
    if op != "amax":
        check(lambda x: getattr(x, op)(dim=1), lambda x: getattr(x, op)(dim=1), [(2, 0, 3)], dtype)
    check(lambda x: getattr(x, op)(dim=1), lambda x: getattr(x, op)(dim=1), [(0, 3)], dtype)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_argmax_argmin(op, dim, keepdim):
    x = np.random.default_rng(3).standard_normal((3, 4)).astype(np.float32)
    ours = getattr(dev(x), op)(dim, keepdim)
    theirs = getattr(torch.tensor(x), op)(dim, keepdim)
    assert ours.dtype == np.int64 and not ours.requires_grad
    np.testing.assert_array_equal(host(ours), theirs.numpy())
    np.testing.assert_array_equal(host(getattr(ember, op)(dev(x), dim, keepdim)), theirs.numpy())


def test_reduction_dim_out_of_range_names_the_dimension():
    with pytest.raises(IndexError, match="dimension 3 is out of range"):
        randn(2, 3).sum(dim=3)
    with pytest.raises(ValueError, match="empty"):
        dev(np.zeros((0, 3), np.float32)).max(0)
