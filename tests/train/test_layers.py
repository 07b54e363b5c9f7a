"""Layers against torch.nn: same parameter names and init bounds, same forward with copied weights, batch-norm
running statistics after training steps, containers, initialisers, gradient clipping, error messages."""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import pytest
import torch
from oracle import dev, host, randn

import ember
from ember import nn

pytestmark = pytest.mark.usefixtures("on_device")  # every test runs on each backend


def copy_to_torch(ours, theirs):
    state = {k: torch.tensor(host(v)) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state)
    return theirs


def cnn(lib, **bn):
    n = lib.nn
    return n.Sequential(OrderedDict([
        ("features", n.Sequential(
            n.Conv2d(3, 8, 3, padding=1), n.BatchNorm2d(8, **bn), n.ReLU6(), n.MaxPool2d(2),
            n.Conv2d(8, 8, 3, padding="same", groups=8, bias=False), n.BatchNorm2d(8, **bn), n.Hardswish(),
            n.Conv2d(8, 6, (1, 3), stride=(1, 2), dilation=1), n.SiLU(), n.AvgPool2d(2, ceil_mode=True),
            n.Upsample(scale_factor=2), n.LeakyReLU(0.1), n.AdaptiveAvgPool2d((2, 3)))),
        ("head", n.Sequential(n.Flatten(), n.Dropout(0.3), n.Linear(36, 10), n.LayerNorm(10), n.GELU(),
                              n.Linear(10, 4), n.Hardsigmoid(), n.Identity(), n.Tanh(), n.Sigmoid())),
    ]))


def test_state_dict_names_and_shapes_match_torch():
    ours, theirs = cnn(ember), cnn(torch)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]


@pytest.mark.parametrize("train", [False, True])
def test_forward_and_gradients_match_torch_with_copied_weights(train, device):
    ember.manual_seed(0)
    ours = cnn(ember).to(device)
    theirs = copy_to_torch(ours, cnn(torch))
    for m in (ours, theirs):
        m.train(train)
        for layer in m.modules():  # dropout draws differ between frameworks; compare everything else
            if isinstance(layer, (nn.Dropout, torch.nn.Dropout)):
                layer.p = 0.0
    x = np.random.default_rng(0).standard_normal((4, 3, 12, 12)).astype(np.float32)
    out, out_t = ours(dev(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(host(out), out_t.detach().numpy(), rtol=1e-4, atol=1e-5)
    out.sum().backward()
    out_t.sum().backward()
    grads_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(host(p.grad), grads_t[name].grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=name)


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_running_stats_follow_torch_over_training_steps(momentum, device):
    ours = nn.Sequential(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4, momentum=momentum), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 36, 3), nn.BatchNorm1d(3, momentum=momentum)).to(device)
    theirs = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3), torch.nn.BatchNorm2d(4, momentum=momentum),
                                 torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(4 * 36, 3),
                                 torch.nn.BatchNorm1d(3, momentum=momentum))
    copy_to_torch(ours, theirs)
    opt, opt_t = ember.optim.SGD(ours.parameters(), lr=0.1), torch.optim.SGD(theirs.parameters(), lr=0.1)
    rng = np.random.default_rng(1)
    for _ in range(4):
        x = rng.standard_normal((5, 2, 8, 8)).astype(np.float32) * 3 + 1
        opt.zero_grad()
        opt_t.zero_grad()
        (ours(dev(x)) ** 2).mean().backward()
        (theirs(torch.tensor(x)) ** 2).mean().backward()
        opt.step()
        opt_t.step()
    for (name, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items(), strict=True):
        np.testing.assert_allclose(host(a), b.numpy(), rtol=1e-4, atol=1e-5, err_msg=name)
    ours.eval()
    theirs.eval()
    x = rng.standard_normal((3, 2, 8, 8)).astype(np.float32)
    np.testing.assert_allclose(host(ours(dev(x))), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-4)


