"""The collectives of torch.distributed on ember tensors (or backend arrays), in place, each bounded by the group's
timeout. `async_op=True` returns a Work whose `wait()` finishes it; otherwise they return when done."""

from __future__ import annotations

import time
from typing import Any

from .group import DistributedError, ProcessGroup, ReduceOp, default_group


def _array(tensor: Any) -> Any:
    """The backend array of an ember tensor; a backend array as it is."""
    from ..tensor import Tensor
    return tensor.data if isinstance(tensor, Tensor) else tensor


class Work:
    """A started collective (torch.distributed.Work): `is_completed()` polls it (and so drives MPI's progress),
    `wait()` blocks until it completes or the group's timeout passes."""

    def __init__(self, request: Any, group: ProcessGroup, what: str) -> None:
        self.request, self.group, self.what = request, group, what
        self.started = time.monotonic()
        self.done = False

    def is_completed(self) -> bool:
        if not self.done and self.request.test():
            self.request.finish()
            self.done = True
        return self.done

    def wait(self, timeout: float | None = None) -> bool:
        limit = self.group.timeout if timeout is None else timeout
        pause = 1e-5
        while not self.is_completed():
            waited = time.monotonic() - self.started
            if waited > limit:
                raise DistributedError(
                    f"rank {self.group.rank} of {self.group.size}: {self.what} did not complete within {limit:g} s: "
                    "another rank is missing, has failed, or is running a different collective (every rank must "
                    "call the same collectives in the same order); raise init_process_group(timeout=) if the "
                    "ranks are only slow")
            time.sleep(pause)
            pause = min(pause * 2, 1e-3)
        return True


def _run(request: Any, group: ProcessGroup, what: str, async_op: bool) -> Work | None:
    work = Work(request, group, what)
    if async_op:
        return work
    work.wait()
    return None


def all_reduce(tensor: Any, op: ReduceOp = ReduceOp.SUM, async_op: bool = False) -> Work | None:
    """Reduces `tensor` over all ranks, in place (SUM, AVG, MAX, MIN, PRODUCT)."""
    group = default_group()
    return _run(group.communicator.all_reduce(_array(tensor), ReduceOp(op)), group, f"all_reduce({op.name})",
                async_op)


def broadcast(tensor: Any, src: int = 0, async_op: bool = False) -> Work | None:
    """Copies rank `src`'s `tensor` into every rank's, in place."""
    group = default_group()
    if not 0 <= src < group.size:
        raise ValueError(f"broadcast: src {src} is not a rank of this group of {group.size}")
    return _run(group.communicator.broadcast(_array(tensor), src), group, f"broadcast(src={src})", async_op)


def all_gather(tensor_list: list[Any], tensor: Any, async_op: bool = False) -> Work | None:
    """Fills `tensor_list[r]` with rank r's `tensor` (a list of world-size tensors of its shape and dtype)."""
    group = default_group()
    array = _array(tensor)
    if len(tensor_list) != group.size:
        raise ValueError(f"all_gather: tensor_list has {len(tensor_list)} entries, the group has {group.size} ranks")
    xp = _xp(array)
    gathered = xp.empty((group.size, *array.shape), array.dtype)

    class _Scatter:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def test(self) -> bool:
            return self.inner.test()

        def finish(self) -> None:
            self.inner.finish()
            for out, part in zip(tensor_list, gathered, strict=True):
                _array(out)[...] = part

    request = _Scatter(group.communicator.all_gather(gathered, xp.ascontiguousarray(array)))
    return _run(request, group, "all_gather", async_op)


def reduce_scatter(output: Any, input_list: list[Any], op: ReduceOp = ReduceOp.SUM,
                   async_op: bool = False) -> Work | None:
    """Reduces `input_list` (world-size tensors of `output`'s shape) over ranks; rank r gets entry r."""
    group = default_group()
    out = _array(output)
    if len(input_list) != group.size:
        raise ValueError(f"reduce_scatter: input_list has {len(input_list)} entries, the group has {group.size} "
                         "ranks")
    xp = _xp(out)
    stacked = xp.ascontiguousarray(xp.stack([_array(t) for t in input_list]))
    return _run(group.communicator.reduce_scatter(out, stacked, ReduceOp(op)), group, f"reduce_scatter({op.name})",
                async_op)


def barrier(async_op: bool = False) -> Work | None:
    group = default_group()
    return _run(group.communicator.barrier(), group, "barrier", async_op)


def _xp(array: Any) -> Any:
    from ..backend import array_module
    return array_module(array)
