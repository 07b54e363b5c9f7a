"""Losses against torch: cross-entropy (class weights, ignore_index, label smoothing, probability targets, spatial
targets), nll, mse, l1, smooth_l1 (beta), binary cross-entropy with logits (weight, pos_weight)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from oracle import DTYPES, check, dev, host, randn

import ember
import ember.nn.functional as F

pytestmark = pytest.mark.usefixtures("on_device")  # every test runs on each backend

REDUCTIONS = ["mean", "sum", "none"]


def make(lib, data):
    return dev(data) if lib is ember else torch.tensor(data)
TARGET = np.array([3, 0, 4, 4, 1, 2])
WEIGHT = np.array([0.5, 1.0, 2.0, 1.5, 0.25])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [{}, {"weight": True}, {"ignore_index": 4}, {"label_smoothing": 0.2},
                                    {"weight": True, "ignore_index": 0, "label_smoothing": 0.1}], ids=str)
def test_cross_entropy_with_class_indices(kwargs, reduction, dtype):
    def args(lib):
        extra = dict(kwargs)
        if extra.pop("weight", False):
            extra["weight"] = make(lib, WEIGHT.astype(dtype))
        return make(lib, TARGET), extra

    check(lambda x: F.cross_entropy(x, args(ember)[0], reduction=reduction, **args(ember)[1]),
          lambda x: TF.cross_entropy(x, args(torch)[0], reduction=reduction, **args(torch)[1]), [(6, 5)], dtype)
    if "label_smoothing" not in kwargs:
        check(lambda x: F.nll_loss(F.log_softmax(x, 1), args(ember)[0], reduction=reduction, **args(ember)[1]),
              lambda x: TF.nll_loss(TF.log_softmax(x, 1), args(torch)[0], reduction=reduction, **args(torch)[1]),
              [(6, 5)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_spatial_targets_with_weights(reduction, dtype):
    target = np.random.default_rng(1).integers(0, 4, size=(2, 3, 5))
    w = np.array([1.0, 2.0, 0.5, 1.0], dtype)
    check(lambda x: F.cross_entropy(x, dev(target), dev(w), ignore_index=2, reduction=reduction,
                                    label_smoothing=0.05),
          lambda x: TF.cross_entropy(x, torch.tensor(target), torch.tensor(w), ignore_index=2, reduction=reduction,
                                     label_smoothing=0.05), [(2, 4, 3, 5)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_with_probability_targets(smoothing, reduction, dtype):
    rng = np.random.default_rng(4)
    probs = rng.random((4, 5)).astype(dtype)
    probs /= probs.sum(1, keepdims=True)
    w = (rng.random(5) + 0.5).astype(dtype)
    check(lambda x, t: F.cross_entropy(x, t, dev(w), reduction=reduction, label_smoothing=smoothing),
          lambda x, t: TF.cross_entropy(x, t, torch.tensor(w), reduction=reduction, label_smoothing=smoothing),
          None, dtype, data=[rng.standard_normal((4, 5)).astype(dtype), probs])


def test_cross_entropy_all_ignored_is_nan_like_torch():
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        ours = F.cross_entropy(dev(x), dev([-100, -100])).item()
    assert np.isnan(ours) and np.isnan(TF.cross_entropy(torch.tensor(x), torch.tensor([-100, -100])).item())


def test_cross_entropy_errors():
    logits = randn(3, 4, requires_grad=True)
    with pytest.raises(IndexError, match=r"\[0, 3\]"):
        F.cross_entropy(logits, dev([0, 1, 4]))
    with pytest.raises(ValueError, match="class weights of shape"):
        F.cross_entropy(logits, dev([0, 1, 2]), weight=dev(np.ones(3, np.float32)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss"])
def test_regression_losses(name, reduction, dtype):
    ours, theirs = getattr(F, name), getattr(TF, name)
    check(lambda a, b: ours(a, b, reduction=reduction), lambda a, b: theirs(a, b, reduction=reduction),
          [(4, 5), (4, 5)], dtype, strided=True)
    check(lambda a, b: ours(a, b, reduction=reduction), lambda a, b: theirs(a, b, reduction=reduction),
          [(0, 3), (0, 3)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("beta", [0.0, 0.5, 2.0])
def test_smooth_l1_beta(beta, dtype):
    check(lambda a, b: F.smooth_l1_loss(a, b, beta=beta), lambda a, b: TF.smooth_l1_loss(a, b, beta=beta),
          [(6, 4), (6, 4)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("with_weight", [False, True])
@pytest.mark.parametrize("with_pos_weight", [False, True])
def test_bce_with_logits(with_pos_weight, with_weight, reduction, dtype):
    rng = np.random.default_rng(6)
    target = (rng.random((4, 3)) > 0.5).astype(dtype)
    weight = (rng.random((4, 3)) + 0.5).astype(dtype) if with_weight else None
    pos_weight = (rng.random(3) + 0.5).astype(dtype) if with_pos_weight else None

    def opt(lib, a):
        return None if a is None else make(lib, a)

    check(lambda x, t: F.binary_cross_entropy_with_logits(x, t, opt(ember, weight), reduction, opt(ember, pos_weight)),
          lambda x, t: TF.binary_cross_entropy_with_logits(x, t, opt(torch, weight), reduction=reduction,
                                                           pos_weight=opt(torch, pos_weight)),
          None, dtype, data=[rng.standard_normal((4, 3)).astype(dtype) * 4, target])


def test_bce_with_logits_is_stable_for_large_logits():
    x = np.array([-1000.0, 1000.0, 30.0], np.float32)
    t = np.array([1.0, 0.0, 1.0], np.float32)
    ours = host(F.binary_cross_entropy_with_logits(dev(x), dev(t), reduction="none"))
    theirs = TF.binary_cross_entropy_with_logits(torch.tensor(x), torch.tensor(t), reduction="none").numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
