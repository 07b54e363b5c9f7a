"""Collectives that autograd can differentiate (torch.distributed.nn.functional): the forward all-reduces the
value, the backward all-reduces the gradient. SyncBatchNorm is built from it and ordinary ops."""

from __future__ import annotations

from typing import Any

from ..autograd import Function
from .collectives import all_reduce
from .group import ReduceOp


class AllReduceSum(Function):
    def forward(self, x: Any) -> Any:
        out = x.copy()
        all_reduce(out, ReduceOp.SUM)
        return out

    def backward(self, grad: Any) -> Any:
        out = grad.copy()
        all_reduce(out, ReduceOp.SUM)
        return out


def all_reduce_sum(tensor: Any) -> Any:
    """Sum of `tensor` over all ranks, differentiable (each rank's gradient is the sum of all ranks')."""
    return AllReduceSum.apply(tensor)
