"""Optimiser updates against torch.optim over several steps, from identical parameters and gradients."""

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
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_matches_torch(name, kwargs):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((4, 3))
    ours = ember.nn.Parameter(ember.tensor(w0))
    theirs = torch.nn.Parameter(torch.tensor(w0))
    opt = getattr(ember.optim, name)([ours], **kwargs)
    opt_t = getattr(torch.optim, name)([theirs], **kwargs)
    for _ in range(5):
        target = rng.standard_normal((4, 3))
        for p, o, lib in ((ours, opt, ember), (theirs, opt_t, torch)):
            o.zero_grad()
            ((p - lib.tensor(target)) * (p - lib.tensor(target))).sum().backward()
            o.step()
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_state_dict_round_trip_continues_identically():
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal(5)
    grads = [rng.standard_normal(5) for _ in range(6)]

    def run(split):
        p = ember.nn.Parameter(ember.tensor(w0))
        opt = ember.optim.Adam([p], lr=0.1)
        for i, g in enumerate(grads):
            if i == split:
                state = opt.state_dict()
                p = ember.nn.Parameter(ember.tensor(p.detach().numpy().copy()))
                opt = ember.optim.Adam([p], lr=0.1)
                opt.load_state_dict(state)
            p.grad = ember.tensor(g)
            opt.step()
        return p.detach().numpy()

    np.testing.assert_array_equal(run(split=3), run(split=-1))


def test_empty_parameter_list_is_refused():
    with pytest.raises(ValueError, match="empty parameter list"):
        ember.optim.SGD([], lr=0.1)
