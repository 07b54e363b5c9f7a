"""The one place that knows numpy from cupy. Ops ask `array_module(*arrays)` for `xp` and never import a
backend themselves, so the same op code runs on the CPU and on an NVIDIA GPU.

Three array types can hold a tensor: `numpy.ndarray` (device "cpu"), `cupy.ndarray` (device "cuda:N"; cupy is
imported on first use, so a CPU user never pays for it), and the test-only `StrictArray` of `backend_strict`
(device "strict"), which fails on every implicit host copy the way cupy does."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import numpy as np

from . import backend_strict

_cupy: ModuleType | None = None
_cupy_checked = False
_cupy_error = ""


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


def is_strict_array(a: Any) -> bool:
    return type(a) is backend_strict.StrictArray


def array_module(*arrays: Any) -> ModuleType:
    """numpy, cupy when any argument is a cupy array, the strict module when any is a strict array
    (chainer's get_array_module)."""
    for a in arrays:
        if is_cupy_array(a):
            return cupy_module() or np
        if is_strict_array(a):
            return backend_strict.xp
    return np


def is_host(array: Any) -> bool:
    """True for arrays numpy can read without a copy (numpy arrays, numpy scalars, Python numbers)."""
    return not (is_cupy_array(array) or is_strict_array(array))


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
    """target[index] += values with repeated indices accumulated: `xp.add.at` (numpy, the strict backend, CuPy >= 13,
    where cupyx.scatter_add is deprecated), else cupyx.scatter_add on older CuPy."""
    add_at = getattr(xp.add, "at", None)
    if add_at is not None:
        add_at(target, index, values)
    else:
        importlib.import_module("cupyx").scatter_add(target, index, values)
