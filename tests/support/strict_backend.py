"""A test-only array backend that treats numpy the way cupy does: its arrays stand for memory "on a device", and
every implicit trip to the host fails (`numpy.asarray(x)`, `x.__array__()`, mixing an `ndarray` operand into an
op or a function of the backend). Explicit copies work, as in cupy: `x.get()` to the host, `xp.asarray(host)` to
the device; so do `float(x)`, `int(x)`, `x.item()` and `x.tolist()`, which cupy allows on any array.

Running the op suite with tensors on device "strict" (EMBER_TEST_BACKEND=strict) finds the host/device leaks a GPU
run would hit, on a machine without a GPU. It is test support, not library code: tests/conftest.py calls
`register()`, which makes "strict" an `ember.device` through `ember.backend.register_backend`. Results keep numpy's
values exactly: the arrays wrap `ndarray`s, so only the boundary checks differ from the numpy backend."""

from __future__ import annotations

import types
from typing import Any

import numpy as np


def _leak(what: str) -> TypeError:
    return TypeError(
        f"strict backend: {what} would copy a device array to the host implicitly (cupy refuses this too); "
        "copy explicitly with .get() on an array, Tensor.cpu() on a tensor"
    )


def _host_operand(x: np.ndarray) -> TypeError:
    return TypeError(
        f"strict backend: a host numpy.ndarray of shape {x.shape} and dtype {x.dtype} was mixed with device arrays "
        "(cupy raises 'Unsupported type numpy.ndarray'); move it first with xp.asarray(...) or Tensor.to(device)"
    )


def unwrap(x: Any, allow_host: bool = False) -> Any:
    """The ndarrays inside `x` (nested tuples, lists, dicts), refusing host ndarrays unless `allow_host`."""
    if type(x) is StrictArray:
        return x._a
    if isinstance(x, np.ndarray):
        if allow_host:
            return x
        raise _host_operand(x)
    if isinstance(x, (list, tuple)):
        return type(x)(unwrap(v, allow_host) for v in x)
    if isinstance(x, dict):
        return {k: unwrap(v, allow_host) for k, v in x.items()}
    return x


def wrap(x: Any) -> Any:
    """Device arrays for every array (and numpy scalar: cupy returns 0-d arrays where numpy returns scalars)."""
    if isinstance(x, np.ndarray):
        return StrictArray(x)
    if isinstance(x, np.generic):
        return StrictArray(np.asarray(x))
    if isinstance(x, tuple):
        return tuple(wrap(v) for v in x)
    if isinstance(x, list):
        return [wrap(v) for v in x]
    return x


def _operand(x: Any) -> Any:
    """An operand of an arithmetic operator, or NotImplemented for types that should get their reflected op."""
    if type(x) is StrictArray:
        return x._a
    if isinstance(x, np.ndarray):
        raise _host_operand(x)
    if isinstance(x, (bool, int, float, complex, np.generic)):
        return x
    return NotImplemented


def _binary(ufunc: np.ufunc, reflected: bool = False, inplace: bool = False) -> Any:
    def op(self: StrictArray, other: Any) -> Any:
        o = _operand(other)
        if o is NotImplemented:
            return NotImplemented
        if inplace:
            ufunc(self._a, o, out=self._a)
            return self
        return wrap(ufunc(o, self._a) if reflected else ufunc(self._a, o))

    return op


