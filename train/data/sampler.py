"""Samplers: the order in which a DataLoader reads its data set's indices (torch.utils.data's names), and
DistributedSampler, which gives each rank of a distributed job its own shard."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence, Sized

import numpy as np

from ..random import default_generator


class Sampler:
    """Iterates over data set indices; `len()` is how many it yields."""

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


class SequentialSampler(Sampler):
    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh permutation each pass, drawn from `generator` (or Ember's global generator)."""

    def __init__(self, data_source: Sized, generator: np.random.Generator | None = None) -> None:
        self.data_source, self.generator = data_source, generator

    def __iter__(self) -> Iterator[int]:
        generator = self.generator or default_generator()
        return iter(generator.permutation(len(self.data_source)).tolist())

    def __len__(self) -> int:
        return len(self.data_source)


class DistributedSampler(Sampler):
    """torch.utils.data.DistributedSampler: rank `rank` of `num_replicas` reads every num_replicas-th index of one
    order that all ranks share (a permutation seeded with seed + epoch when shuffling: call `set_epoch(epoch)`
    before each epoch so that order changes). Without `drop_last` the order is padded by repeating its start so
    that every rank reads the same number of samples; with it, the tail that does not divide evenly is dropped.
    Together the ranks read every sample exactly once an epoch when the data set divides evenly."""

    def __init__(self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from .. import distributed as dist
            if not dist.is_initialized():
                raise RuntimeError("DistributedSampler: pass num_replicas and rank, or call "
                                   "ember.distributed.init_process_group() first")
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if num_replicas < 1 or not 0 <= rank < num_replicas:
            raise ValueError(f"DistributedSampler: invalid rank {rank} for num_replicas {num_replicas} "
                             "(rank must be in [0, num_replicas))")
        self.dataset, self.num_replicas, self.rank = dataset, num_replicas, rank
        self.shuffle, self.seed, self.drop_last, self.epoch = shuffle, seed, drop_last, 0
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = n // num_replicas
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        order = (np.random.default_rng(self.seed + self.epoch).permutation(n) if self.shuffle
                 else np.arange(n))
        if self.drop_last:
            order = order[:self.total_size]
        elif self.total_size > n:
            order = np.concatenate([order, np.resize(order, self.total_size - n)])
        return iter(order[self.rank:self.total_size:self.num_replicas].tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch


class SubsetRandomSampler(Sampler):
    """The given indices in a fresh random order each pass."""

    def __init__(self, indices: Sequence[int], generator: np.random.Generator | None = None) -> None:
        self.indices, self.generator = list(indices), generator

    def __iter__(self) -> Iterator[int]:
        generator = self.generator or default_generator()
        return iter(self.indices[i] for i in generator.permutation(len(self.indices)).tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """`num_samples` indices drawn with probability proportional to `weights` (with or without replacement)."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: np.random.Generator | None = None) -> None:
        w = np.asarray(getattr(weights, "data", weights), dtype=np.float64).reshape(-1)
        if num_samples <= 0:
            raise ValueError(f"WeightedRandomSampler: num_samples must be positive, got {num_samples}")
        if w.size == 0 or np.any(w < 0) or not np.all(np.isfinite(w)) or w.sum() <= 0:
            raise ValueError("WeightedRandomSampler: weights must be finite, non-negative and not all zero")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ValueError(f"WeightedRandomSampler: {num_samples} samples without replacement, but only "
                             f"{np.count_nonzero(w)} weights are non-zero")
        self.weights, self.num_samples, self.replacement, self.generator = w, num_samples, replacement, generator

    def __iter__(self) -> Iterator[int]:
        generator = self.generator or default_generator()
        picks = generator.choice(self.weights.size, size=self.num_samples, replace=self.replacement,
                                 p=self.weights / self.weights.sum())
        return iter(picks.tolist())

    def __len__(self) -> int:
        return self.num_samples
