"""`DataLoader`: batches of a Dataset, shuffled reproducibly, collated into tensors."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..random import default_generator
from ..tensor import Tensor
from .dataset import Dataset, TensorDataset


def default_collate(samples: Sequence[Any]) -> Any:
    """Stack samples field by field: tuples and dicts of arrays/numbers become tuples and dicts of Tensors."""
    first = samples[0]
    if isinstance(first, Mapping):
        return {k: default_collate([s[k] for s in samples]) for k in first}
    if isinstance(first, tuple | list):
        return type(first)(default_collate(list(field)) for field in zip(*samples, strict=True))
    if isinstance(first, Tensor):
        return Tensor(first._xp.stack([s.data for s in samples]))
    array = np.asarray(samples)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    return Tensor(array)


class DataLoader:
    def __init__(self, dataset: Dataset, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 collate_fn: Callable[[Sequence[Any]], Any] | None = None, seed: int | None = None,
                 generator: np.random.Generator | None = None) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
        self.dataset, self.batch_size, self.shuffle, self.drop_last = dataset, batch_size, shuffle, drop_last
        self.collate_fn = collate_fn or default_collate
        self.generator = generator if generator is not None else (
            np.random.default_rng(seed) if seed is not None else None)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        return (self.generator or default_generator()).permutation(n)

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        fast = isinstance(self.dataset, TensorDataset) and self.collate_fn is default_collate
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            if self.drop_last and len(idx) < self.batch_size:
                return
            if fast:  # one fancy-index gather instead of a Python loop over rows
                yield tuple(default_collate_rows(t[idx]) for t in self.dataset.tensors)
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in idx])


def default_collate_rows(rows: Any) -> Tensor:
    return Tensor(rows.astype(np.float32) if rows.dtype == np.float64 else rows)
