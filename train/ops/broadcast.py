"""The one helper that reduces a broadcast gradient back to its input's shape, and the error raised when two
operands do not broadcast."""

from __future__ import annotations

from typing import Any

from .errors import shape_error


def sum_to_shape(grad: Any, shape: tuple[int, ...]) -> Any:
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def broadcast_error(op: str, *arrays: Any) -> ValueError:
    shapes = " and ".join(str(tuple(a.shape)) for a in arrays)
    return shape_error(op, f"shapes {shapes} cannot be broadcast together (sizes must match or be 1, "
                           "aligned from the last dimension)")
