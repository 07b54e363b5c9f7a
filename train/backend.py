"""The one place that knows numpy from cupy. Ops ask `array_module(*arrays)` for `xp` and never import a
backend themselves, so the same op code runs on the CPU and on an NVIDIA GPU.

Two array types hold a tensor in the library: `numpy.ndarray` (device "cpu") and `cupy.ndarray` (device "cuda:N";
cupy is imported on first use, so a CPU user never pays for it). `register_backend` adds another device whose
arrays stand for device memory: the test suite registers its strict backend (tests/support/strict_backend.py,
device "strict"), numpy arrays that fail on every implicit host copy the way cupy does."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

_cupy: ModuleType | None = None
_cupy_checked = False
_cupy_error = ""


@dataclass(frozen=True)
class ArrayBackend:
    """A device beyond cpu and cuda: its name (`ember.device(name)`), the array type that lives there, the array
    module ops get for it from `array_module`, and the explicit host-to-device copy."""

    device_type: str
    array_type: type
    xp: ModuleType
    to_device: Callable[[np.ndarray], Any]


_registered: dict[type, ArrayBackend] = {}  # array type -> its backend


def register_backend(backend: ArrayBackend) -> None:
    """Make `backend.device_type` a device name and its arrays known to `array_module`, `to_host` and `move`."""
    _registered[backend.array_type] = backend


def registered_backend(device_type: str) -> ArrayBackend | None:
    return next((b for b in _registered.values() if b.device_type == device_type), None)


def backend_of(a: Any) -> ArrayBackend | None:
    """The registered backend whose array `a` is; None for numpy, cupy and anything else."""
    return _registered.get(type(a)) if _registered else None


def cupy_module() -> ModuleType | None:
    """cupy if it is installed and imports, else None (checked once)."""
    global _cupy, _cupy_checked, _cupy_error
    if not _cupy_checked:
        _cupy_checked = True
        try:
            _cupy = importlib.import_module("cupy")
        except Exception as e:  # noqa: BLE001 - a broken CUDA install must not break the CPU path
            _cupy, _cupy_error = None, f"{type(e).__name__}: {e}"
    return _cupy


def is_cupy_array(a: Any) -> bool:
    return type(a).__module__.startswith("cupy")


def array_module(*arrays: Any) -> ModuleType:
    """numpy, cupy when any argument is a cupy array, a registered backend's module when any is its array
    (chainer's get_array_module)."""
    for a in arrays:
        if is_cupy_array(a):
            return cupy_module() or np
        registered = backend_of(a)
        if registered is not None:
            return registered.xp
    return np


def is_host(array: Any) -> bool:
    """True for arrays numpy can read without a copy (numpy arrays, numpy scalars, Python numbers)."""
    return not (is_cupy_array(array) or backend_of(array) is not None)


def to_host(array: Any) -> np.ndarray:
    """An explicit device-to-host copy (the array itself when it is on the host already)."""
    return array if is_host(array) else array.get()


def require_cupy() -> ModuleType:
    cp = cupy_module()
    if cp is None:
        reason = f" (importing it failed with {_cupy_error})" if _cupy_error else ""
        raise RuntimeError(
            f"CUDA device requested but cupy is not available{reason}: install it with `pip install ember[cuda]` "
            "(cupy-cuda12x) on a machine with an NVIDIA GPU and CUDA 12"
        )
    return cp


def scatter_add(xp: ModuleType, target: Any, index: Any, values: Any) -> None:
    """target[index] += values with repeated indices accumulated: `xp.add.at` (numpy, the strict test backend,
    CuPy >= 13, where cupyx.scatter_add is deprecated), else cupyx.scatter_add on older CuPy."""
    add_at = getattr(xp.add, "at", None)
    if add_at is not None:
        add_at(target, index, values)
    else:
        importlib.import_module("cupyx").scatter_add(target, index, values)
