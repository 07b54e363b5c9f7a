"""`ember.nn.functional`: the ops under torch.nn.functional's names and arguments."""

from __future__ import annotations

from typing import Any

from .. import ops
from ..tensor import Tensor, as_tensor

_REDUCTIONS = ("mean", "sum", "none")


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    if bias is None:
        return ops.Linear.apply(input, weight)
    return ops.Linear.apply(input, weight, bias)


def relu(input: Tensor) -> Tensor:  # noqa: A002
    return ops.ReLU.apply(input)


def softmax(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    return ops.Softmax.apply(input, dim=dim)


def log_softmax(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    return ops.LogSoftmax.apply(input, dim=dim)


def _check_reduction(reduction: str) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return reduction


def _check_classes(name: str, input: Tensor, target: Any) -> Tensor:  # noqa: A002
    target = as_tensor(target)
    if input.ndim < 2:
        raise ValueError(f"{name}: input must be (N, C) or (N, C, d1, ...), got shape {input.shape}")
    if target.dtype.kind not in "iu":
        raise TypeError(f"{name}: targets must be class indices (an integer tensor), got {target.dtype}")
    return target


def nll_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    target = _check_classes("nll_loss", input, target)
    return ops.NLLLoss.apply(input, target, reduction=_check_reduction(reduction))


def cross_entropy(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    target = _check_classes("cross_entropy", input, target)
    return ops.CrossEntropy.apply(input, target, reduction=_check_reduction(reduction))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    return input.flatten(start_dim, end_dim)
