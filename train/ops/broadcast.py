"""The one helper that reduces a broadcast gradient back to its input's shape."""

from __future__ import annotations

from typing import Any


def sum_to_shape(grad: Any, shape: tuple[int, ...]) -> Any:
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)