def test_batch_norm_without_running_stats_uses_batch_statistics_in_eval():
    ours, theirs = nn.BatchNorm1d(3, track_running_stats=False, affine=False), torch.nn.BatchNorm1d(
        3, track_running_stats=False, affine=False)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    x = np.random.default_rng(2).standard_normal((6, 3)).astype(np.float32)
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(host(ours(dev(x))), theirs(torch.tensor(x)).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Conv2d(6, 12, (3, 5), groups=3),
    lambda lib: lib.nn.Conv2d(4, 4, 3, groups=4, bias=False),
    lambda lib: lib.nn.Linear(30, 7),
], ids=["conv", "depthwise", "linear"])
def test_init_bounds_follow_torch(make, device):
    ember.manual_seed(0)
    ours, theirs = make(ember).to(device), make(torch)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        fan_in = math.prod(q.shape[1:]) if q.ndim > 1 else math.prod(theirs.weight.shape[1:])
        bound = 1 / math.sqrt(fan_in)  # kaiming_uniform(a=sqrt(5)) and the bias rule both reduce to this
        assert float(q.detach().abs().max()) <= bound
        assert 0.8 * bound < float(np.abs(host(p)).max()) <= bound, name


def test_embedding_layer_matches_torch(device):
    ours = nn.Embedding(10, 4, padding_idx=3).to(device)
    assert not host(ours.weight)[3].any()
    theirs = copy_to_torch(ours, torch.nn.Embedding(10, 4, padding_idx=3))
    idx = np.array([[1, 3, 9], [3, 3, 0]])
    out, out_t = ours(dev(idx)), theirs(torch.tensor(idx))
    np.testing.assert_allclose(host(out), out_t.detach().numpy())
    out.sum().backward()
    out_t.sum().backward()
    np.testing.assert_allclose(host(ours.weight.grad), theirs.weight.grad.numpy())


LOSSES = [
    ("CrossEntropyLoss", {"label_smoothing": 0.1, "ignore_index": 1}, "classes"),
    ("NLLLoss", {}, "classes"),
    ("MSELoss", {"reduction": "sum"}, "values"),
    ("L1Loss", {}, "values"),
    ("SmoothL1Loss", {"beta": 0.5}, "values"),
    ("BCEWithLogitsLoss", {}, "binary"),
]


@pytest.mark.parametrize("name,kwargs,kind", LOSSES, ids=[x[0] for x in LOSSES])
def test_loss_modules_match_torch(name, kwargs, kind):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    target = {"classes": rng.integers(0, 4, 5), "values": rng.standard_normal((5, 4)).astype(np.float32),
              "binary": (rng.random((5, 4)) > 0.5).astype(np.float32)}[kind]
    ours = getattr(nn, name)(**kwargs)(dev(x), dev(target))
    theirs = getattr(torch.nn, name)(**kwargs)(torch.tensor(x), torch.tensor(target))
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-5)


def test_weighted_loss_modules_keep_weights_as_buffers():
    w = dev([1.0, 2.0, 3.0])
    ours, theirs = nn.CrossEntropyLoss(weight=w), torch.nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 3.0]))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    pw = dev([2.0, 2.0])
    assert list(nn.BCEWithLogitsLoss(pos_weight=pw).state_dict()) == ["pos_weight"]


def test_module_list_and_dict_register_children_like_torch():
    ours = nn.ModuleList([nn.Linear(2, 3), nn.ReLU()])
    ours.append(nn.Linear(3, 1))
    ours.insert(1, nn.Tanh())
    theirs = torch.nn.ModuleList([torch.nn.Linear(2, 3), torch.nn.ReLU()])
    theirs.append(torch.nn.Linear(3, 1))
    theirs.insert(1, torch.nn.Tanh())
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert len(ours) == 4 and isinstance(ours[-1], nn.Linear) and len(ours[1:]) == 3
    del ours[0]
    assert list(ours.state_dict()) == ["2.weight", "2.bias"]
    blocks = nn.ModuleDict({"enc": nn.Linear(2, 2), "dec": nn.Linear(2, 1)})
    blocks["act"] = nn.GELU()
    assert list(blocks) == ["enc", "dec", "act"] and "dec" in blocks and len(blocks) == 3
    assert list(blocks.state_dict()) == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]
    assert isinstance(blocks.pop("act"), nn.GELU) and list(blocks.keys()) == ["enc", "dec"]


