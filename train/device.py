"""`ember.device`: where a tensor's array lives. "cpu" is numpy, "cuda[:n]" is cupy on GPU n."""

from __future__ import annotations

from typing import Any

from . import backend


class device:  # noqa: N801 - mirrors torch.device
    __slots__ = ("type", "index")

    def __init__(self, spec: str | device, index: int | None = None) -> None:
        if isinstance(spec, device):
            self.type, self.index = spec.type, spec.index
            return
        kind, _, number = str(spec).partition(":")
        if kind not in ("cpu", "cuda"):
            raise ValueError(f"unknown device {spec!r}: expected 'cpu', 'cuda' or 'cuda:N'")
        if kind == "cpu" and (number or index):
            raise ValueError(f"device {spec!r}: the CPU has no index")
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
    cp = backend.array_module(array)
    if cp.__name__ == "numpy":
        return CPU
    return device("cuda", array.device.id)


def move(array: Any, target: device) -> Any:
    """Copy `array` to `target` explicitly (the only place host/device copies happen)."""
    if target.type == "cpu":
        return array if device_of(array) == CPU else array.get()
    cp = backend.require_cupy()
    with cp.cuda.Device(target.index):
        return cp.asarray(array)
