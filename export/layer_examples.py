"""One small instance of every exportable `ember.nn` layer with an input for it: the README's layer table
(tools/export_table.py) traces and lowers each to say which TFLite ops it becomes and which export modes take it,
and tests/export/test_layer_table.py exports each in every mode the table claims and runs it on ember.runtime
against LiteRT's reference kernels. Losses, containers, Identity and Dropout (nothing to export) and SyncBatchNorm
(BatchNorm2d once trained) are left out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ember import nn

IMG = (2, 4, 6, 5)


class First(nn.Module):
    """The first output of a layer that returns several (RNN/LSTM/GRU: the sequence; attention: the values)."""

    def __init__(self, layer: nn.Module, self_attention: bool = False) -> None:
        super().__init__()
        self.layer, self.self_attention = layer, self_attention

    def forward(self, x):
        out = self.layer(x, x, x) if self.self_attention else self.layer(x)
        return out[0]


def _encoder_layer() -> nn.Module:
    return nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)


# layer name -> (factory, input shape, input kind: "float" or "tokens")
LAYERS: dict[str, tuple[Callable[[], nn.Module], tuple[int, ...], str]] = {
    "AdaptiveAvgPool2d": (lambda: nn.AdaptiveAvgPool2d(1), IMG, "float"),
    "AvgPool2d": (lambda: nn.AvgPool2d(2), IMG, "float"),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(4), (2, 4, 7), "float"),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(4), IMG, "float"),
    "Conv1d": (lambda: nn.Conv1d(4, 6, 3, padding=1), (2, 4, 10), "float"),
    "Conv2d": (lambda: nn.Conv2d(4, 6, 3, padding=1), IMG, "float"),
    "ConvTranspose1d": (lambda: nn.ConvTranspose1d(4, 3, 3, stride=2), (2, 4, 7), "float"),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(4, 3, 4, stride=2, padding=1), IMG, "float"),
    "ELU": (lambda: nn.ELU(), (3, 7), "float"),
    "Embedding": (lambda: nn.Embedding(7, 5), (2, 3), "tokens"),
    "Flatten": (lambda: nn.Flatten(), IMG, "float"),
    "GELU": (lambda: nn.GELU(), (3, 7), "float"),
    "GRU": (lambda: First(nn.GRU(5, 6, batch_first=True)), (2, 4, 5), "float"),
    "GroupNorm": (lambda: nn.GroupNorm(2, 4), IMG, "float"),
    "Hardsigmoid": (lambda: nn.Hardsigmoid(), (3, 7), "float"),
    "Hardswish": (lambda: nn.Hardswish(), (3, 7), "float"),
    "InstanceNorm1d": (lambda: nn.InstanceNorm1d(4), (2, 4, 7), "float"),
    "InstanceNorm2d": (lambda: nn.InstanceNorm2d(4), IMG, "float"),
    "LSTM": (lambda: First(nn.LSTM(5, 6, batch_first=True)), (2, 4, 5), "float"),
    "LayerNorm": (lambda: nn.LayerNorm(6), (2, 3, 6), "float"),
    "LeakyReLU": (lambda: nn.LeakyReLU(0.1), (3, 7), "float"),
    "Linear": (lambda: nn.Linear(6, 4), (3, 6), "float"),
    "LogSoftmax": (lambda: nn.LogSoftmax(-1), (3, 7), "float"),
    "MaxPool2d": (lambda: nn.MaxPool2d(2), IMG, "float"),
    "Mish": (lambda: nn.Mish(), (3, 7), "float"),
    "MultiheadAttention": (lambda: First(nn.MultiheadAttention(8, 2, batch_first=True), self_attention=True),
                           (2, 5, 8), "float"),
    "PReLU": (lambda: nn.PReLU(4), IMG, "float"),
    "PixelShuffle": (lambda: nn.PixelShuffle(2), (2, 8, 3, 3), "float"),
    "PixelUnshuffle": (lambda: nn.PixelUnshuffle(2), (2, 2, 6, 4), "float"),
    "RNN": (lambda: First(nn.RNN(5, 6, batch_first=True)), (2, 4, 5), "float"),
    "ReLU": (lambda: nn.ReLU(), (3, 7), "float"),
    "ReLU6": (lambda: nn.ReLU6(), (3, 7), "float"),
    "SELU": (lambda: nn.SELU(), (3, 7), "float"),
    "SiLU": (lambda: nn.SiLU(), (3, 7), "float"),
    "Sigmoid": (lambda: nn.Sigmoid(), (3, 7), "float"),
    "Softmax": (lambda: nn.Softmax(-1), (3, 7), "float"),
    "Softplus": (lambda: nn.Softplus(), (3, 7), "float"),
    "Tanh": (lambda: nn.Tanh(), (3, 7), "float"),
    "TransformerEncoder": (lambda: nn.TransformerEncoder(_encoder_layer(), 1), (2, 5, 8), "float"),
    "TransformerEncoderLayer": (_encoder_layer, (2, 5, 8), "float"),
    "Upsample": (lambda: nn.Upsample(scale_factor=2, mode="nearest"), IMG, "float"),
    "Upsample/bilinear": (lambda: nn.Upsample(scale_factor=2, mode="bilinear"), IMG, "float"),
}

# What the table leaves out of ember.nn, and why.
NOT_EXPORTED = {"Module", "Sequential", "ModuleList", "ModuleDict", "Identity", "Dropout", "SyncBatchNorm"}


def layer(name: str) -> nn.Module:
    import ember

    ember.manual_seed(0)
    return LAYERS[name][0]().eval()


def example(name: str, seed: int) -> np.ndarray:
    _, shape, kind = LAYERS[name]
    rng = np.random.default_rng(seed)
    if kind == "tokens":
        return rng.integers(0, 7, size=shape).astype(np.int64)
    return rng.standard_normal(shape).astype(np.float32)
