"""The layers for audio, segmentation and small transformers against PyTorch: functional ops through the oracle
(forward and every input's gradient, float64 and float32), modules with weights copied into torch (outputs and
parameter gradients)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from oracle import DTYPES, check, dev, host

import ember
import ember.nn.functional as F
from ember import nn

pytestmark = pytest.mark.usefixtures("on_device")  # every test runs on each backend

TOL = {np.float64: (1e-6, 1e-12), np.float32: (1e-4, 1e-6)}


# -- convolutions -------------------------------------------------------------------------------------------------
CONV_T = [  # (x shape, w shape, stride, padding, output_padding, groups, dilation)
    ((2, 4, 5, 6), (4, 3, 3, 3), 1, 0, 0, 1, 1),
    ((2, 4, 5, 6), (4, 3, 3, 3), 2, 1, 1, 1, 1),
    ((1, 6, 4, 3), (6, 2, 2, 4), (2, 3), (0, 1), (1, 2), 3, 1),
    ((2, 3, 4, 4), (3, 5, 3, 3), 2, 2, 0, 1, 2),
    ((1, 2, 3, 3), (2, 1, 1, 1), 3, 0, 2, 2, 1),
    ((2, 4, 3, 5), (4, 2, 4, 2), (1, 2), (1, 0), (0, 1), 2, (2, 1)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV_T, ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_transpose2d(case, bias, dtype):
    x, w, s, p, op, g, d = case
    shapes = [x, w] + ([(w[1] * g,)] if bias else [])
    check(lambda *a: F.conv_transpose2d(*a[:2], a[2] if bias else None, s, p, op, g, d),
          lambda *a: TF.conv_transpose2d(*a[:2], a[2] if bias else None, s, p, op, g, d), shapes, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("stride, padding, dilation, groups", [(1, 0, 1, 1), (2, 1, 1, 1), (1, "same", 2, 2),
                                                               (3, 2, 2, 1), (1, "valid", 1, 4)])
def test_conv1d(stride, padding, dilation, groups, dtype):
    check(lambda x, w, b: F.conv1d(x, w, b, stride, padding, dilation, groups),
          lambda x, w, b: TF.conv1d(x, w, b, stride, padding, dilation, groups),
          [(2, 4, 11), (8, 4 // groups, 3), (8,)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("stride, padding, output_padding, groups, dilation", [(1, 0, 0, 1, 1), (2, 1, 1, 2, 1),
                                                                               (3, 2, 1, 1, 2)])
def test_conv_transpose1d(stride, padding, output_padding, groups, dilation, dtype):
    check(lambda x, w, b: F.conv_transpose1d(x, w, b, stride, padding, output_padding, groups, dilation),
          lambda x, w, b: TF.conv_transpose1d(x, w, b, stride, padding, output_padding, groups, dilation),
          [(2, 4, 7), (4, 6 // groups, 3), (6,)], dtype)


def _copy(ours, theirs):
    theirs.load_state_dict({k: torch.tensor(host(v)) for k, v in ours.state_dict().items()})
    return theirs


def _compare_outputs_and_grads(ours, theirs, out_e, out_t, dtype):
    """Each output against torch's, then every parameter's gradient of the same random projection of them."""
    rtol, atol = TOL[dtype]
    rng = np.random.default_rng(1)
    loss_e = loss_t = 0
    for e, t in zip(out_e, out_t, strict=True):
        np.testing.assert_allclose(host(e), t.detach().numpy(), rtol=rtol, atol=atol)
        up = rng.standard_normal(tuple(t.shape)).astype(dtype)
        loss_e = loss_e + (e * dev(up)).sum()
        loss_t = loss_t + (t * torch.tensor(up)).sum()
    loss_e.backward()
    loss_t.backward()
    grads_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(host(p.grad), grads_t[name].grad.numpy(), rtol=rtol, atol=atol, err_msg=name)


def _module_check(ours, theirs, *inputs, dtype=np.float32, outputs=lambda o: o):
    """Outputs and every parameter's gradient of `ours` against `theirs` (weights copied), on the same inputs."""
    theirs = _copy(ours, theirs)
    if dtype == np.float64:
        ours.double()
        theirs.double()
    arrays = [a.astype(dtype) if a.dtype.kind == "f" else a for a in inputs]
    out_e = outputs(ours(*[dev(a) for a in arrays]))
    out_t = outputs(theirs(*[torch.tensor(a) for a in arrays]))
    out_e, out_t = (out_e if isinstance(out_e, tuple) else (out_e,)), (out_t if isinstance(out_t, tuple) else (out_t,))
    _compare_outputs_and_grads(ours, theirs, out_e, out_t, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv_modules_match_torch(dtype, device):
    rng = np.random.default_rng(0)
    for ours, theirs, shape in [
        (nn.Conv1d(3, 6, 5, stride=2, padding=2, groups=3), torch.nn.Conv1d(3, 6, 5, stride=2, padding=2, groups=3),
         (2, 3, 16)),
        (nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1),
         torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1), (2, 4, 5, 5)),
        (nn.ConvTranspose1d(4, 2, 4, stride=2, bias=False), torch.nn.ConvTranspose1d(4, 2, 4, stride=2, bias=False),
         (1, 4, 6)),
    ]:
        assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
            [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
        _module_check(ours.to(device), theirs, rng.standard_normal(shape), dtype=dtype)


def test_conv_transpose_output_size_argument(device):
    ours = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1).to(device)
    theirs = _copy(ours, torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1))
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 4)).astype(np.float32)
    out = ours(dev(x), output_size=(8, 8))
    np.testing.assert_allclose(host(out), theirs(torch.tensor(x), output_size=(8, 8)).detach().numpy(), rtol=1e-4,
                               atol=1e-6)
    with pytest.raises(ValueError, match="not reachable"):
        ours(dev(x), output_size=(10, 10))


