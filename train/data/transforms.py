"""`ember.data.transforms`: image transforms with torchvision's names and arguments, for the samples of a data
set (one image at a time, before batching). Random ones draw from Ember's seeded generator, so they are
reproducible with `ember.manual_seed` and identical with or without DataLoader workers.

Images are HWC uint8 arrays (or HW for one channel) until ToTensor, then CHW float Tensors in [0, 1]. The other
transforms take a Tensor or an array and return the same kind."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..random import default_generator
from ..tensor import Tensor


def _chw(image: Any) -> tuple[Any, bool]:
    """The array of a CHW image, and whether it came in a Tensor."""
    if isinstance(image, Tensor):
        return image.data, True
    return np.asarray(image), False


def _same_kind(array: Any, was_tensor: bool) -> Any:
    return Tensor(array) if was_tensor else array


class Compose:
    """Apply transforms in order."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, image: Any) -> Any:
        for t in self.transforms:
            image = t(image)
        return image

    def __repr__(self) -> str:
        return "Compose(" + ", ".join(repr(t) for t in self.transforms) + ")"


class ToTensor:
    """HWC (or HW) uint8 in [0, 255] -> CHW float32 Tensor in [0, 1]; float arrays keep their values (torchvision
    scales only uint8 images)."""

    def __call__(self, image: Any) -> Tensor:
        array = np.asarray(image)
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim != 3:
            raise ValueError(f"ToTensor: expected an HWC or HW image, got shape {array.shape}")
        chw = np.ascontiguousarray(array.transpose(2, 0, 1))
        if chw.dtype == np.uint8:
            return Tensor(chw.astype(np.float32) / np.float32(255))
        return Tensor(chw.astype(np.float32, copy=False))

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """(image - mean) / std per channel of a CHW image."""

    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
        self.mean, self.std = list(mean), list(std)
        if any(s == 0 for s in self.std):
            raise ValueError(f"Normalize: std {self.std} has a zero, which would divide by zero")

    def __call__(self, image: Any) -> Any:
        array, was_tensor = _chw(image)
        if array.ndim != 3 or len(self.mean) not in (1, array.shape[0]) or len(self.std) not in (1, array.shape[0]):
            raise ValueError(f"Normalize: image of shape {tuple(array.shape)} (CHW) does not match mean {self.mean} "
                             f"and std {self.std} (one value, or one per channel)")
        xp = Tensor(array)._xp
        mean = xp.asarray(self.mean, dtype=array.dtype).reshape(-1, 1, 1)
        std = xp.asarray(self.std, dtype=array.dtype).reshape(-1, 1, 1)
        return _same_kind((array - mean) / std, was_tensor)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


class RandomCrop:
    """Pad (optionally) then cut a size x size (or (h, w)) window at a random place of a CHW image."""

    def __init__(self, size: int | Sequence[int], padding: int | Sequence[int] | None = None,
                 pad_if_needed: bool = False, fill: float = 0, padding_mode: str = "constant") -> None:
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        if padding is None:
            self.padding = (0, 0, 0, 0)
        elif isinstance(padding, int):
            self.padding = (padding,) * 4
        elif len(padding) == 2:
            self.padding = (padding[0], padding[1], padding[0], padding[1])
        else:
            self.padding = tuple(padding)  # left, top, right, bottom as in torchvision
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(f"RandomCrop: padding_mode {padding_mode!r} is not constant, edge, reflect or symmetric")
        self.pad_if_needed, self.fill, self.padding_mode = pad_if_needed, fill, padding_mode

    def _pad(self, xp: Any, array: Any, left: int, top: int, right: int, bottom: int) -> Any:
        if not (left or top or right or bottom):
            return array
        width = ((0, 0), (top, bottom), (left, right))
        if self.padding_mode == "constant":
            return xp.pad(array, width, mode="constant", constant_values=self.fill)
        return xp.pad(array, width, mode=self.padding_mode)

    def __call__(self, image: Any) -> Any:
        array, was_tensor = _chw(image)
        xp = Tensor(array)._xp
        array = self._pad(xp, array, *self.padding)
        th, tw = self.size
        if self.pad_if_needed:
            array = self._pad(xp, array, max(tw - array.shape[2], 0), max(th - array.shape[1], 0), 0, 0)
            array = self._pad(xp, array, 0, 0, max(tw - array.shape[2], 0), max(th - array.shape[1], 0))
        h, w = array.shape[1:]
        if h < th or w < tw:
            raise ValueError(f"RandomCrop: crop {self.size} is larger than the (padded) image {(h, w)}; "
                             "pass padding= or pad_if_needed=True")
        top = int(default_generator().integers(0, h - th + 1))
        left = int(default_generator().integers(0, w - tw + 1))
        return _same_kind(array[:, top:top + th, left:left + tw], was_tensor)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror a CHW image left-right with probability p."""

    def __init__(self, p: float = 0.5) -> None:
        if not 0 <= p <= 1:
            raise ValueError(f"RandomHorizontalFlip: p must lie in [0, 1], got {p}")
        self.p = p

    def __call__(self, image: Any) -> Any:
        if default_generator().random() >= self.p:
            return image
        array, was_tensor = _chw(image)
        return _same_kind(array[..., ::-1], was_tensor)

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


__all__ = ["Compose", "Normalize", "RandomCrop", "RandomHorizontalFlip", "ToTensor"]