def test_layer_errors_name_the_layer_path_and_shapes(device):
    model = nn.Sequential(OrderedDict([("features", nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU()))])).to(device)
    with pytest.raises(ValueError, match=r"Conv2d\(3, 16, kernel_size=\(3, 3\), \.\.\.\) at 'features\.0': "
                                         r"input of shape \(2, 4, 8, 8\) has 4 channels, expected 3"):
        model(randn(2, 4, 8, 8))
    with pytest.raises(ValueError, match=r"BatchNorm2d\(4\) at '1': .*3 channels, expected 4"):
        nn.Sequential(nn.Identity(), nn.BatchNorm2d(4)).to(device)(randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"^Conv2d\(3, 16, kernel_size=\(3, 3\), \.\.\.\): expected a 4-d"):
        nn.Conv2d(3, 16, 3).to(device)(randn(3, 8, 8))


def test_op_errors_inside_a_model_name_the_module():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Identity()

        def forward(self, x):
            return self.proj(x) + randn(5)

    model = nn.Sequential(OrderedDict([("block", Block())]))
    with pytest.raises(ValueError, match=r"add: shapes \(2, 3\) and \(5,\) .* at 'block' \(Block\(\)\)"):
        model(randn(2, 3))


def test_module_repr_matches_torch_for_common_layers():
    for make in (lambda n: n.Conv2d(3, 16, 3, stride=2, padding=1, bias=False), lambda n: n.MaxPool2d(2),
                 lambda n: n.BatchNorm2d(8), lambda n: n.BatchNorm1d(4, affine=False), lambda n: n.LayerNorm(5),
                 lambda n: n.LeakyReLU(0.2), lambda n: n.Dropout(0.1)):
        assert repr(make(nn)) == repr(make(torch.nn))


def test_init_functions_follow_torch_formulas(device):
    ember.manual_seed(0)
    t = ember.zeros(200, 300).to(device)
    nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")
    assert abs(host(t).std() - math.sqrt(2 / 200)) < 0.01 * math.sqrt(2 / 200) * 5
    nn.init.xavier_uniform_(t, gain=nn.init.calculate_gain("tanh"))
    bound = 5 / 3 * math.sqrt(6 / 500)
    assert np.abs(host(t)).max() <= bound and np.abs(host(t)).max() > 0.99 * bound
    nn.init.xavier_normal_(t)
    assert abs(host(t).std() - math.sqrt(2 / 500)) < 0.05 * math.sqrt(2 / 500)
    nn.init.kaiming_uniform_(t, nonlinearity="relu")
    assert np.abs(host(t)).max() <= math.sqrt(6 / 300)
    assert host(nn.init.constant_(t, 0.5)).min() == 0.5 and host(nn.init.zeros_(t)).max() == 0
    assert host(nn.init.ones_(t)).min() == 1 and t.dtype == np.float32
    nn.init.normal_(t, 2.0, 0.5)
    assert abs(host(t).mean() - 2.0) < 0.01 and t.dtype == np.float32
    nn.init.uniform_(t, -1, 3)
    assert host(t).min() >= -1 and host(t).max() < 3
    for gain, name in ((1.0, "linear"), (1.0, "sigmoid"), (math.sqrt(2), "relu"), (3 / 4, "selu")):
        assert nn.init.calculate_gain(name) == pytest.approx(gain) == torch.nn.init.calculate_gain(name)


def test_init_is_reproducible_from_the_seed():
    ember.manual_seed(5)
    a = nn.Conv2d(3, 4, 3).weight.detach().numpy().copy()
    ember.manual_seed(5)
    np.testing.assert_array_equal(a, nn.Conv2d(3, 4, 3).weight.detach().numpy())


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    rng = np.random.default_rng(4)
    grads = [rng.standard_normal(s).astype(np.float32) for s in [(3, 4), (5,), (2, 2, 2)]]
    ours = [dev(np.zeros(g.shape, np.float32), requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, requires_grad=True) for g in grads]
    for p, q, g in zip(ours, theirs, grads, strict=True):
        p.grad, q.grad = dev(g), torch.tensor(g)
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert total.item() == pytest.approx(total_t.item(), rel=1e-5)
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(host(p.grad), q.grad.numpy(), rtol=1e-5)


def test_clip_grad_value_and_nonfinite_norm():
    p = dev(np.zeros(3, np.float32), requires_grad=True)
    p.grad = dev([-5.0, 0.5, 5.0])
    nn.utils.clip_grad_value_([p], 1.0)
    np.testing.assert_array_equal(host(p.grad), [-1.0, 0.5, 1.0])
    p.grad = dev([np.inf, 0.0, 0.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
