"""`DataLoader`: batches of a Dataset, shuffled reproducibly, collated into tensors, optionally loaded by worker
processes.

Determinism: each pass draws one seed from the loader's generator (or Ember's global one), as torch draws a base
seed, after the shuffled order. Batch i is fetched under a generator seeded with (that seed, i), made Ember's
global generator while the batch's samples are read, so random transforms draw the same numbers whichever process
fetches the batch: `num_workers=4` yields exactly the batches of `num_workers=0`, in the same order."""

from __future__ import annotations

import collections
import multiprocessing
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..random import default_generator, using_generator
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


_worker: dict[str, Any] = {}


def _init_worker(dataset: Dataset, collate_fn: Callable[[Sequence[Any]], Any]) -> None:
    _worker["dataset"], _worker["collate_fn"] = dataset, collate_fn


def _fetch_in_worker(indices: np.ndarray, seed: tuple[int, int]) -> Any:
    return fetch(_worker["dataset"], _worker["collate_fn"], indices, seed)


class DataLoader:
    def __init__(self, dataset: Dataset, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 collate_fn: Callable[[Sequence[Any]], Any] | None = None, seed: int | None = None,
                 generator: np.random.Generator | None = None, num_workers: int = 0, prefetch_factor: int = 2,
                 persistent_workers: bool = False, multiprocessing_context: str | None = None,
                 timeout: float = 0) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
        if num_workers < 0:
            raise ValueError(f"num_workers must be 0 (load in this process) or more, got {num_workers}")
        if prefetch_factor < 1:
            raise ValueError(f"prefetch_factor must be at least 1, got {prefetch_factor}")
        self.dataset, self.batch_size, self.shuffle, self.drop_last = dataset, batch_size, shuffle, drop_last
        self.collate_fn = collate_fn or default_collate
        self.generator = generator if generator is not None else (
            np.random.default_rng(seed) if seed is not None else None)
        self.num_workers, self.prefetch_factor = num_workers, prefetch_factor
        self.persistent_workers, self.multiprocessing_context = persistent_workers, multiprocessing_context
        self.timeout = timeout or None
        self._pool: Any = None

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _plan(self) -> list[tuple[np.ndarray, tuple[int, int]]]:
        """This pass's batches: (sample indices, seed of the batch's generator)."""
        generator = self.generator or default_generator()
        n = len(self.dataset)
        order = generator.permutation(n) if self.shuffle else np.arange(n)
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

    def _start_pool(self) -> Any:
        if self._pool is None:
            context = multiprocessing.get_context(self.multiprocessing_context)
            self._pool = context.Pool(self.num_workers, initializer=_init_worker,
                                      initargs=(self.dataset, self.collate_fn))
        return self._pool

    def _iter_workers(self, plan: list[tuple[np.ndarray, tuple[int, int]]]) -> Iterator[Any]:
        pool = self._start_pool()
        pending: collections.deque = collections.deque()
        todo = iter(enumerate(plan))
        try:
            for _ in range(self.num_workers * self.prefetch_factor):
                self._submit(pool, todo, pending)
            while pending:
                index, result = pending.popleft()
                try:
                    batch = result.get(self.timeout)
                except multiprocessing.TimeoutError:
                    raise RuntimeError(f"DataLoader worker timed out after {self.timeout} s on batch {index}") from None
                except Exception as e:
                    if hasattr(e, "add_note"):
                        e.add_note(f"(raised in a DataLoader worker process while loading batch {index})")
                    raise
                self._submit(pool, todo, pending)
                yield batch
        finally:
            if not self.persistent_workers or pending:
                self.shutdown_workers()

    @staticmethod
    def _submit(pool: Any, todo: Iterator[Any], pending: collections.deque) -> None:
        nxt = next(todo, None)
        if nxt is not None:
            index, (indices, seed) = nxt
            pending.append((index, pool.apply_async(_fetch_in_worker, (indices, seed))))

    def shutdown_workers(self) -> None:
        """Stop the worker processes (persistent ones stay up between passes until this is called)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __del__(self) -> None:
        try:
            self.shutdown_workers()
        except Exception:  # noqa: BLE001, S110 - interpreter shutdown may have torn multiprocessing down already
            pass

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_pool"] = None
        return state
