"""The PyTorch oracle shared by the op tests: run the same function in Ember and in torch on the same data and
compare the forward result and the gradient of every input (float64 within 1e-6, float32 within 1e-4, relative
to the largest magnitude)."""

from __future__ import annotations

import os

import numpy as np
import torch

import ember

TOL = {np.float64: 1e-6, np.float32: 1e-4}
# EMBER_TEST_BACKEND=strict (or cupy) alone runs the inputs of check() on that device
DEVICE = ember.device({"strict": "strict", "cupy": "cuda"}.get(os.environ.get("EMBER_TEST_BACKEND", ""), "cpu"))
DTYPES = [np.float64, np.float32]


def dev(data, **kwargs):
    """An Ember tensor on the device the oracle runs on (targets, masks, weights of a checked function)."""
    return ember.tensor(data, device=DEVICE, **kwargs)


def close(ours, theirs, dtype, what):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    ours = np.asarray(ours)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} vs torch {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{what}: dtype {ours.dtype} vs torch {theirs.dtype}"
    if not theirs.size:
        return
    both_nan = np.isnan(ours) & np.isnan(theirs)
    ours, theirs = np.where(both_nan, 0, ours), np.where(both_nan, 0, theirs)
    scale = max(1.0, float(np.abs(theirs).max()))
    err = float(np.abs(ours - theirs).max()) / scale
    assert err <= TOL[dtype], f"{what}: relative error {err:.3g} > {TOL[dtype]}"


def make_data(shape, dtype, rng, positive=False, strided=False):
    """Random data of `shape`; with strided=True a non-contiguous view (every other element of a larger array)."""
    if strided and len(shape):
        base = rng.standard_normal(tuple(shape[:-1]) + (2 * shape[-1],)).astype(dtype)
        data = base[..., ::2]
    else:
        data = rng.standard_normal(shape).astype(dtype)
    if positive:
        data = np.abs(data) + 0.5
        if strided and len(shape):
            data = np.abs(base)[..., ::2] + 0.5
    return data


def _as_tuple(out):
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def check(fn_ember, fn_torch, shapes, dtype, positive=False, seed=0, strided=False, data=None):
    """Compare forward and input gradients; `data` (a list of arrays) replaces the random inputs."""
    rng = np.random.default_rng(seed)
    arrays = data if data is not None else [make_data(s, dtype, rng, positive, strided) for s in shapes]
    ours_in = [ember.tensor(a, requires_grad=True, device=DEVICE) for a in arrays]
    if strided and DEVICE == ember.device("cpu"):  # ember.tensor copies; keep the strided view as the leaf's array
        for t, a in zip(ours_in, arrays, strict=True):
            t.data = a
    theirs_in = [torch.tensor(np.array(a), requires_grad=True) for a in arrays]  # a contiguous copy, 0-d kept
    outs_e, outs_t = _as_tuple(fn_ember(*ours_in)), _as_tuple(fn_torch(*theirs_in))
    assert len(outs_e) == len(outs_t), f"{len(outs_e)} outputs vs torch {len(outs_t)}"
    loss_e, loss_t = 0, 0
    for k, (e, t) in enumerate(zip(outs_e, outs_t, strict=True)):
        close(e.detach().cpu().numpy(), t, dtype, f"forward output {k}")
        up = rng.standard_normal(t.shape).astype(dtype)
        loss_e = loss_e + (e * ember.tensor(up, device=DEVICE)).sum()
        loss_t = loss_t + (t * torch.tensor(up)).sum()
    loss_e.backward()
    loss_t.backward()
    for i, (e, t) in enumerate(zip(ours_in, theirs_in, strict=True)):
        if t.grad is None:
            assert e.grad is None or not np.any(e.grad.cpu().numpy()), f"input {i}: torch has no gradient, ember does"
            continue
        assert e.grad is not None, f"input {i}: no gradient"
        close(e.grad.cpu().numpy(), t.grad, dtype, f"gradient of input {i}")
