"""The NCCL communicator (cupy.cuda.nccl): collectives on GPU arrays with no host copy, on a stream of their own
ordered after the work already queued on the current stream. MPI starts the ranks and carries NCCL's unique id,
as ChainerMN did; everything above the communicator is shared with the MPI path."""

from __future__ import annotations

import os
from typing import Any

from .comm_mpi import _mpi
from .group import ReduceOp


def _cupy() -> tuple[Any, Any]:
    try:
        import cupy
        from cupy.cuda import nccl
    except ImportError as error:
        raise ImportError(f"the 'nccl' backend needs cupy with NCCL ({error}): pip install -e '.[cuda]' "
                          "(or '.[cuda13]') on a machine with NVIDIA GPUs") from error
    return cupy, nccl


class _Request:
    def __init__(self, event: Any, finish: Any) -> None:
        self.event, self._finish = event, finish

    def test(self) -> bool:
        return bool(self.event.done)

    def finish(self) -> None:
        if self._finish is not None:
            self._finish()
            self._finish = None


class NCCLCommunicator:
    def __init__(self) -> None:
        MPI = _mpi()
        self.cupy, self.nccl = _cupy()
        self.mpi = MPI.COMM_WORLD
        self.rank, self.size = self.mpi.Get_rank(), self.mpi.Get_size()
        devices = self.cupy.cuda.runtime.getDeviceCount()
        if devices == 0:
            raise RuntimeError("the 'nccl' backend needs a GPU and this machine has none: use backend='mpi'")
        local = self.mpi.Split_type(MPI.COMM_TYPE_SHARED)
        local_rank = int(os.environ.get("OMPI_COMM_WORLD_LOCAL_RANK", local.Get_rank()))
        local.Free()
        self.cupy.cuda.Device(local_rank % devices).use()
        uid = self.nccl.get_unique_id() if self.rank == 0 else None
        uid = self.mpi.bcast(uid, root=0)
        self.comm = self.nccl.NcclCommunicator(self.size, uid, self.rank)
        self.stream = self.cupy.cuda.Stream(non_blocking=True)
        n = self.nccl
        self._ops = {ReduceOp.SUM: n.NCCL_SUM, ReduceOp.AVG: n.NCCL_SUM, ReduceOp.MAX: n.NCCL_MAX,
                     ReduceOp.MIN: n.NCCL_MIN, ReduceOp.PRODUCT: n.NCCL_PROD}
        self._types = {"float16": n.NCCL_FLOAT16, "float32": n.NCCL_FLOAT32, "float64": n.NCCL_FLOAT64,
                       "int32": n.NCCL_INT32, "int64": n.NCCL_INT64, "int8": n.NCCL_INT8, "uint8": n.NCCL_UINT8}

    def _device(self, array: Any) -> Any:
        if not isinstance(array, self.cupy.ndarray) or not array.flags.c_contiguous:
            raise TypeError(f"the 'nccl' backend works on contiguous cupy arrays, got {type(array).__name__}: move "
                            "the tensor to the GPU (.to('cuda')) or use backend='mpi'")
        if str(array.dtype) not in self._types:
            raise TypeError(f"the 'nccl' backend does not reduce {array.dtype} arrays")
        return array

    def _launch(self, run: Any, result: Any = None, divide: bool = False) -> _Request:
        """Runs `run(stream_ptr)` on the communicator's stream after the current stream's queued work."""
        self.stream.wait_event(self.cupy.cuda.get_current_stream().record())
        with self.stream:
            run(self.stream.ptr)
            if divide:
                result /= self.size
        event = self.stream.record()
        return _Request(event, lambda: self.cupy.cuda.get_current_stream().wait_event(event))

    def all_reduce(self, array: Any, op: ReduceOp) -> _Request:
        a = self._device(array)
        return self._launch(lambda s: self.comm.allReduce(a.data.ptr, a.data.ptr, a.size, self._types[str(a.dtype)],
                                                          self._ops[op], s), a, op is ReduceOp.AVG)

    def broadcast(self, array: Any, src: int) -> _Request:
        a = self._device(array)
        return self._launch(lambda s: self.comm.bcast(a.data.ptr, a.size, self._types[str(a.dtype)], src, s))

    def all_gather(self, output: Any, array: Any) -> _Request:
        a, out = self._device(array), self._device(output)
        return self._launch(lambda s: self.comm.allGather(a.data.ptr, out.data.ptr, a.size,
                                                          self._types[str(a.dtype)], s))

    def reduce_scatter(self, output: Any, array: Any, op: ReduceOp) -> _Request:
        a, out = self._device(array), self._device(output)
        return self._launch(lambda s: self.comm.reduceScatter(a.data.ptr, out.data.ptr, out.size,
                                                              self._types[str(a.dtype)], self._ops[op], s),
                            out, op is ReduceOp.AVG)

    def barrier(self) -> _Request:
        one = self.cupy.zeros(1, self.cupy.float32)
        return self.all_reduce(one, ReduceOp.SUM)

    def abort(self, code: int) -> None:
        self.comm.abort()
        self.mpi.Abort(code)

    def close(self) -> None:
        self.stream.synchronize()
        self.comm.destroy()
