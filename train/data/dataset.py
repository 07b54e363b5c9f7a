from __future__ import annotations

import math
from typing import Any

from ..tensor import Tensor


class Dataset:
    """Map-style data set: `__getitem__(i)` and `__len__()`."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


class TensorDataset(Dataset):
    """Samples are the i-th rows of tensors (or arrays) that share their first dimension."""

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        n = len(tensors[0])
        for i, t in enumerate(tensors):
            if len(t) != n:
                raise ValueError(f"TensorDataset: tensor 0 has {n} rows but tensor {i} has {len(t)}")
        self.tensors = tuple(t.data if isinstance(t, Tensor) else t for t in tensors)

    def __getitem__(self, index: Any) -> tuple[Any, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return len(self.tensors[0])


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset: Dataset, indices: Any) -> None:
        self.dataset, self.indices = dataset, [int(i) for i in indices]

    def __getitem__(self, index: int) -> Any:
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Dataset, lengths: Any, generator: Any = None) -> list[Subset]:
    """torch.utils.data.random_split: disjoint random subsets of the given lengths, or of the given fractions
    (summing to 1; the remainder of the floors goes one sample each to the first subsets, as torch does)."""
    from ..random import default_generator

    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(isinstance(x, float) for x in lengths) and math.isclose(sum(lengths), 1.0):
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if any(int(x) != x or x < 0 for x in lengths) or sum(int(x) for x in lengths) != n:
        raise ValueError(f"random_split: lengths {lengths} must be non-negative integers summing to the data set's "
                         f"{n} samples, or fractions summing to 1")
    order = (generator or default_generator()).permutation(n)
    out, start = [], 0
    for length in lengths:
        out.append(Subset(dataset, order[start:start + int(length)].tolist()))
        start += int(length)
    return out
