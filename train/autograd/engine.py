"""Reverse-mode differentiation: walk the Function graph from one output in reverse topological order,
iteratively (deep graphs hit no recursion limit), and accumulate into leaf tensors' `.grad`.

A leaf's post-accumulate-grad hooks (Tensor.register_post_accumulate_grad_hook) run once per backward, right
after its last contribution of that backward is in `.grad`, while the rest of the graph is still being walked:
DistributedDataParallel starts a bucket's all-reduce there, so communication overlaps the remaining backward."""

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
        for hook in root._post_accumulate_hooks():
            hook(root)
        return
    pending: dict[int, list[Any]] = {id(root._ctx): [None] * len(root._ctx.output_meta)}
    pending[id(root._ctx)][root._output_index] = gradient
    given: set[int] = set()
    order = _topological_order(root._ctx)
    remaining = _hooked_leaf_edges(order)
    for fn in order:
        grads = pending.pop(id(fn), None)
        if grads is None:
            _leaf_edges_done(fn, remaining)
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
                _leaf_edge_done(parent, needed, remaining)
                continue
            if parent._ctx is None:
                # One array may flow to two leaves (a + b): the second gets a copy, so an in-place update of
                # one leaf's .grad can never change the other's.
                if id(g) in given:
                    g = g.copy()
                given.add(id(g))
                parent._accumulate(g)
                _leaf_edge_done(parent, needed, remaining)
            else:
                slot = pending.setdefault(id(parent._ctx), [None] * len(parent._ctx.output_meta))
                i = parent._output_index
                slot[i] = g if slot[i] is None else slot[i] + g


def _hooked_leaf_edges(order: list[Function]) -> dict[int, int]:
    """For each leaf with post-accumulate hooks: how many graph edges will bring it a gradient."""
    remaining: dict[int, int] = {}
    for fn in order:
        for parent, needed in zip(fn.parents, fn.needs_input_grad, strict=True):
            if needed and parent._ctx is None and parent._post_accumulate_hooks():
                remaining[id(parent)] = remaining.get(id(parent), 0) + 1
    return remaining


def _leaf_edge_done(parent: Tensor, needed: bool, remaining: dict[int, int]) -> None:
    """One edge into `parent` has been handled (its gradient accumulated, or none came): the last one runs the
    leaf's hooks."""
    if not needed or parent._ctx is not None or id(parent) not in remaining:
        return
    remaining[id(parent)] -= 1
    if remaining[id(parent)] == 0:
        del remaining[id(parent)]
        for hook in parent._post_accumulate_hooks():
            hook(parent)


def _leaf_edges_done(fn: Function, remaining: dict[int, int]) -> None:
    """`fn` received no gradient: none of its edges will bring one."""
    if remaining:
        for parent, needed in zip(fn.parents, fn.needs_input_grad, strict=True):
            _leaf_edge_done(parent, needed, remaining)
