"""The MPI communicator (mpi4py): non-blocking collectives on host arrays; cupy arrays go through the host."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backend import array_module
from .group import ReduceOp

INSTALL_HINT = ("pip install -e '.[distributed]' (mpi4py and Open MPI from the package index), or install a system "
                "MPI and `pip install mpi4py`")


def _mpi() -> Any:
    try:
        from mpi4py import MPI
    except ImportError as error:  # mpi4py missing, or its MPI library cannot be loaded
        raise ImportError(f"the 'mpi' backend needs mpi4py with an MPI library ({error}): {INSTALL_HINT}") from error
    return MPI


class _Request:
    """A started collective: `test()` is True once it completed; `finish()` copies results where needed."""

    def __init__(self, request: Any, finish: Any = None) -> None:
        self.request, self._finish = request, finish

    def test(self) -> bool:
        return bool(self.request.Test())

    def finish(self) -> None:
        if self._finish is not None:
            self._finish()
            self._finish = None


class MPICommunicator:
    def __init__(self) -> None:
        self.MPI = _mpi()
        self.comm = self.MPI.COMM_WORLD.Dup()
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self._ops = {ReduceOp.SUM: self.MPI.SUM, ReduceOp.AVG: self.MPI.SUM, ReduceOp.MAX: self.MPI.MAX,
                     ReduceOp.MIN: self.MPI.MIN, ReduceOp.PRODUCT: self.MPI.PROD}

    @staticmethod
    def _host(array: Any) -> tuple[np.ndarray, Any]:
        """A contiguous host array for `array`, and a function that writes results back into `array`."""
        if isinstance(array, np.ndarray) and array.flags.c_contiguous:
            return array, None
        host = np.ascontiguousarray(array.get() if hasattr(array, "get") else array)

        return host, lambda: _to(array, host)

    def all_reduce(self, array: Any, op: ReduceOp) -> _Request:
        host, back = self._host(array)
        request = self.comm.Iallreduce(self.MPI.IN_PLACE, host, op=self._ops[op])
        size = self.size

        def finish() -> None:
            if op is ReduceOp.AVG:
                _divide(host, size)
            if back is not None:
                back()

        return _Request(request, finish)

    def broadcast(self, array: Any, src: int) -> _Request:
        host, back = self._host(array)
        return _Request(self.comm.Ibcast(host, root=src), back)

    def all_gather(self, output: Any, array: Any) -> _Request:
        send, _ = self._host(array)
        recv, back = self._host(output)
        return _Request(self.comm.Iallgather(send, recv), back)

    def reduce_scatter(self, output: Any, array: Any, op: ReduceOp) -> _Request:
        send, _ = self._host(array)
        recv, back = self._host(output)
        request = self.comm.Ireduce_scatter_block(send, recv, op=self._ops[op])
        size = self.size

        def finish() -> None:
            if op is ReduceOp.AVG:
                _divide(recv, size)
            if back is not None:
                back()

        return _Request(request, finish)

    def barrier(self) -> _Request:
        return _Request(self.comm.Ibarrier())

    def abort(self, code: int) -> None:
        self.MPI.COMM_WORLD.Abort(code)

    def close(self) -> None:
        self.comm.Free()


def _divide(array: np.ndarray, size: int) -> None:
    if np.issubdtype(array.dtype, np.floating):
        array /= size
    else:
        array //= size


def _to(array: Any, host: np.ndarray) -> None:
    """Writes `host` back into `array` (a non-contiguous numpy view, or a cupy array)."""
    array[...] = host if isinstance(array, np.ndarray) else array_module(array).asarray(host)
