"""`ember.nn.init`: in-place initialisers drawing from Ember's seeded generator (torch's formulas)."""

from __future__ import annotations

import math

import numpy as np

from ..random import default_generator
from ..tensor import Tensor


def empty(shape: tuple[int, ...], dtype: np.dtype = np.float32) -> np.ndarray:
    return np.zeros(shape, dtype=dtype)


def _fan_in_out(t: Tensor) -> tuple[int, int]:
    if t.ndim < 2:
        raise ValueError(f"fan in/out needs a tensor with at least 2 dimensions, got shape {t.shape}")
    receptive = int(np.prod(t.shape[2:])) if t.ndim > 2 else 1
    return t.shape[1] * receptive, t.shape[0] * receptive


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    values = default_generator().uniform(a, b, t.shape)
    t.data = t._xp.asarray(values, dtype=t.dtype)
    return t


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    values = default_generator().normal(mean, std, t.shape)
    t.data = t._xp.asarray(values, dtype=t.dtype)
    return t


def kaiming_uniform_(t: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> Tensor:
    fan_in, fan_out = _fan_in_out(t)
    gain = math.sqrt(2.0 / (1 + a * a)) if nonlinearity == "leaky_relu" else math.sqrt(2.0)
    bound = gain * math.sqrt(3.0 / (fan_in if mode == "fan_in" else fan_out)) if fan_in else 0.0
    return uniform_(t, -bound, bound)


def zeros_(t: Tensor) -> Tensor:
    t.data[...] = 0
    return t


def ones_(t: Tensor) -> Tensor:
    t.data[...] = 1
    return t