class StrictArray:
    """An `ndarray` that refuses implicit conversion to numpy (the strict backend's array type)."""

    __slots__ = ("_a",)
    __array_priority__ = 100  # cupy's: operands of higher priority (Tensor) get their reflected operator

    def __init__(self, array: np.ndarray) -> None:
        object.__setattr__(self, "_a", array)

    # the boundary -----------------------------------------------------------------------------------------
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise _leak("numpy.asarray()/numpy.array() on a strict array")

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        result = getattr(ufunc, method)(*unwrap(inputs), **unwrap(kwargs))
        if out is not None:
            return out[0] if len(out) == 1 else out
        return wrap(result)

    def __array_function__(self, func: Any, types_: Any, args: Any, kwargs: Any) -> Any:
        return wrap(func(*unwrap(args), **unwrap(kwargs)))

    def get(self) -> np.ndarray:
        """An explicit device-to-host copy, as `cupy.ndarray.get()`."""
        return self._a.copy()

    @property
    def device(self) -> Any:
        return types.SimpleNamespace(id=0)

    # everything else behaves like the wrapped ndarray, with device arrays in and out ------------------------
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # __array_interface__, __array_struct__, __dlpack__: other roads to the host
            raise AttributeError(f"strict arrays have no {name}")
        value = getattr(self._a, name)
        if callable(value):
            return lambda *args, **kwargs: wrap(value(*unwrap(args), **unwrap(kwargs)))
        return wrap(value)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._a, name, value)  # shape, dtype assignment as on an ndarray

    def __getitem__(self, key: Any) -> Any:
        return wrap(self._a[unwrap(key, allow_host=True)])

    def __setitem__(self, key: Any, value: Any) -> None:
        self._a[unwrap(key, allow_host=True)] = unwrap(value)

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Any:
        return (wrap(v) for v in self._a)

    def __float__(self) -> float:
        return float(self._a)

    def __int__(self) -> int:
        return int(self._a)

    def __complex__(self) -> complex:
        return complex(self._a)

    def __bool__(self) -> bool:
        return bool(self._a)

    def __index__(self) -> int:
        return self._a.__index__()

    def __repr__(self) -> str:
        return f"strict({self._a!r})"

    def __copy__(self) -> StrictArray:
        return StrictArray(self._a.copy())

    def __deepcopy__(self, memo: Any) -> StrictArray:
        return StrictArray(self._a.copy())

    def __reduce__(self) -> Any:  # worker processes send batches back pickled; the array stays a device array
        return (StrictArray, (self._a,))

    __hash__ = None  # type: ignore[assignment]

    def __neg__(self) -> Any:
        return wrap(-self._a)

    def __pos__(self) -> Any:
        return wrap(+self._a)

    def __abs__(self) -> Any:
        return wrap(abs(self._a))

    def __invert__(self) -> Any:
        return wrap(~self._a)


for _name, _ufunc in [("add", np.add), ("sub", np.subtract), ("mul", np.multiply), ("truediv", np.true_divide),
                      ("floordiv", np.floor_divide), ("mod", np.remainder), ("pow", np.power),
                      ("matmul", np.matmul), ("and", np.bitwise_and), ("or", np.bitwise_or),
                      ("xor", np.bitwise_xor), ("lshift", np.left_shift), ("rshift", np.right_shift)]:
    setattr(StrictArray, f"__{_name}__", _binary(_ufunc))
    setattr(StrictArray, f"__r{_name}__", _binary(_ufunc, reflected=True))
    setattr(StrictArray, f"__i{_name}__", _binary(_ufunc, inplace=True))
for _name, _ufunc in [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
                      ("gt", np.greater), ("ge", np.greater_equal)]:
    setattr(StrictArray, f"__{_name}__", _binary(_ufunc))

# Functions that take host data on purpose (a host-to-device copy, as cupy.asarray does).
_FROM_HOST = {"array", "asarray", "asanyarray", "ascontiguousarray", "asfortranarray"}


class _Function:
    """A numpy callable whose array arguments must be device arrays and whose array results become ones."""

    def __init__(self, fn: Any, allow_host: bool = False) -> None:
        self._fn, self._allow_host = fn, allow_host

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return wrap(self._fn(*unwrap(args, self._allow_host), **unwrap(kwargs, self._allow_host)))

    def __getattr__(self, name: str) -> Any:  # ufunc methods: xp.add.at, xp.maximum.reduce
        value = getattr(self._fn, name)
        return _Function(value) if callable(value) else value

    def __repr__(self) -> str:
        return f"strict.{getattr(self._fn, '__name__', self._fn)!r}"


class StrictNamespace(types.ModuleType):
    """numpy (or one of its submodules) as a strict array module: what `array_module()` returns for strict arrays."""

    def __init__(self, module: types.ModuleType, name: str) -> None:
        super().__init__(name)
        self._module = module
        self.ndarray = StrictArray

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if isinstance(value, types.ModuleType):
            return StrictNamespace(value, f"{self.__name__}.{name}")
        if isinstance(value, type) or not callable(value):
            return value  # dtypes, scalar types, finfo, errstate, constants
        return _Function(value, allow_host=name in _FROM_HOST)

    def asnumpy(self, a: Any) -> np.ndarray:
        """`cupy.asnumpy`: an explicit copy to the host."""
        return a.get() if type(a) is StrictArray else np.asarray(a)


xp = StrictNamespace(np, "ember.strict")


def to_device(array: Any) -> StrictArray:
    """A device copy of a host array (or of a strict array: a copy, as moving between two devices makes)."""
    return StrictArray(np.array(array._a if type(array) is StrictArray else array, copy=True))


def register() -> None:
    """Make "strict" an `ember.device` whose arrays are StrictArrays (idempotent)."""
    from ember.backend import ArrayBackend, register_backend

    register_backend(ArrayBackend("strict", StrictArray, xp, to_device))
