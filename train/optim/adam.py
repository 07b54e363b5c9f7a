from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .optimizer import Optimizer


class Adam(Optimizer):
    """torch.optim.Adam (L2 weight decay added to the gradient; bias-corrected moments)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay))

    def _update(self, p, grad, state, group):
        xp = p._xp
        beta1, beta2 = group["betas"]
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p.data
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(p.data)
            state["exp_avg_sq"] = xp.zeros_like(p.data)
        state["step"] += 1
        m, v, t = state["exp_avg"], state["exp_avg_sq"], state["step"]
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad * grad
        step_size = group["lr"] / (1 - beta1**t)
        denom = xp.sqrt(v) / math.sqrt(1 - beta2**t) + group["eps"]
        p.data -= (step_size * m / denom).astype(p.dtype, copy=False)
