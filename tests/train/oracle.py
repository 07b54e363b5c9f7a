"""The PyTorch oracle shared by the op tests: run the same function in Ember and in torch on the same data and
compare the forward result and the gradient of every input elementwise as numpy's allclose does,
|ours - torch| <= atol + rtol * |torch|: float64 rtol 1e-6, atol 1e-12; float32 rtol 1e-4, atol 1e-6.

Backends: a test module marked `pytestmark = pytest.mark.usefixtures("on_device")` (tests/train/conftest.py) runs
each test once per backend of EMBER_TEST_BACKEND, with DEVICE set to that backend's device: `check()`, `dev()`
and `randn()` put their tensors there, and a test that builds modules itself moves them with `.to(device)`."""

from __future__ import annotations

import numpy as np
import torch

import ember

# Elementwise bounds (numpy.allclose): the relative part is the claim; the absolute floor only covers results that
# are 0 up to rounding (sums that cancel), measured at most 4e-16 (float64) and 4e-7 (float32) on this suite.
RTOL = {np.float64: 1e-6, np.float32: 1e-4}
ATOL = {np.float64: 1e-12, np.float32: 1e-6}
DTYPES = [np.float64, np.float32]
CPU = ember.device("cpu")
DEVICE = CPU  # the device of the running test, set by the on_device fixture: use dev()/randn(), never import it


def dev(data, **kwargs):
    """An Ember tensor on the device of the running test (targets, masks, weights of a checked function)."""
    return ember.tensor(data, device=DEVICE, **kwargs)


def randn(*shape, **kwargs):
    """`ember.randn` on the device of the running test."""
    return ember.randn(*shape, **kwargs).to(DEVICE)


def host(t):
    """A tensor's values as a numpy array, copied explicitly from its device."""
    return t.detach().cpu().numpy()


def close(ours, theirs, dtype, what):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    ours = np.asarray(ours)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} vs torch {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{what}: dtype {ours.dtype} vs torch {theirs.dtype}"
    if not theirs.size:
        return
    # numpy's allclose, elementwise: |ours - torch| <= ATOL + RTOL * |torch| (NaN where torch has NaN).
    np.testing.assert_allclose(ours, theirs, rtol=RTOL[dtype], atol=ATOL[dtype], equal_nan=True, err_msg=what)


def make_data(shape, dtype, rng, positive=False, strided=False):
    """Random data of `shape`; with strided=True data twice as wide in the last dimension, of which the input is
    every other element (`strided_view`)."""
    if strided and len(shape):
        shape = tuple(shape[:-1]) + (2 * shape[-1],)
    data = rng.standard_normal(shape).astype(dtype)
    return np.abs(data) + 0.5 if positive else data


def strided_view(a):
    """Every other element of the last dimension: a non-contiguous view, on whichever device `a` is."""
    return a[..., ::2] if a.ndim else a


def _leaf(a, strided):
    """A leaf tensor of `a` on DEVICE; strided, its array is a view made on the device (not a contiguous copy)."""
    t = ember.tensor(a, requires_grad=True, device=DEVICE)
    if strided:
        t.data = strided_view(t.data)
    return t


def _as_tuple(out):
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def check(fn_ember, fn_torch, shapes, dtype, positive=False, seed=0, strided=False, data=None):
    """Compare forward and input gradients; `data` (a list of arrays) replaces the random inputs."""
    rng = np.random.default_rng(seed)
    strided = strided and data is None
    arrays = data if data is not None else [make_data(s, dtype, rng, positive, strided) for s in shapes]
    ours_in = [_leaf(a, strided) for a in arrays]
    if strided:
        arrays = [strided_view(a) for a in arrays]
    theirs_in = [torch.tensor(np.array(a), requires_grad=True) for a in arrays]  # a contiguous copy, 0-d kept
    outs_e, outs_t = _as_tuple(fn_ember(*ours_in)), _as_tuple(fn_torch(*theirs_in))
    assert len(outs_e) == len(outs_t), f"{len(outs_e)} outputs vs torch {len(outs_t)}"
    loss_e, loss_t = 0, 0
    for k, (e, t) in enumerate(zip(outs_e, outs_t, strict=True)):
        close(host(e), t, dtype, f"forward output {k}")
        up = rng.standard_normal(t.shape).astype(dtype)
        loss_e = loss_e + (e * dev(up)).sum()
        loss_t = loss_t + (t * torch.tensor(up)).sum()
    loss_e.backward()
    loss_t.backward()
    for i, (e, t) in enumerate(zip(ours_in, theirs_in, strict=True)):
        if t.grad is None:
            assert e.grad is None or not np.any(host(e.grad)), f"input {i}: torch has no gradient, ember does"
            continue
        assert e.grad is not None, f"input {i}: no gradient"
        close(host(e.grad), t.grad, dtype, f"gradient of input {i}")
