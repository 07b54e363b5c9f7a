"""The public, torch-spelled functions that apply the ops' Functions (`ember.cat`, `ember.squeeze`, `ember.max`,
and the Tensor methods `Tensor.split`, `Tensor.reshape`, ... that call them): argument handling only (negative
dims, -1 sizes, index normalisation); the math lives in the Function classes of each family's folder. The layer
functions (`conv2d`, `cross_entropy`, ...) are `ember.nn.functional`; the Function base class is
`ember.autograd.function`."""

from __future__ import annotations

import builtins
import math
from collections import namedtuple
from collections.abc import Sequence
from typing import Any

from ..backend import array_module
from .activation import Sigmoid, Tanh
from .array import Cat, Expand, Getitem, Permute, Reshape, Split, Stack
from .errors import shape_error
from .math import Abs, Clamp, Exp, Log, Maximum, Minimum, Pow, Sqrt, Where
from .reduce import Amax, Amin, ArgMax, ArgMin, Max, Min, Std, Var

# max, min, abs and pow below shadow the builtins in this module, as in torch: use builtins.max etc. here

MaxResult = namedtuple("MaxResult", ["values", "indices"])


def _dim(dim: int, ndim: int) -> int:
    from . import normalize_dim

    return normalize_dim(dim, ndim)


def _dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
    from . import normalize_dims

    return normalize_dims(dim, ndim)


def _sizes(args: Sequence[Any]) -> tuple[int, ...]:
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(s) for s in args)


# shape -----------------------------------------------------------------------------------------------------
def reshape(x: Any, *shape: Any) -> Any:
    return Reshape.apply(x, shape=_sizes(shape))


def squeeze(x: Any, dim: Any = None) -> Any:
    dims = range(x.ndim) if dim is None else (_dims(dim, x.ndim) if x.ndim else ())
    drop = {d for d in dims if x.shape[d] == 1}
    return Reshape.apply(x, shape=tuple(n for d, n in enumerate(x.shape) if d not in drop))


def unsqueeze(x: Any, dim: int) -> Any:
    d = _dim(dim, x.ndim + 1)
    return Reshape.apply(x, shape=x.shape[:d] + (1,) + x.shape[d:])


def permute(x: Any, *dims: Any) -> Any:
    dims = tuple(_dim(d, x.ndim) for d in _sizes(dims))
    if sorted(dims) != list(range(x.ndim)):
        raise ValueError(f"permute: {dims} is not a permutation of the {x.ndim} dimensions of {x.shape}")
    return Permute.apply(x, dims=dims)


def transpose(x: Any, dim0: int, dim1: int) -> Any:
    dims = list(range(x.ndim))
    if x.ndim:
        a, b = _dim(dim0, x.ndim), _dim(dim1, x.ndim)
        dims[a], dims[b] = dims[b], dims[a]
    return Permute.apply(x, dims=tuple(dims))


def expand(x: Any, *sizes: Any) -> Any:
    sizes = _sizes(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise shape_error("expand", f"cannot expand {x.shape} to fewer dimensions {sizes}")
    shape = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    for i, n in enumerate(x.shape):
        if n != 1 and n != shape[i + lead]:
            raise shape_error("expand", f"cannot expand shape {x.shape} to {sizes}: dimension {i} has size {n}, "
                                        "only size-1 dimensions can grow")
    return Expand.apply(x, shape=shape)


def cat(tensors: Sequence[Any], dim: int = 0) -> Any:
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    return Cat.apply(*tensors, dim=_dim(dim, tensors[0].ndim))


def stack(tensors: Sequence[Any], dim: int = 0) -> Any:
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    return Stack.apply(*tensors, dim=_dim(dim, tensors[0].ndim + 1))


def split(x: Any, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Any, ...]:
    d = _dim(dim, x.ndim)
    n = x.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise ValueError(f"split: split_size must be positive, got {step}")
        sizes = tuple(builtins.min(step, n - s) for s in range(0, n, step)) or (0,)
    else:
        sizes = tuple(int(s) for s in split_size_or_sections)
        if sum(sizes) != n:
            raise shape_error("split", f"sections {sizes} sum to {sum(sizes)}, dimension {d} of {x.shape} has {n}")
    return Split.apply(x, dim=d, sizes=sizes)


def chunk(x: Any, chunks: int, dim: int = 0) -> tuple[Any, ...]:
    n = x.shape[_dim(dim, x.ndim)]
    return split(x, builtins.max(math.ceil(n / chunks), 1), dim)


def unbind(x: Any, dim: int = 0) -> tuple[Any, ...]:
    """The slices of `x` along `dim`, that dimension removed."""
    d = _dim(dim, x.ndim)
    return tuple(squeeze(part, d) for part in split(x, 1, d)) if x.shape[d] else ()


def flip(x: Any, dims: Any) -> Any:
    """`x` reversed along `dims` (a reversed slice: a Getitem with step -1)."""
    axes = {_dim(d, x.ndim) for d in ((dims,) if isinstance(dims, int) else dims)}
    return getitem(x, tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(x.ndim)))


def roll(x: Any, shifts: Any, dims: Any = None) -> Any:
    """torch.roll: elements shifted along `dims`, those leaving one end entering at the other; no dims rolls the
    flattened tensor."""
    if dims is None:
        shape = x.shape
        return reshape(roll(reshape(x, -1), shifts, 0), *shape)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise ValueError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    for shift, dim in zip(shifts, dims, strict=True):
        d = _dim(dim, x.ndim)
        n = x.shape[d]
        k = shift % n if n else 0
        if k:
            head = tuple(slice(None) for _ in range(d))
            x = cat([getitem(x, head + (slice(n - k, None),)), getitem(x, head + (slice(0, n - k),))], d)
    return x


