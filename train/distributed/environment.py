"""Rank and world size as the launchers publish them: Open MPI (mpirun), MPICH/Hydra and Intel MPI (mpiexec),
Slurm (srun). MPI itself knows them once initialised; these are for messages and for checking the launch."""

from __future__ import annotations

import os

# (rank variable, size variable, launcher) in the order they are tried.
LAUNCHERS = [("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "Open MPI"),
             ("PMI_RANK", "PMI_SIZE", "MPICH/Hydra"),
             ("PMIX_RANK", "PMIX_SIZE", "PMIx"),
             ("SLURM_PROCID", "SLURM_NTASKS", "Slurm")]


def launch_environment(environ: dict[str, str] | None = None) -> tuple[int, int, str] | None:
    """(rank, world size, launcher) from the environment, or None when no launcher started this process."""
    env = os.environ if environ is None else environ
    for rank_var, size_var, launcher in LAUNCHERS:
        if rank_var in env and size_var in env:
            return int(env[rank_var]), int(env[size_var]), launcher
    return None


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0
