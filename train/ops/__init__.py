"""Ember's differentiable ops, one a file, grouped by family (math, reduce, activation, array, connection,
loss). Each is a `Function` written once against the array module of its inputs."""

from __future__ import annotations

from typing import Any

from .activation import LogSoftmax, ReLU, Softmax
from .array import Reshape
from .connection import Linear
from .loss import CrossEntropy, NLLLoss
from .math import Add, Div, MatMul, Mul, Neg, Sub
from .reduce import Mean, Sum


def normalize_dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
    """`dim` as a tuple of non-negative axes (None means all), checked against `ndim`."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"dimension {d} is out of range for a tensor with {ndim} dimensions")
    return tuple(sorted(d % max(ndim, 1) for d in dims))


def flatten(x: Any, start_dim: int = 0, end_dim: int = -1) -> Any:
    if x.ndim == 0:
        return Reshape.apply(x, shape=(1,))
    start, end = start_dim % x.ndim, end_dim % x.ndim
    shape = x.shape[:start] + (-1 if 0 not in x.shape[start:end + 1] else 0,) + x.shape[end + 1:]
    return Reshape.apply(x, shape=shape)


__all__ = [
    "Add", "CrossEntropy", "Div", "Linear", "LogSoftmax", "MatMul", "Mean", "Mul", "NLLLoss", "Neg", "ReLU",
    "Reshape", "Softmax", "Sub", "Sum", "flatten", "normalize_dims",
]
