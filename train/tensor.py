"""`Tensor`: one backend array (numpy or cupy) plus autograd state, with PyTorch's interface."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np

from . import device as device_mod
from .autograd import engine, grad_mode
from .backend import array_module

float32 = np.float32
float64 = np.float64
int64 = np.int64
int32 = np.int32
bool_ = np.bool_

_DEFAULT_FLOAT = np.float32

# Observers of every tensor -> Python value conversion (the exporter's tracer refuses those on traced values);
# `hook(tensor, kind, value)` returns the value to hand back. Empty unless tracing, so a conversion costs one test.
_conversion_hooks: list[Callable[[Tensor, str, Any], Any]] = []


def add_conversion_hook(hook: Callable[[Tensor, str, Any], Any]) -> Callable[[], None]:
    """Call `hook(tensor, kind, value)` on each `item`/`bool`/`float`/`int`/`tolist`/`numpy`/`__array__` (kind is
    that name) and return what it returns instead of `value`; also on `detach` (value: the new tensor, which the
    tracer keeps as the same graph value). Returns a function that removes the hook."""
    _conversion_hooks.append(hook)
    return lambda: _conversion_hooks.remove(hook)


def _converted(t: Tensor, kind: str, value: Any) -> Any:
    for hook in _conversion_hooks:
        value = hook(t, kind, value)
    return value


class _RemovableHandle:
    """What a hook registration returns: `remove()` unregisters the hook (idempotent)."""

    _next_id = 0

    def __init__(self, hooks: dict[int, Callable[..., Any]], hook: Callable[..., Any]) -> None:
        _RemovableHandle._next_id += 1
        self.hooks, self.id = hooks, _RemovableHandle._next_id
        hooks[self.id] = hook

    def remove(self) -> None:
        self.hooks.pop(self.id, None)


class Tensor:
    __array_priority__ = 1000  # numpy defers `ndarray + Tensor` to Tensor.__radd__

    def __init__(self, data: Any, requires_grad: bool = False) -> None:
        self.data = data
        self.grad: Tensor | None = None
        self._ctx = None
        self._output_index = 0
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _from_op(cls, data: Any, ctx: Any, index: int, requires_grad: bool) -> Tensor:
        t = cls.__new__(cls)
        t.data, t.grad, t._ctx, t._output_index, t.requires_grad = data, None, ctx, index, requires_grad
        return t

    # properties -----------------------------------------------------------------------------------------
    @property
    def _xp(self) -> Any:
        return array_module(self.data)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.data.shape)

    @property
    def dtype(self) -> Any:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def device(self) -> device_mod.device:
        return device_mod.device_of(self.data)

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def grad_fn(self) -> Any:
        return self._ctx

    def size(self, dim: int | None = None) -> Any:
        return self.shape if dim is None else self.shape[dim]

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return int(self.data.size)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    # autograd ---------------------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and not np.issubdtype(np.dtype(self.data.dtype), np.floating):
            raise RuntimeError(f"only floating point tensors can require gradients, this one is {self.dtype}")
        if not self.is_leaf and not requires_grad:
            raise RuntimeError("requires_grad_(False) on a non-leaf tensor: use .detach() instead")
        self.requires_grad = requires_grad
        return self

    def backward(self, gradient: Any = None, retain_graph: bool = False) -> None:
        if not self.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn: "
                "create the leaves with requires_grad=True (parameters have it) and run outside no_grad()"
            )
        engine.backward(self, gradient, retain_graph)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], Any]) -> _RemovableHandle:
        """torch.Tensor.register_post_accumulate_grad_hook: `hook(tensor)` runs once per backward on a leaf, after
        that backward's whole gradient has been accumulated into `.grad`. Returns a handle with `remove()`."""
        if not self.is_leaf:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        hooks = self.__dict__.setdefault("_post_acc_hooks", {})
        return _RemovableHandle(hooks, hook)

    def _post_accumulate_hooks(self) -> list[Callable[[Tensor], Any]]:
        hooks = self.__dict__.get("_post_acc_hooks")
        return list(hooks.values()) if hooks else []

    def _accumulate(self, grad: Any) -> None:
        if self.grad is None:
            self.grad = Tensor(grad.copy() if grad is not None and grad.base is not None else grad)
        else:
            self.grad.data = self.grad.data + grad

    def detach(self) -> Tensor:
        out = Tensor(self.data)
        return _converted(self, "detach", out) if _conversion_hooks else out

    def zero_(self) -> Tensor:
        self.data[...] = 0
        return self

    # conversion -------------------------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on a Tensor that requires grad: use tensor.detach().numpy()")
        if array_module(self.data) is not np:
            raise TypeError(
                f"can't convert a {self.device} tensor to numpy: copy it to the host first with .cpu()"
            )
        return _converted(self, "numpy", self.data) if _conversion_hooks else self.data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if array_module(self.data) is not np:
            raise TypeError(f"can't convert a {self.device} tensor to numpy: copy it to the host first with .cpu()")
        data = self.data if dtype is None else self.data.astype(dtype)
        return _converted(self, "__array__", data) if _conversion_hooks else data

    def _scalar(self, what: str) -> Any:
        if self.data.size != 1:
            raise ValueError(f"{what} needs a tensor with one element, this one has shape {self.shape}")
        return self.data.reshape(()).item()

    def item(self) -> Any:
        value = self._scalar("item()")
        return _converted(self, "item", value) if _conversion_hooks else value

    def tolist(self) -> Any:
        value = self.cpu().data.tolist()
        return _converted(self, "tolist", value) if _conversion_hooks else value

    def to(self, target: Any = None, dtype: Any = None) -> Tensor:
        if dtype is None and target is not None and not isinstance(target, (str, device_mod.device)):
            target, dtype = None, target
        out = self
        if target is not None:
            data = device_mod.move(self.data, device_mod.device(target))
            if data is not self.data:
                out = Tensor(data)
                out.requires_grad = self.requires_grad and np.issubdtype(data.dtype, np.floating)
        if dtype is not None and out.dtype != np.dtype(dtype):
            # A recorded op, so gradients flow between float dtypes and the tracer sees the cast (torch's `.to`).
            floats = np.issubdtype(out.dtype, np.floating) and np.issubdtype(np.dtype(dtype), np.floating)
            with contextlib.nullcontext() if floats else grad_mode.no_grad():
                out = ops.Cast.apply(out, dtype=np.dtype(dtype))
        return out

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, index: int = 0) -> Tensor:
        return self.to(device_mod.device("cuda", index))

    def float(self) -> Tensor:
        return self.to(dtype=np.float32)

    def double(self) -> Tensor:
        return self.to(dtype=np.float64)

    def long(self) -> Tensor:
        return self.to(dtype=np.int64)

    def __repr__(self) -> str:
        body = np.array2string(np.asarray(self.cpu().data), separator=", ", prefix="tensor(")
        extra = ", requires_grad=True" if self.requires_grad and self.is_leaf else ""
        extra = f", grad_fn=<{self._ctx.name}Backward>" if self._ctx is not None else extra
        if self.device.type != "cpu":
            extra = f", device='{self.device}'" + extra
        return f"tensor({body}{extra})"

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(f"the truth value of a tensor with {self.data.size} elements is ambiguous")
        value = bool(self.data)
        return _converted(self, "bool", value) if _conversion_hooks else value

    def __float__(self) -> float:
        value = float(self._scalar("float()"))
        return _converted(self, "float", value) if _conversion_hooks else value

    def __int__(self) -> int:
        value = int(self._scalar("int()"))
        return _converted(self, "int", value) if _conversion_hooks else value

    # views over ops (the op set itself lives in ember.ops; these are PyTorch's method spellings) -----
    def __add__(self, other: Any) -> Tensor:
        return ops.Add.apply(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return ops.Add.apply(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return ops.Sub.apply(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return ops.Sub.apply(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return ops.Mul.apply(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return ops.Mul.apply(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return ops.Div.apply(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return ops.Div.apply(other, self)

    def __neg__(self) -> Tensor:
        return ops.Neg.apply(self)

    def __matmul__(self, other: Any) -> Tensor:
        return ops.MatMul.apply(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return ops.MatMul.apply(other, self)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return ops_api.compare(ops.Equal, self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return ops_api.compare(ops.NotEqual, self, other)

    def __lt__(self, other: Any) -> Tensor:
        return ops_api.compare(ops.Less, self, other)

    def __le__(self, other: Any) -> Tensor:
        return ops_api.compare(ops.LessEqual, self, other)

    def __gt__(self, other: Any) -> Tensor:
        return ops_api.compare(ops.Greater, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return ops_api.compare(ops.GreaterEqual, self, other)

    __hash__ = object.__hash__

    def __pow__(self, exponent: Any) -> Tensor:
        return ops.Pow.apply(self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return ops.Pow.apply(base, self)

    def __abs__(self) -> Tensor:
        return ops.Abs.apply(self)

    def __getitem__(self, index: Any) -> Tensor:
        return ops_api.getitem(self, index)

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    # elementwise --------------------------------------------------------------------------------------------
    def matmul(self, other: Any) -> Tensor:
        return ops.MatMul.apply(self, other)

    def add(self, other: Any) -> Tensor:
        return ops.Add.apply(self, other)

    def sub(self, other: Any) -> Tensor:
        return ops.Sub.apply(self, other)

    def mul(self, other: Any) -> Tensor:
        return ops.Mul.apply(self, other)

    def div(self, other: Any) -> Tensor:
        return ops.Div.apply(self, other)

    def neg(self) -> Tensor:
        return ops.Neg.apply(self)

    def pow(self, exponent: Any) -> Tensor:
        return ops.Pow.apply(self, exponent)

    def exp(self) -> Tensor:
        return ops.Exp.apply(self)

    def log(self) -> Tensor:
        return ops.Log.apply(self)

    def sqrt(self) -> Tensor:
        return ops.Sqrt.apply(self)

    def abs(self) -> Tensor:
        return ops.Abs.apply(self)

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
        return ops_api.clamp(self, min, max)

    clip = clamp

    def maximum(self, other: Any) -> Tensor:
        return ops.Maximum.apply(self, other)

    def minimum(self, other: Any) -> Tensor:
        return ops.Minimum.apply(self, other)

    def where(self, condition: Any, other: Any) -> Tensor:
        return ops_api.where(condition, self, other)

    def relu(self) -> Tensor:
        return ops.ReLU.apply(self)

    def sigmoid(self) -> Tensor:
        return ops.Sigmoid.apply(self)

    def tanh(self) -> Tensor:
        return ops.Tanh.apply(self)

    def softmax(self, dim: int) -> Tensor:
        return ops.Softmax.apply(self, dim=dim)

    def log_softmax(self, dim: int) -> Tensor:
        return ops.LogSoftmax.apply(self, dim=dim)

    # shape --------------------------------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        return ops_api.reshape(self, *shape)

    view = reshape

    def view_as(self, other: Tensor) -> Tensor:
        return ops_api.reshape(self, other.shape)

    reshape_as = view_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return ops.flatten(self, start_dim, end_dim)

    def squeeze(self, dim: Any = None) -> Tensor:
        return ops_api.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return ops_api.unsqueeze(self, dim)

    def permute(self, *dims: Any) -> Tensor:
        return ops_api.permute(self, *dims)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return ops_api.transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise ValueError(f"t() expects a tensor with at most 2 dimensions, got {self.shape}: use transpose()")
        return ops_api.transpose(self, 0, -1) if self.ndim == 2 else self

    @property
    def T(self) -> Tensor:  # noqa: N802 - torch's name
        return ops_api.permute(self, tuple(reversed(range(self.ndim))))

    @property
    def mT(self) -> Tensor:  # noqa: N802
        return ops_api.transpose(self, -2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        return ops_api.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return ops_api.expand(self, other.shape)

    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return ops_api.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return ops_api.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return ops_api.unbind(self, dim)

    def flip(self, *dims: Any) -> Tensor:
        return ops_api.flip(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return ops_api.roll(self, shifts, dims)

    def repeat(self, *sizes: Any) -> Tensor:
        return ops_api.repeat(self, *sizes)

    def contiguous(self) -> Tensor:
        return self

    # reductions ---------------------------------------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return ops.Sum.apply(self, dim=ops.normalize_dims(dim, self.ndim), keepdim=keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return ops.Mean.apply(self, dim=ops.normalize_dims(dim, self.ndim), keepdim=keepdim)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        return ops_api.max(self, dim, keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return ops_api.min(self, dim, keepdim)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return ops_api.amax(self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return ops_api.amin(self, dim, keepdim)

    def var(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None) -> Tensor:
        return ops_api.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None) -> Tensor:
        return ops_api.std(self, dim, unbiased, keepdim, correction=correction)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return ops_api.argmax(self, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return ops_api.argmin(self, dim, keepdim)


def _default_dtype(data: Any) -> Any:
    """Arrays keep their dtype; Python floats become float32 and ints int64, as in PyTorch."""
    if hasattr(data, "dtype"):
        return np.dtype(data.dtype)
    dt = np.asarray(data).dtype
    return _DEFAULT_FLOAT if np.issubdtype(dt, np.floating) else dt


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of `data` (Python floats default to float32, as in PyTorch)."""
    if isinstance(data, Tensor):
        data = data.data
    xp = array_module(data)
    if dtype is None:
        dtype = _default_dtype(data)
    array = xp.array(data, dtype=dtype)
    if device is not None:
        array = device_mod.move(array, device_mod.device(device))
    return Tensor(array, requires_grad=requires_grad)


def as_tensor(x: Any, like: Tensor | None = None) -> Tensor:
    """`x` as a Tensor without copying; Python scalars take the dtype and device of `like`."""
    if isinstance(x, Tensor):
        return x
    if like is not None and isinstance(x, (int, float, bool)):
        return Tensor(like._xp.asarray(x, dtype=like.dtype))
    return Tensor(array_module(x).asarray(x, dtype=_default_dtype(x)))


from . import ops  # noqa: E402  (ops import Tensor; methods above resolve ops at call time)
from .ops import api as ops_api  # noqa: E402
