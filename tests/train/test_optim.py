"""Optimisers against torch.optim (the oracle): parameter trajectories step by step, in float64 and float32,
plus state_dict round trips."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.5, dampening=0.3)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, eps=1e-6)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.02, betas=(0.5, 0.9), weight_decay=0.3, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.05)),
    ("RMSprop", dict(lr=0.01, centered=True, alpha=0.3)),
]
TOL = {np.float64: 1e-12, np.float32: 1e-6}


def _trajectories(name, kwargs, dtype, steps=8, device="cpu"):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((4, 3)).astype(dtype)
    ours = ember.nn.Parameter(ember.tensor(w0, device=device))
    theirs = torch.nn.Parameter(torch.tensor(w0))
    opt = getattr(ember.optim, name)([ours], **kwargs)
    opt_t = getattr(torch.optim, name)([theirs], **kwargs)
    for _ in range(steps):
        target = rng.standard_normal((4, 3)).astype(dtype)
        scale = rng.uniform(0.1, 3.0, (4, 3)).astype(dtype)  # gradients of varying size, element by element
        for p, o, t, c in ((ours, opt, ember.tensor(target, device=device), ember.tensor(scale, device=device)),
                           (theirs, opt_t, torch.tensor(target), torch.tensor(scale))):
            o.zero_grad()
            ((p - t) * (p - t) * c).sum().backward()
            o.step()
        yield ours.detach().cpu().numpy(), theirs.detach().numpy()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_matches_torch(name, kwargs, dtype):
    for ours, theirs in _trajectories(name, kwargs, dtype):
        np.testing.assert_allclose(ours, theirs, rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("name,kwargs", [CASES[2], CASES[8], CASES[12]], ids=["SGD", "AdamW", "RMSprop"])
def test_updates_stay_on_the_device(name, kwargs, device):
    """On the strict backend any host array in an update rule fails; the trajectory still matches torch."""
    for ours, theirs in _trajectories(name, kwargs, np.float64, steps=3, device=device):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_state_dict_round_trip_continues_identically(name, kwargs, tmp_path):
    """Stop after 3 steps, save through ember.save, rebuild the optimiser, load, continue: same bits."""
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal(5)
    grads = [rng.standard_normal(5) for _ in range(6)]

    def run(split):
        p = ember.nn.Parameter(ember.tensor(w0))
        opt = getattr(ember.optim, name)([p], **kwargs)
        for i, g in enumerate(grads):
            if i == split:
                ember.save({"optim": opt.state_dict(), "p": p.detach()}, tmp_path / "o.safetensors")
                saved = ember.load(tmp_path / "o.safetensors")
                p = ember.nn.Parameter(saved["p"])
                opt = getattr(ember.optim, name)([p], lr=123.0)  # hyper-parameters come back from the state
                opt.load_state_dict(saved["optim"])
            p.grad = ember.tensor(g)
            opt.step()
        return p.detach().numpy()

    np.testing.assert_array_equal(run(split=3), run(split=-1))


def test_state_dict_matches_torch_layout():
    p = ember.nn.Parameter(ember.randn(3))
    q = torch.nn.Parameter(torch.randn(3))
    opt, opt_t = ember.optim.AdamW([p], lr=0.1), torch.optim.AdamW([q], lr=0.1)
    for o, x in ((opt, p), (opt_t, q)):
        x.sum().backward()
        o.step()
    ours, theirs = opt.state_dict(), opt_t.state_dict()
    assert list(ours["state"]) == list(theirs["state"]) == [0]
    assert set(ours["state"][0]) == set(theirs["state"][0])
    assert set(ours["param_groups"][0]) <= set(theirs["param_groups"][0])
    assert ours["param_groups"][0]["params"] == theirs["param_groups"][0]["params"]


def test_param_groups_have_their_own_hyper_parameters():
    a, b = ember.nn.Parameter(ember.ones(2)), ember.nn.Parameter(ember.ones(2))
    opt = ember.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad, b.grad = ember.ones(2), ember.ones(2)
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), 0.9)
    np.testing.assert_allclose(b.detach().numpy(), 0.5)


def test_load_state_dict_rejects_other_shapes_of_groups():
    opt = ember.optim.SGD([ember.nn.Parameter(ember.ones(2))], lr=0.1)
    other = ember.optim.SGD([ember.nn.Parameter(ember.ones(2)), ember.nn.Parameter(ember.ones(2))], lr=0.1)
    with pytest.raises(ValueError, match=r"group sizes \[2\], this optimizer \[1\]"):
        opt.load_state_dict(other.state_dict())


def test_empty_parameter_list_is_refused():
    with pytest.raises(ValueError, match="empty parameter list"):
        ember.optim.SGD([], lr=0.1)