def repeat(x: Any, *sizes: Any) -> Any:
    """torch.Tensor.repeat (numpy's tile): the tensor copied sizes[i] times along dimension i; extra leading sizes
    add dimensions. An expand over interleaved unit dimensions, then a reshape."""
    reps = _sizes(sizes)
    if len(reps) < x.ndim:
        raise ValueError(f"repeat: {len(reps)} sizes for a {x.ndim}-d tensor; give at least one per dimension")
    shape = (1,) * (len(reps) - x.ndim) + tuple(x.shape)
    interleaved = reshape(x, *[v for d in shape for v in (1, d)])
    grown = expand(interleaved, *[v for r, d in zip(reps, shape, strict=True) for v in (r, d)])
    return reshape(grown, *[r * d for r, d in zip(reps, shape, strict=True)])


def getitem(x: Any, index: Any) -> Any:
    from ..tensor import Tensor

    xp = x._xp
    index = index if isinstance(index, tuple) else (index,)
    parts = []
    for i in index:
        if isinstance(i, Tensor):
            i = i.data
        if isinstance(i, (list, bool)) or (hasattr(i, "dtype") and array_module(i) is not xp):
            i = xp.asarray(i)  # an index array goes to the tensor's device, as torch moves CPU indices
        parts.append(i)
    return Getitem.apply(x, index=tuple(parts))


# elementwise -----------------------------------------------------------------------------------------------
def pow(x: Any, exponent: Any) -> Any:  # noqa: A001 - torch's name
    return Pow.apply(x, exponent)


def exp(x: Any) -> Any:
    return Exp.apply(x)


def log(x: Any) -> Any:
    return Log.apply(x)


def sqrt(x: Any) -> Any:
    return Sqrt.apply(x)


def abs(x: Any) -> Any:  # noqa: A001
    return Abs.apply(x)


def sigmoid(x: Any) -> Any:
    return Sigmoid.apply(x)


def tanh(x: Any) -> Any:
    return Tanh.apply(x)


def clamp(x: Any, min: float | None = None, max: float | None = None) -> Any:  # noqa: A002
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    return Clamp.apply(x, min=None if min is None else float(min), max=None if max is None else float(max))


def where(condition: Any, x: Any, y: Any) -> Any:
    from ..tensor import Tensor, as_tensor

    # Python scalars take the dtype of the tensor operand, not of the (bool) condition
    like = x if isinstance(x, Tensor) else y if isinstance(y, Tensor) else None
    return Where.apply(as_tensor(condition), as_tensor(x, like=like), as_tensor(y, like=like))


def compare(op: type, a: Any, b: Any) -> Any:
    """`a <op> b` as a recorded bool-valued op. A Python number becomes a 0-d array of the dtype numpy would compare
    in (float32 for `float32 > 0.9`, float64 for `int64 > 0.5`), so the result is that of `a.data > b`."""
    from ..tensor import Tensor

    if not isinstance(b, Tensor):
        xp = a._xp
        try:
            b = Tensor(xp.asarray(b, dtype=xp.result_type(a.dtype, b) if isinstance(b, (int, float)) else None))
        except OverflowError:  # `int8 > 1000`: compare in the number's own dtype
            b = Tensor(xp.asarray(b))
    return op.apply(a, b)


def maximum(a: Any, b: Any) -> Any:
    return Maximum.apply(a, b)


def minimum(a: Any, b: Any) -> Any:
    return Minimum.apply(a, b)


# reductions ------------------------------------------------------------------------------------------------
def _extreme(x: Any, dim: Any, keepdim: bool, full: type, along: type, arg: str) -> Any:
    from ..tensor import Tensor

    if dim is None:
        return full.apply(x, dim=None, keepdim=False)
    if isinstance(dim, Tensor):
        return (Maximum if full is Amax else Minimum).apply(x, dim)
    d = _dim(dim, x.ndim)
    values = along.apply(x, dim=d, keepdim=keepdim)
    return MaxResult(values, (ArgMax if arg == "argmax" else ArgMin).apply(x, dim=d, keepdim=keepdim))


def max(x: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return _extreme(x, dim, keepdim, Amax, Max, "argmax")


def min(x: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return _extreme(x, dim, keepdim, Amin, Min, "argmin")


def amax(x: Any, dim: Any = (), keepdim: bool = False) -> Any:
    return Amax.apply(x, dim=_dims(dim, x.ndim) if dim != () else None, keepdim=keepdim)


def amin(x: Any, dim: Any = (), keepdim: bool = False) -> Any:
    return Amin.apply(x, dim=_dims(dim, x.ndim) if dim != () else None, keepdim=keepdim)


def _correction(unbiased: bool | None, correction: float | None) -> float:
    if correction is not None:
        return float(correction)
    return 1.0 if unbiased is None or unbiased else 0.0


def var(x: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None) -> Any:
    return Var.apply(x, dim=_dims(dim, x.ndim), keepdim=keepdim, correction=_correction(unbiased, correction))


def std(x: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None) -> Any:
    return Std.apply(x, dim=_dims(dim, x.ndim), keepdim=keepdim, correction=_correction(unbiased, correction))


def argmax(x: Any, dim: int | None = None, keepdim: bool = False) -> Any:
    return ArgMax.apply(x, dim=None if dim is None else _dim(dim, x.ndim), keepdim=keepdim)


def argmin(x: Any, dim: int | None = None, keepdim: bool = False) -> Any:
    return ArgMin.apply(x, dim=None if dim is None else _dim(dim, x.ndim), keepdim=keepdim)
