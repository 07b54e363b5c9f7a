"""Activations, batch/layer normalisation, dropout and embedding against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from oracle import DTYPES, check, dev, host, randn

import ember
import ember.nn.functional as F

pytestmark = pytest.mark.usefixtures("on_device")  # every test runs on each backend

ACTIVATIONS = [
    ("relu", F.relu, TF.relu), ("relu6", F.relu6, TF.relu6), ("sigmoid", F.sigmoid, torch.sigmoid),
    ("tanh", F.tanh, torch.tanh), ("silu", F.silu, TF.silu), ("hardswish", F.hardswish, TF.hardswish),
    ("hardsigmoid", F.hardsigmoid, TF.hardsigmoid), ("gelu", F.gelu, TF.gelu),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh")),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    ("softmax", lambda x: F.softmax(x, 1), lambda x: TF.softmax(x, 1)),
    ("log_softmax", lambda x: F.log_softmax(x, -1), lambda x: TF.log_softmax(x, -1)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 7), (2, 3, 5), (0, 3)], ids=str)
@pytest.mark.parametrize("name,ours,theirs", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation(name, ours, theirs, shape, dtype):
    check(ours, theirs, [shape], dtype, strided=True)
    scaled = [np.random.default_rng(1).standard_normal(shape).astype(dtype) * 5]  # reaches every linear piece
    check(ours, theirs, None, dtype, data=scaled)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,ours,theirs", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_at_the_corners(name, ours, theirs, dtype):
    """Gradients at the kinks (0, 6, +-3) follow torch's conventions."""
    corners = [np.array([[-3.0, 0.0, 3.0, 6.0, -1e-3, 1e-3]], dtype)]
    check(ours, theirs, None, dtype, data=corners)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_and_bce_stable_for_large_inputs(dtype):
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype)
    ours = host(F.sigmoid(dev(x)))
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, torch.sigmoid(torch.tensor(x)).numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (4, 3, 5, 6)], ids=str)
def test_batch_norm(shape, training, affine, dtype):
    rng = np.random.default_rng(2)
    stats = [rng.standard_normal(3).astype(dtype), rng.random(3).astype(dtype) + 0.5]
    params = [rng.standard_normal(3).astype(dtype) for _ in range(2)] if affine else []
    run_e = [dev(s) for s in stats]
    run_t = [torch.tensor(s) for s in stats]

    def ours(x, *wb):
        return F.batch_norm(x, *run_e, *(wb or (None, None)), training=training, momentum=0.3, eps=1e-3)

    def theirs(x, *wb):
        return TF.batch_norm(x, *run_t, *(wb or (None, None)), training=training, momentum=0.3, eps=1e-3)

    data = [rng.standard_normal(shape).astype(dtype) * 2 + 1] + params
    check(ours, theirs, None, dtype, data=data)
    for e, t in zip(run_e, run_t, strict=True):  # running statistics moved in place, like torch's
        np.testing.assert_allclose(host(e), t.numpy(), rtol=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_on_conv_output_and_strided_input(dtype):
    """Channel-major input (what Conv2d returns) and a strided view take different paths to the same numbers."""
    def ours(x, w):
        return F.batch_norm(F.conv2d(x, w, padding=1), None, None, training=True)

    def theirs(x, w):
        return TF.batch_norm(TF.conv2d(x, w, padding=1), None, None, training=True)

    check(ours, theirs, [(4, 2, 5, 5), (3, 2, 3, 3)], dtype, strided=True)
    check(lambda x: F.batch_norm(x, None, None, training=True), lambda x: TF.batch_norm(x, None, None, training=True),
          [(4, 3, 5, 6)], dtype, strided=True)


def test_batch_norm_errors():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(randn(1, 3), None, None, training=True)
    with pytest.raises(ValueError, match="evaluation mode"):
        F.batch_norm(randn(4, 3), None, None, training=False)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("shape,normalized", [((4, 6), (6,)), ((2, 3, 4), (3, 4)), ((2, 3, 4), 4), ((5,), 5)],
                         ids=str)
def test_layer_norm(shape, normalized, affine, dtype):
    norm = (normalized,) if isinstance(normalized, int) else normalized
    shapes = [shape] + ([norm, norm] if affine else [])
    check(lambda x, *wb: F.layer_norm(x, normalized, *wb, eps=1e-4),
          lambda x, *wb: TF.layer_norm(x, norm, *wb, eps=1e-4), shapes, dtype, strided=True)


def test_dropout_training_and_eval():
    ember.manual_seed(0)
    x = dev(np.ones(2000, np.float32), requires_grad=True)
    y = F.dropout(x, 0.25, training=True)
    kept = host(y) != 0
    assert 0.7 < kept.mean() < 0.8
    np.testing.assert_allclose(host(y)[kept], 1 / 0.75, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(host(x.grad) != 0, kept)
    seen = []
    remove = ember.autograd.add_apply_hook(lambda fn, ins, outs: seen.append(fn.name))
    try:
        assert F.dropout(x, 0.25, training=False) is x
    finally:
        remove()
    assert seen == []  # no Function at all outside training
    assert not host(F.dropout(x, 1.0)).any()


def test_dropout_is_seeded():
    ember.manual_seed(3)
    a = host(F.dropout(dev(np.ones(50, np.float32)), 0.5))
    ember.manual_seed(3)
    np.testing.assert_array_equal(a, host(F.dropout(dev(np.ones(50, np.float32)), 0.5)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding(padding_idx, dtype):
    idx = np.array([[0, 2, 4], [2, 2, 1]])
    check(lambda w: F.embedding(dev(idx), w, padding_idx=padding_idx),
          lambda w: TF.embedding(torch.tensor(idx), w, padding_idx=padding_idx), [(5, 3)], dtype)


def test_embedding_rejects_out_of_range_indices():
    with pytest.raises(IndexError, match=r"\[0, 4\]"):
        F.embedding(dev([0, 5]), randn(5, 2))
