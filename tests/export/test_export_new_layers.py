"""The audio, segmentation and transformer layers exported to .tflite and .onnx: every engine (LiteRT reference and
default kernels, ember.runtime, onnxruntime) agrees with Ember's own forward."""

from __future__ import annotations

import numpy as np
import pytest
from engines import ATOL, ENGINES, RTOL, assert_close, export_both, reference

import ember
from ember import nn


class _Pick(nn.Module):
    def __init__(self, module, index=0):
        super().__init__()
        self.module, self.index = module, index

    def forward(self, x):
        return self.module(x)[self.index]


class _SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)

    def forward(self, x):
        return self.attn(x, x, x, need_weights=False)[0]


class _UNetBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1)
        self.up_odd = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
        self.norm = nn.GroupNorm(2, 4)
        self.act = nn.PReLU(4)
        self.resize = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)

    def forward(self, x):
        h = self.down(x)
        y = self.act(self.norm(self.up(h) + self.up_odd(h)))
        return self.resize(y)[:, :, 1:-1, ::2]


MODELS = {
    "conv1d_kws": (lambda: nn.Sequential(nn.Conv1d(5, 8, 3, padding=1), nn.BatchNorm1d(8), nn.ReLU(),
                                         nn.Conv1d(8, 8, 3, stride=2, groups=8), nn.ELU(), nn.Flatten(),
                                         nn.Linear(8 * 7, 4)), (2, 5, 16)),
    "unet_block": (_UNetBlock, (2, 3, 8, 10)),
    "pixel_shuffle": (lambda: nn.Sequential(nn.Conv2d(3, 12, 3, padding=1), nn.PixelShuffle(2), nn.Mish()),
                      (1, 3, 5, 6)),
    "instance_norm": (lambda: nn.Sequential(nn.Conv2d(3, 4, 3), nn.InstanceNorm2d(4, affine=True), nn.SELU()),
                      (2, 3, 7, 8)),
    "lstm": (lambda: _Pick(nn.LSTM(5, 6, num_layers=2, batch_first=True)), (2, 7, 5)),
    "gru_bidirectional": (lambda: _Pick(nn.GRU(5, 4, batch_first=True, bidirectional=True)), (2, 6, 5)),
    "rnn_relu": (lambda: _Pick(nn.RNN(5, 4, nonlinearity="relu")), (6, 2, 5)),
    "attention": (_SelfAttention, (2, 5, 8)),
    "encoder": (lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True,
                                                                         activation="gelu"), 2), (2, 5, 8)),
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = {}
    for name, (build, shape) in MODELS.items():
        ember.manual_seed(0)
        model = build().eval()
        inputs = [np.random.default_rng(1).standard_normal(shape).astype(np.float32)]
        _, tfl, onx = export_both(model, inputs, tmp_path_factory.mktemp(name), name)
        out[name] = (model, inputs, tfl, onx)
    return out


# ELU (and SELU, built on it) export as TFLite's ELU, which LiteRT's reference resolver does not register.
WITH_ELU = {"conv1d_kws", "instance_norm"}
PAIRS = [(n, e) for n in MODELS for e in ENGINES if not (n in WITH_ELU and e == "litert_ref")]


@pytest.mark.parametrize("name, engine", PAIRS)
def test_new_layers_agree_on_every_engine(exported, name, engine):
    model, inputs, tfl, onx = exported[name]
    (got,) = ENGINES[engine](tfl, onx, inputs)
    (want,) = reference(model, inputs)
    assert_close(got, want, RTOL * 10, ATOL * 10, f"{name} on {engine}")
