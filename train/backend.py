"""The one place that knows numpy from cupy. Ops ask `array_module(*arrays)` for `xp` and never import a
backend themselves, so the same op code runs on the CPU and on an NVIDIA GPU."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import numpy as np

_cupy: ModuleType | None = None
_cupy_checked = False  # cupy is imported lazily: a CPU user never pays for it


def cupy_module() -> ModuleType | None:
    """cupy if it is installed and imports, else None (checked once)."""
    global _cupy, _cupy_checked
    if not _cupy_checked:
        _cupy_checked = True
        try:
            _cupy = importlib.import_module("cupy")
        except Exception:  # noqa: BLE001 - a broken CUDA install must not break the CPU path
            _cupy = None
    return _cupy


def array_module(*arrays: Any) -> ModuleType:
    """numpy, or cupy when any argument is a cupy array (chainer's get_array_module)."""
    for a in arrays:
        if type(a).__module__.startswith("cupy"):
            return cupy_module() or np
    return np


def require_cupy() -> ModuleType:
    cp = cupy_module()
    if cp is None:
        raise RuntimeError(
            "CUDA device requested but cupy is not available: install it with `pip install ember[cuda]` "
            "on a machine with an NVIDIA GPU and CUDA 12"
        )
    return cp


def scatter_add(xp: ModuleType, target: Any, index: Any, values: Any) -> None:
    """target[index] += values with repeated indices accumulated (numpy.add.at / cupyx.scatter_add)."""
    if xp is np:
        np.add.at(target, index, values)
    else:
        importlib.import_module("cupyx").scatter_add(target, index, values)
