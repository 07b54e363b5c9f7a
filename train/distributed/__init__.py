"""`ember.distributed`: torch.distributed's process-group API on the engines clusters already run: MPI (mpi4py over
Open MPI or MPICH) for CPUs and NCCL (cupy.cuda.nccl) for NVIDIA GPUs, as ChainerMN did.

    dist.init_process_group("mpi")        # rank and world size from mpirun / mpiexec / srun
    dist.all_reduce(t, dist.ReduceOp.AVG) # in place, on ember tensors or backend arrays
    model = ember.nn.parallel.DistributedDataParallel(model)

Every collective waits at most the group's `timeout` (seconds, or a datetime.timedelta): a missing or failed rank
is an error naming the collective, not a hang. A rank that dies with an exception aborts the whole job."""

from .collectives import Work, all_gather, all_reduce, barrier, broadcast, reduce_scatter
from .group import (
    DistributedError,
    ReduceOp,
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    init_process_group,
    is_initialized,
)

__all__ = ["DistributedError", "ReduceOp", "Work", "all_gather", "all_reduce", "barrier", "broadcast",
           "destroy_process_group", "get_backend", "get_rank", "get_world_size", "init_process_group",
           "is_initialized", "reduce_scatter"]
