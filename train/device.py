"""`ember.device`: where a tensor's array lives. "cpu" is numpy, "cuda[:n]" is cupy on GPU n.

`backend.register_backend` adds devices: the test suite's "strict" (tests/support/strict_backend.py), numpy arrays
that refuse implicit host copies as cupy does, so a CPU-only CI finds host/device leaks."""

from __future__ import annotations

from typing import Any

from . import backend

_KINDS = ("cpu", "cuda")


class device:  # noqa: N801 - mirrors torch.device
    __slots__ = ("type", "index")

    def __init__(self, spec: str | device, index: int | None = None) -> None:
        if isinstance(spec, device):
            self.type, self.index = spec.type, spec.index
            return
        kind, _, number = str(spec).partition(":")
        if kind not in _KINDS and backend.registered_backend(kind) is None:
            raise ValueError(f"unknown device {spec!r}: expected 'cpu', 'cuda' or 'cuda:N'")
        if kind != "cuda" and (number or index):
            raise ValueError(f"device {spec!r}: only CUDA devices have an index")
        if number and not number.isdigit():
            raise ValueError(f"device {spec!r}: the index must be a non-negative integer")
        self.type = kind
        self.index = int(number) if number else (index if index is not None else (0 if kind == "cuda" else None))

    def __repr__(self) -> str:
        return f"device(type='{self.type}'" + (f", index={self.index})" if self.index is not None else ")")

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        try:
            other = device(other)  # type: ignore[arg-type]
        except (ValueError, TypeError):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def device_of(array: Any) -> device:
    if backend.is_cupy_array(array):
        return device("cuda", array.device.id)
    registered = backend.backend_of(array)
    return device(registered.device_type) if registered is not None else CPU


def move(array: Any, target: device) -> Any:
    """Copy `array` to `target` explicitly (the only place host/device copies happen). An array already on
    `target` is returned as it is, as torch's `.to()` does."""
    source = device_of(array)
    if source == target:
        return array
    if target.type == "cpu":
        return backend.to_host(array)
    registered = backend.registered_backend(target.type)
    if registered is not None:
        return registered.to_device(backend.to_host(array))
    cp = backend.require_cupy()
    with cp.cuda.Device(target.index):
        if source.type == "cuda":
            return array.copy()  # cupy copies onto the current device
        return cp.asarray(backend.to_host(array))
