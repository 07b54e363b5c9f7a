"""Quantisation-aware training: FakeQuantize against torch's fake_quantize_* (forward and straight-through
gradient), the folded Conv+BN+ReLU against torch.ao's ConvBnReLU2d, prepare_qat's placement of fake quantisation,
and `convert` against LiteRT's reference kernels (the oracle) and Ember's C runtime."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from engines import ember_runtime, litert

import ember
import ember.export
from ember import nn
from ember.export.quantize import (
    ActivationFakeQuant,
    QATConv2d,
    QATLinear,
    WeightFakeQuant,
    convert,
    enable_fake_quant,
    enable_observers,
    fake_quantize,
    freeze_bn_stats,
    freeze_observers,
    prepare_qat,
    quantize_weights,
)
from ember.export.quantize.qparams import dequantize_array, quantize_array


def _away_from_ties(x: np.ndarray, scale) -> np.ndarray:
    """Keep elements whose x / scale is not within 1e-3 of a .5 boundary: torch rounds ties to even and
    multiplies by 1/scale, TFLite (and Ember) round ties away from zero and divide."""
    r = np.abs(x / scale)
    return np.abs(r - np.floor(r) - 0.5) > 1e-3


def _ours(x, scale, zp, qmin, qmax, axis=None):
    t = ember.tensor(x, requires_grad=True)
    out = fake_quantize(t, ember.tensor(np.asarray(scale, np.float32)), ember.tensor(np.asarray(zp, np.int32)),
                        qmin, qmax, axis)
    g = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
    (out * ember.tensor(g)).sum().backward()
    return out.detach().numpy(), t.grad.numpy(), g


@pytest.mark.parametrize("scale,zp", [(0.05, 0), (0.02, -128), (0.1, 37), (0.013, 127)])
def test_fake_quantize_per_tensor_matches_torch(scale, zp):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((4, 3, 5, 5)) * 3).astype(np.float32)  # wide enough to reach both clamps
    x = np.where(_away_from_ties(x, np.float32(scale)), x, 0.0).astype(np.float32)
    out, grad, g = _ours(x, [scale], [zp], -128, 127)
    tx = torch.tensor(x, requires_grad=True)
    ref = torch.fake_quantize_per_tensor_affine(tx, scale, zp, -128, 127)
    (ref * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=0, atol=1e-6)
    np.testing.assert_array_equal(grad, tx.grad.numpy())
    assert 0 < (grad == 0).mean() < 1  # the clamp cut some gradients and passed others


@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("symmetric", [True, False])
def test_fake_quantize_per_channel_matches_torch(axis, symmetric):
    rng = np.random.default_rng(axis)
    x = (rng.standard_normal((6, 4, 3, 3)) * 2).astype(np.float32)
    c = x.shape[axis]
    scale = rng.uniform(0.005, 0.03, c).astype(np.float32)
    zp = np.zeros(c, np.int32) if symmetric else rng.integers(-20, 20, c).astype(np.int32)
    qmin, qmax = (-127, 127) if symmetric else (-128, 127)
    shape = [1] * 4
    shape[axis] = -1
    x = np.where(_away_from_ties(x, scale.reshape(shape)), x, 0.0).astype(np.float32)
    out, grad, g = _ours(x, scale, zp, qmin, qmax, axis)
    tx = torch.tensor(x, requires_grad=True)
    ref = torch.fake_quantize_per_channel_affine(tx, torch.tensor(scale), torch.tensor(zp), axis, qmin, qmax)
    (ref * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=0, atol=1e-6)
    np.testing.assert_array_equal(grad, tx.grad.numpy())


def test_fake_quantize_rounds_ties_away_from_zero_like_tflite():
    x = np.array([0.25, -0.25, 0.37, -0.05, 12.66, 12.76, 100.0, -100.0], np.float32)
    out, grad, _ = _ours(x, [0.1], [0], -128, 127)
    # 2.5 -> 3, -2.5 -> -3 (TFLite's std::round); torch gives 2 and -2 (half to even)
    expected = np.float32(0.1) * np.array([3, -3, 4, -1, 127, 127, 127, -128], np.float32)
    np.testing.assert_array_equal(out, expected)
    torch_out = torch.fake_quantize_per_tensor_affine(torch.tensor(x[:2]), 0.1, 0, -128, 127).numpy()
    assert np.allclose(torch_out, [0.2, -0.2])
    # the straight-through estimator passes where round(x / s) + zp is inside [qmin, qmax]: 126.6 rounds to 127,
    # inside; 127.6 rounds to 128, clamped, so no gradient
    np.testing.assert_array_equal(grad != 0, [True, True, True, True, True, False, False, False])


def test_fake_quantize_runs_on_every_backend(device):
    model = prepare_qat(nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                                      nn.Linear(4 * 6 * 6, 3))).to(device)
    x = ember.randn(2, 1, 6, 6).to(device)
    out = model(x)
    out.sum().backward()
    assert out.device == device and model[0].conv.weight.grad is not None
    assert model[0].activation_post_process.observed


@pytest.mark.parametrize("shape", [(8, 3, 3, 3), (10, 16)])
def test_fake_quantised_weights_requantise_exactly(shape):
    """The exporter re-quantises the fake-quantised weight per channel: same integers, same scales."""
    w = (np.random.default_rng(0).standard_normal(shape) * 0.3).astype(np.float32)
    w[1] = 0.0  # an all-zero channel
    fq = WeightFakeQuant(axis=0)(ember.tensor(w)).numpy()
    q0, p0 = quantize_weights(w, 0)
    q1, p1 = quantize_weights(fq, 0)
    np.testing.assert_array_equal(q1, q0)
    np.testing.assert_allclose(p1.scale, p0.scale, rtol=2e-7, atol=0)  # at most one float32 ulp
    dequantised = q1.astype(np.float32) * p1.scale.reshape((-1,) + (1,) * (len(shape) - 1))
    np.testing.assert_allclose(dequantised, fq, rtol=1e-6, atol=0)


def _torch_convbnrelu(conv: nn.Conv2d, bn: nn.BatchNorm2d):
    import torch.ao.nn.intrinsic.qat as nniqat
    from torch.ao.quantization import FakeQuantize, PerChannelMinMaxObserver, QConfig

    # our weight rule in torch's terms: per channel symmetric in [-127, 127], scale max|w_c| / 127
    weight = FakeQuantize.with_args(observer=PerChannelMinMaxObserver, quant_min=-127, quant_max=127,
                                    dtype=torch.qint8, qscheme=torch.per_channel_symmetric, ch_axis=0)
    qconfig = QConfig(activation=torch.nn.Identity, weight=weight)
    t = nniqat.ConvBnReLU2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
                            bias=conv.bias is not None, eps=bn.eps, momentum=bn.momentum, qconfig=qconfig)
    with torch.no_grad():
        t.weight.copy_(torch.tensor(conv.weight.detach().numpy()))
        if conv.bias is not None:
            t.bias.copy_(torch.tensor(conv.bias.detach().numpy()))
        t.bn.weight.copy_(torch.tensor(bn.weight.detach().numpy()))
        t.bn.bias.copy_(torch.tensor(bn.bias.detach().numpy()))
        t.bn.running_mean.copy_(torch.tensor(bn.running_mean.numpy()))
        t.bn.running_var.copy_(torch.tensor(bn.running_var.numpy()))
    return t


@pytest.mark.parametrize("bias", [True, False])
def test_conv_bn_relu_folding_matches_torch_ao_convbnrelu2d(bias):
    ember.manual_seed(0)
    conv, bn = nn.Conv2d(3, 6, 3, padding=1, bias=bias), nn.BatchNorm2d(6)
    rng = np.random.default_rng(0)
    bn.weight.data[...] = rng.uniform(0.5, 2, 6)
    bn.bias.data[...] = rng.uniform(-1, 1, 6)
    bn.running_mean.data[...] = rng.uniform(-0.2, 0.2, 6)
    bn.running_var.data[...] = rng.uniform(0.5, 2, 6)
    theirs = _torch_convbnrelu(conv, bn).train()
    ours = QATConv2d(conv, bn, "relu").train()
    ours.activation_post_process.fake_quant_enabled = False  # torch's module has no output fake-quant
    x = rng.standard_normal((4, 3, 7, 7)).astype(np.float32)
    g = rng.standard_normal((4, 6, 7, 7)).astype(np.float32)

    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = ours(ex), theirs(tx)  # training: batch statistics, running statistics updated
    (out * ember.tensor(g)).sum().backward()
    (ref * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=0, atol=2e-5)
    pairs = [(ex, tx), (conv.weight, theirs.weight), (bn.weight, theirs.bn.weight), (bn.bias, theirs.bn.bias)]
    pairs += [(conv.bias, theirs.bias)] if bias else []
    for a, b in pairs:
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(bn.running_mean.numpy(), theirs.bn.running_mean.numpy(), atol=1e-6)
    np.testing.assert_allclose(bn.running_var.numpy(), theirs.bn.running_var.numpy(), atol=1e-6)

    ours.eval(), theirs.eval()  # eval: the folded convolution
    with ember.no_grad(), torch.no_grad():
        np.testing.assert_allclose(ours(ember.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(), atol=2e-5)


def test_freeze_bn_stats_trains_the_folded_eval_graph():
    ember.manual_seed(0)
    layer = QATConv2d(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4), "relu6")
    x = ember.randn(3, 2, 6, 6)
    layer.train()(x)  # one batch moves the running statistics away from (0, 1)
    mean = layer.bn.running_mean.numpy().copy()
    freeze_bn_stats(layer).train()
    with ember.no_grad():
        frozen = layer(x).numpy()
        np.testing.assert_array_equal(layer.bn.running_mean.numpy(), mean)
        np.testing.assert_array_equal(frozen, layer.eval()(x).numpy())


def test_observers_update_in_training_only_and_can_be_frozen():
    fq = ActivationFakeQuant("moving_average")
    assert not fq.observed
    x = ember.tensor(np.linspace(-1, 3, 50, dtype=np.float32))
    np.testing.assert_array_equal(fq.eval()(x).numpy(), x.numpy())  # nothing observed: values pass
    fq.train()(x)
    assert (float(fq.min_val.numpy()), float(fq.max_val.numpy())) == (-1.0, 3.0)
    assert float(fq.scale.numpy()[0]) == np.float32(4.0 / 255)
    fq.eval()(x * 10.0)
    assert float(fq.max_val.numpy()) == 3.0
    fq.train()(x * 2.0)  # moving average with constant 0.01, as torch's MovingAverageMinMaxObserver
    np.testing.assert_allclose(float(fq.max_val.numpy()), 3.0 + 0.01 * (6.0 - 3.0), rtol=1e-6)
    model = nn.Sequential(fq)
    freeze_observers(model)
    before = float(fq.max_val.numpy())
    fq(x * 100.0)
    assert float(fq.max_val.numpy()) == before
    enable_observers(model)(x * 100.0)
    assert float(fq.max_val.numpy()) > before


def _cnn() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 8, 3, padding=1), nn.ReLU6(), nn.Flatten(), nn.Linear(8 * 4 * 4, 16),
                         nn.ReLU(), nn.Linear(16, 10), nn.Softmax(dim=1))


def test_prepare_qat_fuses_and_places_fake_quant():
    model = _cnn()
    qat = prepare_qat(model)
    assert not any(isinstance(m, QATConv2d) for m in model.modules())  # a copy by default
    kinds = [(type(m).__name__, getattr(m, "activation", None), m.bn is not None if isinstance(m, QATConv2d)
              else None) for m in qat]
    assert kinds == [("QATConv2d", "relu", True), ("Identity", None, None), ("Identity", None, None),
                     ("MaxPool2d", None, None), ("QATConv2d", "relu6", False), ("Identity", None, None),
                     ("Flatten", None, None), ("QATLinear", "relu", None), ("Identity", None, None),
                     ("QATLinear", None, None), ("Softmax", None, None)]
    assert isinstance(qat[0].input_fake_quant, ActivationFakeQuant)
    fixed = qat[10].activation_post_process.qparams()
    assert (float(fixed.scale[0]), int(fixed.zero_point[0])) == (1 / 256, -128)
    assert "0.conv.weight" in qat.state_dict() and "0.activation_post_process.scale" in qat.state_dict()
    x = ember.randn(2, 1, 8, 8)
    with ember.no_grad():
        freeze_bn_stats(qat).train()(x)  # the observers see data; weights and BN statistics stay the model's
        qat.eval()
        enable_fake_quant(qat, False)  # rounding off everywhere: the float model (BatchNorm folded)
        np.testing.assert_allclose(qat(x).numpy(), model.eval()(x).numpy(), rtol=1e-4, atol=1e-5)
        enable_fake_quant(qat)
        assert not np.allclose(qat(x).numpy(), model(x).numpy(), rtol=1e-4, atol=1e-5)
    assert prepare_qat(model, inplace=True) is model
    with pytest.raises(ValueError, match="already prepared"):
        prepare_qat(model)


def _train(model: nn.Module, steps: int = 20, seed: int = 0) -> nn.Module:
    rng = np.random.default_rng(seed)
    opt = ember.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for _ in range(steps):
        x = ember.tensor(rng.standard_normal((8, 1, 8, 8)).astype(np.float32))
        y = ember.tensor(rng.integers(0, 10, 8))
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


def _int8_input(graph, x: np.ndarray) -> np.ndarray:
    x = x.transpose(0, 2, 3, 1) if graph.layouts.get(graph.inputs[0].name) == "NHWC" else x
    q = quantize_array(x, graph.inputs[0].quant)
    return (q.transpose(0, 3, 1, 2) if q.ndim == 4 else q).astype(np.float32)  # engines.* take NCHW


def _check_runtime_matches_litert(path, x):
    expected = litert(path, [x])[0]
    got = ember_runtime(path, [x])[0]
    np.testing.assert_array_equal(got, expected)
    return expected


def test_convert_runs_in_litert_like_the_qat_model(tmp_path):
    ember.manual_seed(0)
    qat = _train(prepare_qat(_cnn()[:-1]))  # logits: the comparison below is in units of the output scale
    path = tmp_path / "qat.tflite"
    x = np.random.default_rng(5).standard_normal((1, 1, 8, 8)).astype(np.float32)
    graph = convert(qat, ember.tensor(x), path)
    assert graph.inputs[0].dtype == np.int8 and graph.op_counts()["CONV_2D"] == 2
    diffs = []
    for seed in range(10):
        x = np.random.default_rng(100 + seed).standard_normal((1, 1, 8, 8)).astype(np.float32)
        xq = _int8_input(graph, x)
        got = litert(path, [xq])[0].astype(np.int32)
        with ember.no_grad():
            ours = qat(ember.tensor(dequantize_array(xq.astype(np.int8), graph.inputs[0].quant))).numpy()
        diffs.append(np.abs(got - quantize_array(ours, graph.outputs[0].quant).astype(np.int32)))
    # Same integer weights and grids: only the requantisation (fixed-point multiplier, int32 bias) can move a
    # value that lies near a rounding boundary by one step, and such a step may carry into the next layers.
    diffs = np.concatenate(diffs)
    assert diffs.max() <= 2 and (diffs == 0).mean() >= 0.9, f"max {diffs.max()}, exact {(diffs == 0).mean()}"
    _check_runtime_matches_litert(path, xq)


def test_converted_weights_are_the_fake_quantised_weights(tmp_path):
    ember.manual_seed(1)
    qat = _train(prepare_qat(_cnn()), steps=5)
    graph = convert(qat, ember.randn(1, 1, 8, 8), tmp_path / "m.tflite")
    conv = next(n for n in graph.nodes if n.op == "CONV_2D")
    w = conv.inputs[1]
    layer = qat[0]
    with ember.no_grad():
        s = layer._bn_scale()
        expected = layer.weight_fake_quant(layer.conv.weight * s.reshape(-1, 1, 1, 1)).numpy()
    expected = expected.transpose(0, 2, 3, 1)  # OIHW -> OHWI
    dequantised = w.data.astype(np.float32) * w.quant.scale.reshape(-1, 1, 1, 1)
    np.testing.assert_allclose(dequantised, expected, rtol=1e-6, atol=0)
    params = layer.activation_post_process.qparams()
    out = conv.outputs[0].quant
    assert (out.scale[0], out.zero_point[0]) == (params.scale[0], params.zero_point[0])


class Residual(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.bn1, self.relu1 = nn.Conv2d(4, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU()
        self.conv2, self.bn2 = nn.Conv2d(4, 4, 3, padding=1), nn.BatchNorm2d(4)

    def forward(self, x):
        return nn.functional.relu(x + self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x))))))


class Net(nn.Module):
    def __init__(self, scale_input: bool = False) -> None:
        super().__init__()
        self.scale_input = scale_input
        self.stem = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU())
        self.block = Residual()
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 10))

    def forward(self, x):
        return self.head(self.block(self.stem(x * 2.0 if self.scale_input else x)))


def test_residual_block_gets_its_parameters_from_fake_quant(tmp_path):
    ember.manual_seed(2)
    fuse = [("block.conv1", "block.bn1", "block.relu1"), ("block.conv2", "block.bn2")]
    qat = _train(prepare_qat(Net(), fuse=fuse), steps=10)
    assert isinstance(qat.block.conv1, QATConv2d) and isinstance(qat.block.relu1, nn.Identity)
    path = tmp_path / "res.tflite"
    graph = convert(qat, ember.randn(1, 1, 8, 8), path)  # no calibration: every tensor has QAT parameters
    add = next(n for n in graph.nodes if n.op == "ADD")
    assert add.attrs["fused_activation"] == "RELU"
    p = qat.block.activation_post_process.qparams()
    assert (add.outputs[0].quant.scale[0], add.outputs[0].quant.zero_point[0]) == (p.scale[0], p.zero_point[0])
    x = _int8_input(graph, np.random.default_rng(3).standard_normal((1, 1, 8, 8)).astype(np.float32))
    _check_runtime_matches_litert(path, x)


def test_functional_op_without_fake_quant_is_refused_or_calibrated(tmp_path):
    ember.manual_seed(3)
    qat = _train(prepare_qat(Net(scale_input=True)), steps=3)
    with pytest.raises(ember.export.ExportError, match=r"have no fake quantisation: .*MUL"):
        convert(qat, ember.randn(1, 1, 8, 8), tmp_path / "m.tflite")
    assert not (tmp_path / "m.tflite").exists()
    calibration = [np.random.default_rng(s).standard_normal((1, 1, 8, 8)).astype(np.float32) for s in range(4)]
    graph = convert(qat, ember.randn(1, 1, 8, 8), tmp_path / "m.tflite", calibration=calibration)
    mul = next(n for n in graph.nodes if n.op == "MUL")
    assert mul.outputs[0].quant is not None
    litert(tmp_path / "m.tflite", [_int8_input(graph, calibration[0])])


def test_float_export_of_a_qat_model_is_refused(tmp_path):
    qat = _train(prepare_qat(nn.Sequential(nn.Flatten(), nn.Linear(64, 10))), steps=1)
    with pytest.raises(ember.export.ExportError, match="FakeQuantize"):
        ember.export.to_tflite(qat, ember.randn(1, 1, 8, 8), tmp_path / "m.tflite")
    assert isinstance(qat[1], QATLinear)


def test_log_softmax_gets_litert_fixed_output_and_converts_bit_exact(tmp_path):
    # nn.LogSoftmax subclasses nn.Softmax: it must get LOG_SOFTMAX's (16/256, 127), not SOFTMAX's (1/256, -128)
    ember.manual_seed(2)
    qat = _train(prepare_qat(nn.Sequential(nn.Flatten(), nn.Linear(64, 10), nn.LogSoftmax(dim=1))), steps=3)
    fixed = qat[2].activation_post_process.qparams()
    assert (float(fixed.scale[0]), int(fixed.zero_point[0])) == (16 / 256, 127)
    path = tmp_path / "m.tflite"
    graph = convert(qat, ember.randn(1, 1, 8, 8), path)
    out = next(n for n in graph.nodes if n.op == "LOG_SOFTMAX").outputs[0]
    assert out.dtype == np.int8 and (float(out.quant.scale[0]), int(out.quant.zero_point[0])) == (16 / 256, 127)
    for seed in range(3):
        x = np.random.default_rng(300 + seed).standard_normal((1, 1, 8, 8)).astype(np.float32)
        y = _check_runtime_matches_litert(path, quantize_array(x, graph.inputs[0].quant).astype(np.float32))
        assert len(np.unique(y)) > 3  # log-probabilities, not a row of the lowest code
