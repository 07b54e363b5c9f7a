"""Tensor factories with PyTorch's names: zeros, ones, full, arange, and the seeded random ones (rand, randn)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .tensor import _DEFAULT_FLOAT, Tensor, _default_dtype


def zeros(*shape: Any, dtype: Any = _DEFAULT_FLOAT, requires_grad: bool = False) -> Tensor:
    return Tensor(np.zeros(_shape(shape), dtype=dtype), requires_grad=requires_grad)


def ones(*shape: Any, dtype: Any = _DEFAULT_FLOAT, requires_grad: bool = False) -> Tensor:
    return Tensor(np.ones(_shape(shape), dtype=dtype), requires_grad=requires_grad)


def randn(*shape: Any, dtype: Any = _DEFAULT_FLOAT, requires_grad: bool = False) -> Tensor:
    from .random import default_generator

    data = default_generator().standard_normal(_shape(shape)).astype(dtype)
    return Tensor(data, requires_grad=requires_grad)


def full(shape: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    dtype = dtype or _default_dtype(fill_value)
    return Tensor(np.full(_shape((shape,) if isinstance(shape, int) else shape), fill_value, dtype=dtype),
                  requires_grad=requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return Tensor(t._xp.zeros(t.shape, dtype=dtype or t.dtype), requires_grad=requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return Tensor(t._xp.ones(t.shape, dtype=dtype or t.dtype), requires_grad=requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None) -> Tensor:
    if end is None:
        start, end = 0, start
    values = np.arange(start, end, step)
    if dtype is None:
        dtype = np.int64 if values.dtype.kind in "iu" else _DEFAULT_FLOAT
    return Tensor(values.astype(dtype))


def rand(*shape: Any, dtype: Any = _DEFAULT_FLOAT, requires_grad: bool = False) -> Tensor:
    from .random import default_generator

    data = default_generator().random(_shape(shape)).astype(dtype)
    return Tensor(data, requires_grad=requires_grad)


def _shape(shape: Sequence[Any]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)
