"""`ember.vision.models`: a small model zoo. Each builder returns a freshly initialised (untrained), seeded
`nn.Module`; `MODELS` names them with an example input, so tests and tools can iterate over the zoo.

>>> from ember.vision import models
>>> net = models.mobilenet_v2(width_mult=0.5)
>>> x = models.example_input("mobilenet_v2")        # (1, 3, 32, 32) float32
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ember import nn

from .audio import kws_conv1d, kws_lstm
from .classic import lenet5, mlp, vgg_bn
from .mobilenet import mobilenet_v2, mobilenet_v3_small
from .resnet import resnet20
from .transformer import tiny_encoder, transformer_classifier
from .unet import unet_small, unet_transposed


class ZooEntry(NamedTuple):
    build: Callable[..., nn.Module]
    input_shape: tuple[int, ...]  # without the batch dimension
    input_dtype: str = "float32"
    vocab_size: int = 0  # integer inputs draw tokens from [0, vocab_size)


MODELS: dict[str, ZooEntry] = {
    "mlp": ZooEntry(mlp, (1, 8, 8)),
    "lenet5": ZooEntry(lenet5, (1, 32, 32)),
    "vgg_bn": ZooEntry(vgg_bn, (3, 32, 32)),
    "mobilenet_v2": ZooEntry(mobilenet_v2, (3, 32, 32)),
    "mobilenet_v3_small": ZooEntry(mobilenet_v3_small, (3, 32, 32)),
    "resnet20": ZooEntry(resnet20, (3, 32, 32)),
    "unet_small": ZooEntry(unet_small, (3, 32, 32)),
    "transformer_classifier": ZooEntry(transformer_classifier, (16,), "int64", vocab_size=100),
    "kws_conv1d": ZooEntry(kws_conv1d, (40, 49)),
    "kws_lstm": ZooEntry(kws_lstm, (40, 49)),
    "unet_transposed": ZooEntry(unet_transposed, (3, 32, 32)),
    "tiny_encoder": ZooEntry(tiny_encoder, (10, 16)),
}


def example_input(name: str, batch: int = 1, seed: int = 0) -> np.ndarray:
    """A random input of the shape and dtype model `name` expects (float images, or token ids)."""
    entry = MODELS[name]
    rng = np.random.default_rng(seed)
    shape = (batch, *entry.input_shape)
    if entry.vocab_size:
        return rng.integers(0, entry.vocab_size, shape).astype(entry.input_dtype)
    return rng.standard_normal(shape).astype(entry.input_dtype)


__all__ = ["MODELS", "ZooEntry", "example_input", "kws_conv1d", "kws_lstm", "lenet5", "mlp", "mobilenet_v2",
           "mobilenet_v3_small", "resnet20", "tiny_encoder", "transformer_classifier", "unet_small", "unet_transposed",
           "vgg_bn"]
