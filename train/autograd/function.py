"""`Function`: one differentiable op. Subclasses implement `forward(*arrays)` and `backward(*grads)` on raw
backend arrays; the instance is the context that carries what backward needs between the two."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..backend import array_module
from . import grad_mode

if TYPE_CHECKING:
    from ..tensor import Tensor

# Observers of every applied Function (the exporter's tracer); ember itself never imports the exporter.
_apply_hooks: list[Callable[[Function, tuple, tuple], None]] = []


def add_apply_hook(hook: Callable[[Function, tuple, tuple], None]) -> Callable[[], None]:
    """Call `hook(function, input_tensors, output_tensors)` after each op; returns a function that removes it."""
    _apply_hooks.append(hook)
    return lambda: _apply_hooks.remove(hook)


class Function:
    """Base class of ops. `attrs` are the op's non-tensor arguments (kept for tracing and export)."""

    differentiable = True

    def __init__(self, **attrs: Any) -> None:
        self.attrs = attrs
        self.parents: tuple[Tensor, ...] = ()
        self.needs_input_grad: tuple[bool, ...] = ()
        self.output_meta: tuple[tuple[tuple[int, ...], Any], ...] = ()
        self.freed = False
        self.xp: Any = None

    # subclasses -----------------------------------------------------------------------------------------
    def forward(self, *arrays: Any) -> Any:
        raise NotImplementedError

    def backward(self, *grads: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} has no gradient")

    def save_for_backward(self, *arrays: Any) -> None:
        self.saved = arrays

    def release(self) -> None:
        """Drop what forward saved once backward has used it (retain_graph=False)."""
        self.__dict__.pop("saved", None)
        self.freed = True

    @property
    def name(self) -> str:
        return type(self).__name__

    # application ----------------------------------------------------------------------------------------
    @classmethod
    def apply(cls, *inputs: Any, **attrs: Any) -> Any:
        from ..tensor import Tensor, as_tensor

        fn = cls(**attrs)
        like = next((t for t in inputs if isinstance(t, Tensor)), None)
        tensors = tuple(as_tensor(t, like=like) for t in inputs)
        arrays = tuple(t.data for t in tensors)
        fn.xp = array_module(*arrays)
        out = fn.forward(*arrays)
        outs = out if isinstance(out, tuple) else (out,)
        record = cls.differentiable and grad_mode.is_grad_enabled() and any(t.requires_grad for t in tensors)
        if record:
            fn.parents = tensors
            fn.needs_input_grad = tuple(t.requires_grad for t in tensors)
            fn.output_meta = tuple((o.shape, o.dtype) for o in outs)
        else:
            fn.__dict__.pop("saved", None)
        results = tuple(
            Tensor._from_op(o, fn if record else None, i, record) for i, o in enumerate(outs)
        )
        for hook in _apply_hooks:
            hook(fn, tensors, results)
        return results if isinstance(out, tuple) else results[0]
