"""`ember.nn.utils`: gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..tensor import Tensor


def _grads(parameters: Iterable[Tensor] | Tensor) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p for p in params if p.grad is not None]


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> Tensor:
    """Scale all gradients together so that their joint norm is at most max_norm; returns the norm before."""
    params = _grads(parameters)
    if not params:
        return Tensor(_zero())
    xp = params[0]._xp
    grads = [p.grad.data for p in params]
    if math.isinf(norm_type):
        total = xp.max(xp.stack([xp.abs(g).max() if g.size else xp.zeros((), g.dtype) for g in grads]))
    else:
        total = xp.sum(xp.stack([(xp.abs(g) ** norm_type).sum() for g in grads])) ** (1.0 / norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"the total norm of order {norm_type} of the gradients is non-finite ({float(total)}), so "
                           "it cannot be clipped: pass error_if_nonfinite=False to clip anyway")
    coef = min(float(max_norm) / (float(total) + 1e-6), 1.0)
    if coef < 1.0:
        for p in params:  # a new array, not in place: two leaves may share one gradient array
            p.grad.data = p.grad.data * p.grad.data.dtype.type(coef)
    return Tensor(total)


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float) -> None:
    for p in _grads(parameters):
        p.grad.data = p._xp.clip(p.grad.data, -clip_value, clip_value)


def _zero() -> Any:
    import numpy as np

    return np.zeros((), np.float32)