# -- resize, pixel shuffle ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size, scale, align", [((7, 9), None, False), ((7, 9), None, True), (None, 2, False),
                                                (None, 2, True), (None, (1.5, 0.7), False), ((1, 1), None, True),
                                                ((3, 2), None, False)])
def test_interpolate_bilinear(size, scale, align, dtype):
    check(lambda x: F.interpolate(x, size, scale, mode="bilinear", align_corners=align),
          lambda x: TF.interpolate(x, size, scale, mode="bilinear", align_corners=align), [(2, 3, 5, 4)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_pixel_shuffle_and_unshuffle(dtype):
    check(lambda x: F.pixel_shuffle(x, 2), lambda x: TF.pixel_shuffle(x, 2), [(2, 12, 3, 4)], dtype)
    check(lambda x: F.pixel_unshuffle(x, 3), lambda x: TF.pixel_unshuffle(x, 3), [(1, 2, 6, 9)], dtype)


# -- activations and norms ------------------------------------------------------------------------------------------
ACTS = [("elu", lambda x: F.elu(x, 0.7), lambda x: TF.elu(x, 0.7)), ("selu", F.selu, TF.selu),
        ("softplus", F.softplus, TF.softplus), ("softplus_beta", lambda x: F.softplus(x, 2.0, 5.0),
                                                lambda x: TF.softplus(x, 2.0, 5.0)), ("mish", F.mish, TF.mish)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, ours, theirs", ACTS, ids=[a[0] for a in ACTS])
def test_activations(name, ours, theirs, dtype):
    x = np.concatenate([np.random.default_rng(0).standard_normal(40) * 4, [-60.0, -25.0, 25.0, 60.0, 0.5]])
    check(ours, theirs, None, dtype, data=[x.astype(dtype)])


@pytest.mark.parametrize("dtype", DTYPES)
def test_prelu(dtype):
    check(F.prelu, TF.prelu, [(2, 3, 4, 5), (3,)], dtype)
    check(F.prelu, TF.prelu, [(4, 6), (1,)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("groups", [1, 2, 6])
def test_group_norm(groups, dtype):
    check(lambda x, w, b: F.group_norm(x, groups, w, b), lambda x, w, b: TF.group_norm(x, groups, w, b),
          [(3, 6, 4, 5), (6,), (6,)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_instance_norm(dtype):
    check(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), lambda x, w, b: TF.instance_norm(x, weight=w, bias=b),
          [(3, 4, 5, 6), (4,), (4,)], dtype)


def test_norm_and_activation_modules_match_torch(device):
    rng = np.random.default_rng(0)
    _module_check(nn.PReLU(4).to(device), torch.nn.PReLU(4), rng.standard_normal((2, 4, 3)))
    _module_check(nn.GroupNorm(2, 4).to(device), torch.nn.GroupNorm(2, 4), rng.standard_normal((2, 4, 3, 3)))
    ours, theirs = nn.InstanceNorm2d(3, affine=True, track_running_stats=True), \
        torch.nn.InstanceNorm2d(3, affine=True, track_running_stats=True)
    _module_check(ours.to(device), theirs, rng.standard_normal((2, 3, 4, 4)))
    np.testing.assert_allclose(host(ours.running_var), theirs.running_var.numpy(), rtol=1e-5)
    ours.eval(), theirs.eval()
    x = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    np.testing.assert_allclose(host(ours(dev(x))), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-4, atol=1e-6)
    ours = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False).to(device)
    theirs = torch.nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
    np.testing.assert_allclose(host(ours(dev(x))), theirs(torch.tensor(x)).numpy(), rtol=1e-5, atol=1e-6)


# -- recurrent ------------------------------------------------------------------------------------------------------
RNNS = [("LSTM", {}), ("LSTM", {"num_layers": 2, "bidirectional": True}), ("GRU", {"batch_first": True}),
        ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}), ("RNN", {"nonlinearity": "relu"}),
        ("LSTM", {"bias": False, "batch_first": True})]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind, kwargs", RNNS, ids=[f"{k}-{v}" for k, v in RNNS])
@pytest.mark.parametrize("with_state", [False, True])
def test_recurrent_layers_match_torch_through_time(kind, kwargs, with_state, dtype, device):
    ember.manual_seed(0)
    ours = getattr(nn, kind)(5, 4, **kwargs).to(device)
    theirs = getattr(torch.nn, kind)(5, 4, **kwargs)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    rng = np.random.default_rng(2)
    batch_first = kwargs.get("batch_first", False)
    x = rng.standard_normal((3, 6, 5) if batch_first else (6, 3, 5))
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    inputs = [x]
    if with_state:
        h0 = rng.standard_normal((layers, 3, 4))
        inputs.append((h0, rng.standard_normal((layers, 3, 4))) if kind == "LSTM" else h0)

    class Wrap:
        def __init__(self, m, lib):
            self.m, self.lib = m, lib

        def __call__(self, x, state=None):
            if state is None:
                return self.m(x)
            cast = dev if self.lib == "ember" else torch.tensor
            if isinstance(state, tuple):
                return self.m(x, tuple(cast(s.astype(dtype)) for s in state))
            state = cast(state.astype(dtype))
            return self.m(x, state)

    flatten = lambda out: (out[0], *out[1]) if isinstance(out[1], tuple) else tuple(out)  # noqa: E731
    _run_wrapped(ours, theirs, Wrap, inputs, dtype, flatten)


def _run_wrapped(ours, theirs, wrap, inputs, dtype, flatten):
    theirs = _copy(ours, theirs)
    if dtype == np.float64:
        ours.double()
        theirs.double()
    x = inputs[0].astype(dtype)
    state = inputs[1] if len(inputs) > 1 else None
    out_e = flatten(wrap(ours, "ember")(dev(x), state))
    out_t = flatten(wrap(theirs, "torch")(torch.tensor(x), state))
    _compare_outputs_and_grads(ours, theirs, out_e, out_t, dtype)


def test_unbatched_lstm(device):
    ember.manual_seed(0)
    ours = nn.LSTM(3, 2).to(device)
    theirs = _copy(ours, torch.nn.LSTM(3, 2))
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    out, (h, c) = ours(dev(x))
    out_t, (h_t, c_t) = theirs(torch.tensor(x))
    for a, b in ((out, out_t), (h, h_t), (c, c_t)):
        np.testing.assert_allclose(host(a), b.detach().numpy(), rtol=1e-4, atol=1e-6)


# -- attention ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("causal", [False, True])
def test_scaled_dot_product_attention(causal, dtype):
    check(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=causal),
          lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, is_causal=causal),
          [(2, 3, 5, 4), (2, 3, 5, 4), (2, 3, 5, 6)], dtype)
    mask = np.random.default_rng(0).random((5, 7)) > 0.3
    mask[:, 0] = True
    check(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=dev(mask), scale=0.3),
          lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, attn_mask=torch.tensor(mask), scale=0.3),
          [(2, 5, 4), (2, 7, 4), (2, 7, 3)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_attention_with_masks(batch_first, dtype, device):
    ember.manual_seed(0)
    ours = nn.MultiheadAttention(8, 2, batch_first=batch_first).to(device)
    theirs = torch.nn.MultiheadAttention(8, 2, batch_first=batch_first)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    rng = np.random.default_rng(3)
    n, l_len, s_len = 3, 4, 5
    shape = (lambda t: (n, t, 8)) if batch_first else (lambda t: (t, n, 8))
    q, k, v = rng.standard_normal(shape(l_len)), rng.standard_normal(shape(s_len)), rng.standard_normal(shape(s_len))
    padding = np.zeros((n, s_len), bool)
    padding[0, -2:] = True
    causal = np.triu(np.ones((l_len, s_len), bool), k=1)
    theirs = _copy(ours, theirs)
    if dtype == np.float64:
        ours.double(), theirs.double()
    rtol, atol = TOL[dtype]
    e_in = [dev(a.astype(dtype)) for a in (q, k, v)]
    t_in = [torch.tensor(a.astype(dtype)) for a in (q, k, v)]
    out_e, w_e = ours(*e_in, key_padding_mask=dev(padding), attn_mask=dev(causal))
    out_t, w_t = theirs(*t_in, key_padding_mask=torch.tensor(padding), attn_mask=torch.tensor(causal))
    np.testing.assert_allclose(host(out_e), out_t.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(host(w_e), w_t.detach().numpy(), rtol=rtol, atol=atol)
    (out_e * out_e).sum().backward()
    (out_t * out_t).sum().backward()
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(host(p.grad), grads[name].grad.numpy(), rtol=rtol, atol=atol, err_msg=name)


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder_layer(norm_first, device):
    ember.manual_seed(0)
    kwargs = {"dim_feedforward": 16, "dropout": 0.0, "batch_first": True, "norm_first": norm_first,
              "activation": "gelu"}
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, **kwargs), 2).to(device)
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, **kwargs), 2,
                                         enable_nested_tensor=False)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    theirs = _copy(ours, theirs)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 6, 8)).astype(np.float32)
    padding = np.zeros((2, 6), bool)
    padding[1, 4:] = True
    mask = torch.nn.Transformer.generate_square_subsequent_mask(6)
    ours.train(), theirs.train()
    out_e = ours(dev(x), mask=dev(mask.numpy()), src_key_padding_mask=dev(padding))
    out_t = theirs(torch.tensor(x), mask=mask, src_key_padding_mask=torch.tensor(padding))
    np.testing.assert_allclose(host(out_e), out_t.detach().numpy(), rtol=1e-4, atol=1e-5)
    out_e.sum().backward()
    out_t.sum().backward()
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(host(p.grad), grads[name].grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=name)


