"""The process group: which communicator (MPI or NCCL) this process talks through, its rank, world size and
timeout, and what happens when a rank fails (the job is aborted, so no other rank waits forever)."""

from __future__ import annotations

import datetime
import enum
import sys
import traceback
from typing import Any


class DistributedError(RuntimeError):
    """A collective could not complete: a rank is missing, failed or timed out, or the group is not set up."""


class ReduceOp(enum.Enum):
    SUM = "sum"
    AVG = "avg"
    MAX = "max"
    MIN = "min"
    PRODUCT = "product"


# torch.distributed's default collective timeout (30 minutes).
DEFAULT_TIMEOUT = 1800.0


class ProcessGroup:
    """One communicator with its rank, size and timeout in seconds."""

    def __init__(self, communicator: Any, backend: str, timeout: float) -> None:
        self.communicator, self.backend, self.timeout = communicator, backend, timeout
        self.rank, self.size = communicator.rank, communicator.size


_group: ProcessGroup | None = None
_previous_excepthook: Any = None


def _seconds(timeout: float | datetime.timedelta) -> float:
    seconds = timeout.total_seconds() if isinstance(timeout, datetime.timedelta) else float(timeout)
    if not seconds > 0:
        raise ValueError(f"timeout must be a positive number of seconds (or a timedelta), got {timeout!r}")
    return seconds


def init_process_group(backend: str = "mpi", timeout: float | datetime.timedelta = DEFAULT_TIMEOUT, *,
                       world_size: int = -1, rank: int = -1) -> None:
    """torch.distributed.init_process_group for backend "mpi" (mpi4py; CPU arrays, cupy arrays through the host)
    or "nccl" (cupy.cuda.nccl on the current GPU, bootstrapped over MPI). Rank and world size come from the
    launcher (mpirun -n N, ember launch, srun); `world_size`/`rank`, when given, must agree with it."""
    global _group, _previous_excepthook
    if _group is not None:
        raise RuntimeError("init_process_group: the default process group is already initialized "
                           "(call destroy_process_group() first)")
    seconds = _seconds(timeout)
    name = backend.lower()
    if name == "mpi":
        from .comm_mpi import MPICommunicator
        communicator: Any = MPICommunicator()
    elif name == "nccl":
        from .comm_nccl import NCCLCommunicator
        communicator = NCCLCommunicator()
    else:
        raise ValueError(f"init_process_group: unknown backend {backend!r} (use 'mpi' or 'nccl')")
    for given, actual, what in ((world_size, communicator.size, "world_size"), (rank, communicator.rank, "rank")):
        if given != -1 and given != actual:
            raise ValueError(f"init_process_group: {what}={given} but the launcher started this process with "
                             f"{what} {actual} (leave it out to take the launcher's)")
    _group = ProcessGroup(communicator, name, seconds)
    if communicator.size > 1:
        _previous_excepthook = sys.excepthook
        sys.excepthook = _abort_on_exception


def _abort_on_exception(kind: type, value: BaseException, tb: Any) -> None:
    """An uncaught exception on one rank: print it, then abort every rank (the others would otherwise wait in
    their next collective until the timeout)."""
    group = _group
    (_previous_excepthook or sys.__excepthook__)(kind, value, tb)
    if group is not None:
        print(f"ember.distributed: rank {group.rank} of {group.size} failed with {kind.__name__}: {value}; "
              f"aborting all {group.size} ranks", file=sys.stderr, flush=True)
        group.communicator.abort(1)


def destroy_process_group() -> None:
    global _group
    if _group is None:
        return
    if sys.excepthook is _abort_on_exception:
        sys.excepthook = _previous_excepthook or sys.__excepthook__
    _group.communicator.close()
    _group = None


def is_initialized() -> bool:
    return _group is not None


def default_group() -> ProcessGroup:
    if _group is None:
        raise DistributedError("the default process group is not initialized: call "
                               "ember.distributed.init_process_group('mpi') first (and launch with mpirun -n N "
                               "or ember launch -n N)")
    return _group


def get_rank() -> int:
    return default_group().rank


def get_world_size() -> int:
    return default_group().size


def get_backend() -> str:
    return default_group().backend


def format_exception() -> str:
    return "".join(traceback.format_exc())
