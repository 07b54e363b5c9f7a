"""`DataLoader`: batches of a Dataset, shuffled reproducibly, collated into tensors, optionally loaded by worker
processes.

Determinism: each pass draws one seed from the loader's generator (or Ember's global one), as torch draws a base
seed, after the shuffled order. Batch i is fetched under a generator seeded with (that seed, i), made Ember's
global generator while the batch's samples are read, so random transforms draw the same numbers whichever process
fetches the batch: `num_workers=4` yields exactly the batches of `num_workers=0`, in the same order."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..random import default_generator, using_generator
from ..tensor import Tensor
from .dataset import Dataset, TensorDataset
from .sampler import Sampler
from .workers import WorkerPool


def default_collate(samples: Sequence[Any]) -> Any:
    """Stack samples field by field: tuples and dicts of arrays/numbers become tuples and dicts of Tensors."""
    return _collate(samples, "")


def _collate(samples: Sequence[Any], field: str) -> Any:
    first = samples[0]
    if isinstance(first, Mapping):
        return {k: _collate([s[k] for s in samples], f"{field}[{k!r}]" if field else repr(k)) for k in first}
    if isinstance(first, tuple | list):
        for i, s in enumerate(samples):
            if len(s) != len(first):
                raise RuntimeError(f"default_collate{_where(field)}: sample {i} has {len(s)} fields, but sample 0 has "
                                   f"{len(first)}; make every sample of the data set the same structure")
        return type(first)(_collate(list(column), f"{field}[{j}]" if field else str(j))
                           for j, column in enumerate(zip(*samples, strict=True)))
    shapes = [tuple(s.shape) if isinstance(s, Tensor) else np.shape(s) for s in samples]
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:  # numpy would only say "inhomogeneous shape", without the sample
            raise RuntimeError(f"default_collate{_where(field)}: sample {i} has shape {shape}, but sample 0 has shape "
                               f"{shapes[0]}; samples of a batch must have equal shapes (resize or pad them in the "
                               "data set, or pass a collate_fn that handles ragged samples)")
    if isinstance(first, Tensor):
        return Tensor(first._xp.stack([s.data for s in samples]))
    array = np.asarray(samples)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    return Tensor(array)


def _where(field: str) -> str:
    return f", field {field}" if field else ""


def default_collate_rows(rows: Any) -> Tensor:
    return Tensor(rows.astype(np.float32) if rows.dtype == np.float64 else rows)


def fetch(dataset: Dataset, collate_fn: Callable[[Sequence[Any]], Any], indices: np.ndarray,
          seed: tuple[int, int]) -> Any:
    """One batch: the samples at `indices`, read under the batch's own generator, collated."""
    with using_generator(np.random.default_rng(list(seed))):
        plain_rows = (isinstance(dataset, TensorDataset) and collate_fn is default_collate
                      and type(dataset).__getitem__ is TensorDataset.__getitem__)
        if plain_rows:  # one fancy-index gather instead of a Python loop over rows
            return tuple(default_collate_rows(t[indices]) for t in dataset.tensors)
        return collate_fn([dataset[int(i)] for i in indices])


class DataLoader:
    """torch.utils.data.DataLoader's arguments and meaning. With `num_workers > 0`, batches are loaded by worker
    processes; an exception there is re-raised here (its type, the worker's traceback in the message), a worker that
    dies is reported with its pid, exit code and batch, and `timeout` > 0 is how many seconds to wait for one batch
    before raising RuntimeError (0: no limit)."""

    def __init__(self, dataset: Dataset, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 collate_fn: Callable[[Sequence[Any]], Any] | None = None, seed: int | None = None,
                 generator: np.random.Generator | None = None, num_workers: int = 0, prefetch_factor: int = 2,
                 persistent_workers: bool = False, multiprocessing_context: str | None = None,
                 timeout: float = 0, sampler: Sampler | Iterable[int] | None = None) -> None:
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle (the sampler decides the order; "
                             "DistributedSampler and RandomSampler shuffle themselves)")
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
        if num_workers < 0:
            raise ValueError(f"num_workers must be 0 (load in this process) or more, got {num_workers}")
        if prefetch_factor < 1:
            raise ValueError(f"prefetch_factor must be at least 1, got {prefetch_factor}")
        if timeout < 0:
            raise ValueError(f"timeout option should be non-negative (seconds to wait for a batch from the workers, "
                             f"0 for no limit), got {timeout}")
        self.dataset, self.batch_size, self.shuffle, self.drop_last = dataset, batch_size, shuffle, drop_last
        self.collate_fn = collate_fn or default_collate
        self.generator = generator if generator is not None else (
            np.random.default_rng(seed) if seed is not None else None)
        self.num_workers, self.prefetch_factor = num_workers, prefetch_factor
        self.persistent_workers, self.multiprocessing_context = persistent_workers, multiprocessing_context
        self.timeout, self.sampler = timeout, sampler
        self._pool: Any = None

    def __len__(self) -> int:
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _plan(self) -> list[tuple[np.ndarray, tuple[int, int]]]:
        """This pass's batches: (sample indices, seed of the batch's generator)."""
        generator = self.generator or default_generator()
        if self.sampler is not None:
            order = np.asarray(list(self.sampler), dtype=np.int64)
        else:
            order = generator.permutation(len(self.dataset)) if self.shuffle else np.arange(len(self.dataset))
        n = len(order)
        base_seed = int(generator.integers(2**63))
        stop = n - n % self.batch_size if self.drop_last else n
        return [(order[start:start + self.batch_size], (base_seed, i))
                for i, start in enumerate(range(0, stop, self.batch_size))]

    def __iter__(self) -> Iterator[Any]:
        plan = self._plan()
        if self.num_workers == 0:
            for indices, seed in plan:
                yield fetch(self.dataset, self.collate_fn, indices, seed)
            return
        yield from self._iter_workers(plan)

    def _start_pool(self) -> WorkerPool:
        if self._pool is None:
            self._pool = WorkerPool(functools.partial(fetch, self.dataset, self.collate_fn), self.num_workers,
                                    self.multiprocessing_context)
        return self._pool

    def _iter_workers(self, plan: list[tuple[np.ndarray, tuple[int, int]]]) -> Iterator[Any]:
        pool = self._start_pool()
        ahead, finished = self.num_workers * self.prefetch_factor, False
        try:
            for i in range(min(ahead, len(plan))):
                pool.submit(i, plan[i])
            for i in range(len(plan)):
                batch = pool.get(i, self.timeout)
                if i + ahead < len(plan):
                    pool.submit(i + ahead, plan[i + ahead])
                yield batch
            finished = True
        finally:
            if not (finished and self.persistent_workers):  # a pass left half-way leaves batches in flight
                self.shutdown_workers()

    def shutdown_workers(self) -> None:
        """Stop the worker processes (persistent ones stay up between passes until this is called)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.close()

    def __del__(self) -> None:
        try:
            self.shutdown_workers()
        except Exception:  # noqa: BLE001, S110 - interpreter shutdown may have torn multiprocessing down already
            pass

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_pool"] = None
        return state
