"""DistributedDataParallel: one model replica a rank, gradients averaged over ranks after each backward.

At construction rank 0's parameters and buffers are broadcast to every rank. Parameters are grouped, in reverse
registration order (roughly the order backward produces their gradients), into buckets of at most
`bucket_cap_mb`; each parameter's post-accumulate-grad hook marks it ready, and a bucket's non-blocking
all-reduce (AVG) starts as soon as it and every bucket before it are ready, so communication overlaps the rest of
backward and every rank issues the same collectives in the same order. The last ready parameter waits for all
buckets and writes the averaged gradients back; when `backward()` returns, `.grad` holds the average.

`find_unused_parameters=False` (the default, PyTorch's) expects every parameter to get a gradient each
iteration: one that does not is reported at the next forward, by name. With True, each forward walks the autograd
graph from its outputs and counts the parameters it cannot reach as ready with a zero gradient (more work per
forward). `no_sync()` skips the reduction, so gradients accumulate locally until the next synchronised backward.
With `broadcast_buffers` (default) rank 0's buffers (BatchNorm statistics) are broadcast at every training
forward, as PyTorch does; `SyncBatchNorm` computes batch statistics over all ranks instead."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from ... import distributed as dist
from ...autograd import grad_mode
from ...tensor import Tensor
from ..modules.module import Module


class _Bucket:
    def __init__(self, params: list[tuple[str, Any]]) -> None:
        self.params = params
        self.pending = len(params)
        self.work: Any = None
        self.flat: Any = None


class DistributedDataParallel(Module):
    def __init__(self, module: Module, bucket_cap_mb: float = 25.0, broadcast_buffers: bool = True,
                 find_unused_parameters: bool = False) -> None:
        super().__init__()
        if not dist.is_initialized():
            raise dist.DistributedError("DistributedDataParallel needs a process group: call "
                                        "ember.distributed.init_process_group('mpi') first")
        if bucket_cap_mb <= 0:
            raise ValueError(f"bucket_cap_mb must be positive, got {bucket_cap_mb}")
        self.module = module
        self.broadcast_buffers, self.find_unused_parameters = broadcast_buffers, find_unused_parameters
        self.require_backward_grad_sync = True
        self.world_size = dist.get_world_size()
        named = [(name, p) for name, p in module.named_parameters() if p.requires_grad]
        object.__setattr__(self, "_params", named)
        self._sync_state()
        object.__setattr__(self, "_buckets", self._make_buckets(named, int(bucket_cap_mb * 2**20)))
        object.__setattr__(self, "_bucket_of", {id(p): b for b in self._buckets for _, p in b.params})
        object.__setattr__(self, "_ready", set())
        object.__setattr__(self, "_next_bucket", 0)
        object.__setattr__(self, "_expect_sync", False)
        object.__setattr__(self, "bytes_per_step", sum(p.data.nbytes for _, p in named))
        for _, p in named:
            p.register_post_accumulate_grad_hook(self._on_grad_ready)

    # construction -------------------------------------------------------------------------------------
    def _sync_state(self) -> None:
        """Rank 0's parameters and buffers, everywhere (one coalesced broadcast a dtype)."""
        tensors = [p for _, p in self.module.named_parameters()] + [b for _, b in self.module.named_buffers()]
        _coalesced_broadcast([t for t in tensors if t is not None])

    @staticmethod
    def _make_buckets(named: list[tuple[str, Any]], cap: int) -> list[_Bucket]:
        buckets: list[_Bucket] = []
        current: list[tuple[str, Any]] = []
        size = 0
        for name, p in reversed(named):
            same_kind = not current or (current[0][1].data.dtype == p.data.dtype and
                                        type(current[0][1].data) is type(p.data))
            if current and (size + p.data.nbytes > cap or not same_kind):
                buckets.append(_Bucket(current))
                current, size = [], 0
            current.append((name, p))
            size += p.data.nbytes
        if current:
            buckets.append(_Bucket(current))
        return buckets

    # forward ------------------------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        if self._expect_sync:
            missing = [name for name, p in self._params if id(p) not in self._ready]
            raise RuntimeError(
                "DistributedDataParallel: the previous iteration did not finish reducing gradients; these "
                f"parameters got no gradient: {', '.join(missing[:8])}{' ...' if len(missing) > 8 else ''}. Pass "
                "find_unused_parameters=True when part of the model is not used in every forward, and make sure "
                "every output that depends on the parameters is part of the loss")
        if self.training and self.broadcast_buffers and self.world_size > 1:
            _coalesced_broadcast([b for _, b in self.module.named_buffers() if b is not None])
        out = self.module(*args, **kwargs)
        if grad_mode.is_grad_enabled() and self.require_backward_grad_sync:
            self._start_iteration(out)
        return out

    def _start_iteration(self, out: Any) -> None:
        for bucket in self._buckets:
            bucket.pending, bucket.work, bucket.flat = len(bucket.params), None, None
        object.__setattr__(self, "_ready", set())
        object.__setattr__(self, "_next_bucket", 0)
        object.__setattr__(self, "_expect_sync", True)
        object.__setattr__(self, "_unused", set())
        if self.find_unused_parameters:
            reachable = _reachable_leaves(out)
            for _, p in self._params:
                if id(p) not in reachable:
                    self._unused.add(id(p))
                    self._mark_ready(p)

    # backward -----------------------------------------------------------------------------------------
    def _on_grad_ready(self, p: Any) -> None:
        if self._expect_sync and self.require_backward_grad_sync and id(p) not in self._ready:
            self._mark_ready(p)

    def _mark_ready(self, p: Any) -> None:
        self._ready.add(id(p))
        self._bucket_of[id(p)].pending -= 1
        self._launch_ready_buckets()
        for bucket in self._buckets[:self._next_bucket]:
            if bucket.work is not None:
                bucket.work.is_completed()  # MPI makes progress only inside its calls
        if len(self._ready) == len(self._params):
            self._finish()

    def _launch_ready_buckets(self) -> None:
        while self._next_bucket < len(self._buckets) and self._buckets[self._next_bucket].pending == 0:
            bucket = self._buckets[self._next_bucket]
            bucket.flat = _flatten([_grad_or_zeros(p) for _, p in bucket.params])
            bucket.work = dist.all_reduce(bucket.flat, dist.ReduceOp.AVG, async_op=True)
            object.__setattr__(self, "_next_bucket", self._next_bucket + 1)

    def _finish(self) -> None:
        globally_unused = self._globally_unused()
        for bucket in self._buckets:
            bucket.work.wait()
            offset = 0
            for _, p in bucket.params:
                n = p.data.size
                grad = bucket.flat[offset:offset + n].reshape(p.data.shape)
                if id(p) in globally_unused:
                    pass  # no rank used it: its .grad stays as it was (None), as PyTorch leaves it
                elif p.grad is None:
                    p.grad = Tensor(grad.copy())
                else:
                    p.grad.data[...] = grad
                offset += n
            bucket.work = bucket.flat = None
        object.__setattr__(self, "_expect_sync", False)

    def _globally_unused(self) -> set[int]:
        """ids of the parameters no rank used this iteration (one MAX all-reduce of the used flags)."""
        if not self.find_unused_parameters:
            return set()
        used = np.array([id(p) not in self._unused for _, p in self._params], np.int32)
        dist.all_reduce(used, dist.ReduceOp.MAX)
        return {id(p) for (_, p), u in zip(self._params, used, strict=True) if not u}

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Gradients of the backwards inside accumulate locally; the first synchronised backward after averages
        the accumulated sums."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous


