"""nn.Module behaviour against torch.nn's (same names, same init distribution bounds, same results)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ember
from ember import nn


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 3))


def torch_twin(model):
    twin = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 8), torch.nn.ReLU(),
                               torch.nn.Linear(8, 3)).double()
    twin.load_state_dict({k: torch.tensor(v.numpy().astype(np.float64)) for k, v in model.state_dict().items()})
    return twin


def test_registration_and_state_dict_match_torch_names():
    model = mlp()
    twin = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    assert list(model.state_dict()) == list(twin.state_dict())
    assert [n for n, _ in model.named_parameters()] == [n for n, _ in twin.named_parameters()]
    assert [n for n, _ in model.named_modules()] == [n for n, _ in twin.named_modules()]
    assert len(list(model.children())) == 4


def test_forward_and_gradients_match_torch_model():
    model = mlp()
    for p in model.parameters():
        p.data = p.data.astype(np.float64)
    twin = torch_twin(model)
    x = np.random.default_rng(0).standard_normal((5, 3, 4))
    y = np.array([0, 2, 1, 1, 0])
    loss = nn.functional.cross_entropy(model(ember.tensor(x)), ember.tensor(y))
    loss_t = torch.nn.functional.cross_entropy(twin(torch.tensor(x)), torch.tensor(y))
    loss.backward()
    loss_t.backward()
    assert abs(loss.item() - loss_t.item()) < 1e-12
    for (name, p), (_, q) in zip(model.named_parameters(), twin.named_parameters(), strict=True):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_linear_init_bounds_follow_torch():
    ember.manual_seed(0)
    layer = nn.Linear(100, 50)
    bound = 1 / math.sqrt(100)  # kaiming_uniform(a=sqrt(5)) reduces to 1/sqrt(fan_in), as in torch
    w = layer.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(layer.bias.detach().numpy()).max() <= bound


def test_load_state_dict_strict_reports_keys():
    model = mlp()
    state = model.state_dict()
    state.pop("1.bias")
    state["extra.weight"] = ember.zeros(2)
    with pytest.raises(RuntimeError, match=r"missing keys \['1.bias'\].*unexpected keys \['extra.weight'\]"):
        model.load_state_dict(state)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["1.bias"] and result.unexpected_keys == ["extra.weight"]


def test_load_state_dict_size_mismatch_names_key():
    model = mlp()
    state = model.state_dict()
    state["3.weight"] = ember.zeros(4, 8)
    with pytest.raises(RuntimeError, match=r"3.weight.*\(4, 8\).*\(3, 8\)"):
        model.load_state_dict(state)


def test_linear_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"Linear\(12, 8\).*\(2, 5\).*expected 12"):
        nn.Linear(12, 8)(ember.randn(2, 5))


def test_train_eval_zero_grad_and_hooks():
    model = mlp()
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    seen = []
    remove = model[1].register_forward_hook(lambda m, args, out: seen.append(out.shape))
    model(ember.randn(2, 3, 4)).sum().backward()
    remove()
    model(ember.randn(2, 3, 4))
    assert seen == [(2, 8)]
    assert model[1].weight.grad is not None
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_buffers_are_in_state_dict():
    class WithBuffer(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("running", ember.zeros(3))
            self.register_buffer("scratch", ember.zeros(1), persistent=False)

    m = WithBuffer()
    m.running = ember.ones(3)
    assert list(m.state_dict()) == ["running"]
    assert m.state_dict()["running"].numpy().tolist() == [1.0, 1.0, 1.0]