# -- tensor methods, dtype conversion, samplers -----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_tensor_methods(dtype):
    check(lambda x: x.flip(0, 2), lambda x: x.flip(0, 2), [(3, 4, 5)], dtype)
    check(lambda x: x.roll(2, 1), lambda x: x.roll(2, 1), [(3, 4)], dtype)
    check(lambda x: x.roll((1, -3), (0, 1)), lambda x: x.roll((1, -3), (0, 1)), [(3, 4)], dtype)
    check(lambda x: x.roll(5), lambda x: x.roll(5), [(3, 4)], dtype)
    check(lambda x: x.repeat(2, 1, 3), lambda x: x.repeat(2, 1, 3), [(4, 2)], dtype)
    check(lambda x: x.unbind(1), lambda x: x.unbind(1), [(3, 4, 2)], dtype)
    check(lambda x: x.expand(2, 3, 4), lambda x: x.expand(2, 3, 4), [(3, 1)], dtype)
    check(lambda x: x.chunk(3, -1), lambda x: x.chunk(3, -1), [(2, 7)], dtype)
    check(lambda x: x.split([1, 3], 0), lambda x: x.split([1, 3], 0), [(4, 2)], dtype)


def test_module_double_float_half():
    m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert {str(t.dtype) for t in m.state_dict().values()} == {"float32", "int64"}
    m.double()
    assert {str(p.dtype) for p in m.parameters()} == {"float64"}
    assert str(m[1].running_mean.dtype) == "float64" and str(m[1].num_batches_tracked.dtype) == "int64"
    assert str(m.half()[0].weight.dtype) == "float16"
    assert str(m.float()[0].weight.dtype) == "float32"