def _grad_or_zeros(p: Any) -> Any:
    return p.grad.data if p.grad is not None else p._xp.zeros_like(p.data)


def _flatten(arrays: list[Any]) -> Any:
    xp = Tensor(arrays[0])._xp
    return xp.concatenate([a.reshape(-1) for a in arrays])


def _coalesced_broadcast(tensors: list[Any]) -> None:
    """Broadcasts rank 0's `tensors` (ember tensors) in one message a (array type, dtype)."""
    groups: dict[tuple[type, str], list[Any]] = {}
    for t in tensors:
        groups.setdefault((type(t.data), str(t.data.dtype)), []).append(t)
    for group in groups.values():
        flat = _flatten([t.data for t in group])
        dist.broadcast(flat, src=0)
        offset = 0
        for t in group:
            n = t.data.size
            value = flat[offset:offset + n].reshape(t.data.shape)
            if getattr(t.data, "ndim", 0):
                t.data[...] = value
            else:  # a 0-d buffer may be a numpy scalar (num_batches_tracked after += 1)
                t.data = value.copy()
            offset += n


def _reachable_leaves(out: Any) -> set[int]:
    """ids of the leaf tensors the autograd graph of `out` (a tensor or a nest of them) reaches."""
    stack = [t for t in _tensors(out) if getattr(t, "_ctx", None) is not None]
    seen: set[int] = set()
    leaves: set[int] = set()
    while stack:
        fn = stack.pop()._ctx
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        for parent in fn.parents:
            if parent._ctx is None:
                leaves.add(id(parent))
            else:
                stack.append(parent)
    return leaves


def _tensors(value: Any) -> Iterator[Any]:
    if isinstance(value, Tensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _tensors(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _tensors(v)
