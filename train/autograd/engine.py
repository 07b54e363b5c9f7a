"""Reverse-mode differentiation: walk the Function graph from one output in reverse topological order,
iteratively (deep graphs hit no recursion limit), and accumulate into leaf tensors' `.grad`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..tensor import Tensor
    from .function import Function


def _topological_order(root: Function) -> list[Function]:
    """Functions reachable from `root`, each after every Function that consumes its outputs."""
    order: list[Function] = []
    visited = {id(root)}
    stack: list[tuple[Function, int]] = [(root, 0)]
    while stack:
        fn, i = stack.pop()
        if i < len(fn.parents):
            stack.append((fn, i + 1))
            parent = fn.parents[i]._ctx
            if parent is not None and id(parent) not in visited:
                visited.add(id(parent))
                stack.append((parent, 0))
        else:
            order.append(fn)
    order.reverse()
    return order


def backward(root: Tensor, gradient: Any = None, retain_graph: bool = False) -> None:
    xp = root._xp
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward() without a gradient needs a scalar output, got shape {tuple(root.shape)}: "
                "pass gradient= with the output's shape, or reduce the output (e.g. .sum()) first"
            )
        gradient = xp.ones_like(root.data)
    else:
        gradient = xp.asarray(getattr(gradient, "data", gradient), dtype=root.data.dtype)
        if gradient.shape != root.data.shape:
            raise RuntimeError(f"backward(): gradient shape {gradient.shape} != output shape {root.data.shape}")
    if root._ctx is None:
        root._accumulate(gradient)
        return
    pending: dict[int, list[Any]] = {id(root._ctx): [None] * len(root._ctx.output_meta)}
    pending[id(root._ctx)][root._output_index] = gradient
    given: set[int] = set()
    for fn in _topological_order(root._ctx):
        grads = pending.pop(id(fn), None)
        if grads is None:
            continue
        if fn.freed:
            raise RuntimeError(
                f"Trying to backward through the graph a second time ({fn.name} has already freed its saved "
                "arrays): call .backward(retain_graph=True) the first time if you need to backward again"
            )
        grads = [g if g is not None else xp.zeros(shape, dtype)
                 for g, (shape, dtype) in zip(grads, fn.output_meta, strict=True)]
        input_grads = fn.backward(*grads)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        if not retain_graph:
            fn.release()
        for parent, needed, g in zip(fn.parents, fn.needs_input_grad, input_grads, strict=True):
            if not needed or g is None:
                continue
            if parent._ctx is None:
                # One array may flow to two leaves (a + b): the second gets a copy, so an in-place update of
                # one leaf's .grad can never change the other's.
                if id(g) in given:
                    g = g.copy()
                given.add(id(g))
                parent._accumulate(g)
            else:
                slot = pending.setdefault(id(parent._ctx), [None] * len(parent._ctx.output_meta))
                i = parent._output_index
                slot[i] = g if slot[i] is None else slot[i] + g