def test_samplers_and_random_split():
    from ember.data import SubsetRandomSampler, WeightedRandomSampler, random_split
    g = np.random.default_rng(0)
    parts = random_split(list(range(10)), [0.5, 0.3, 0.2], generator=g)
    assert [len(p) for p in parts] == [5, 3, 2]
    assert sorted(v for p in parts for v in (p[i] for i in range(len(p)))) == list(range(10))
    assert [len(p) for p in random_split(list(range(10)), [0.34, 0.33, 0.33])] == [4, 3, 3]  # torch's remainder
    with pytest.raises(ValueError, match="summing"):
        random_split(list(range(10)), [3, 3])
    sub = list(SubsetRandomSampler([3, 5, 7, 9], generator=g))
    assert sorted(sub) == [3, 5, 7, 9]
    draws = list(WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=g))
    counts = np.bincount(draws, minlength=3)
    assert counts[0] == 0 and abs(counts[2] / counts[1] - 3.0) < 0.3  # binomial: 3 +- 0.15 at 2 sigma
    assert sorted(WeightedRandomSampler([1, 1, 1, 0], 3, replacement=False, generator=g)) == [0, 1, 2]
    with pytest.raises(ValueError, match="only 3 weights"):
        WeightedRandomSampler([1, 1, 1, 0], 4, replacement=False)
