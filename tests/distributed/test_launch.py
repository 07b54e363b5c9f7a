"""`ember launch`: runs a script on N ranks through mpiexec, and explains a missing MPI or a root refusal."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import mpiexec

SCRIPT = """
import numpy as np
import ember.distributed as dist
dist.init_process_group("mpi")
x = np.array([dist.get_rank() + 1.0])
dist.all_reduce(x)
print(f"rank {dist.get_rank()} of {dist.get_world_size()}: sum {x[0]:g}", flush=True)
"""


def _launch(tmp_path, *flags: str) -> subprocess.CompletedProcess:
    mpiexec()
    script = tmp_path / "hello.py"
    script.write_text(SCRIPT)
    return subprocess.run([sys.executable, "-m", "ember.tools.cli", "launch", *flags, str(script)],
                          capture_output=True, text=True, timeout=120)


def test_launch_runs_the_script_on_n_ranks(tmp_path) -> None:
    root = ["--allow-run-as-root"] if os.geteuid() == 0 else []
    result = _launch(tmp_path, "-n", "2", *root, "--mpi-arg=--oversubscribe")
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == ["rank 0 of 2: sum 3", "rank 1 of 2: sum 3"]


def test_launch_as_root_without_the_flag_says_how(tmp_path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root sees Open MPI's refusal")
    from ember.tools.launch import is_open_mpi
    if not is_open_mpi(mpiexec()):
        pytest.skip("the installed MPI is not Open MPI")
    env_clean = {k: v for k, v in os.environ.items() if not k.startswith("OMPI_ALLOW")}
    script = tmp_path / "hello.py"
    script.write_text(SCRIPT)
    result = subprocess.run([sys.executable, "-m", "ember.tools.cli", "launch", "-n", "2", str(script)],
                            capture_output=True, text=True, timeout=120, env=env_clean)
    assert result.returncode == 2
    assert "Open MPI refuses to run as root: add --allow-run-as-root" in result.stderr


def test_launch_names_a_missing_script(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "ember.tools.cli", "launch", "-n", "2", str(tmp_path / "no.py")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "no script" in result.stderr


def test_launch_command_passes_flags_through() -> None:
    from ember.tools.launch import command
    args = command(4, "train.py", ["--epochs", "3"], hostfile="hosts", allow_run_as_root=True,
                   mpi_args=["--map-by", "node"], mpiexec="/opt/mpi/bin/mpiexec")
    assert args == ["/opt/mpi/bin/mpiexec", "-n", "4", "--hostfile", "hosts", "--allow-run-as-root", "--map-by",
                    "node", sys.executable, "train.py", "--epochs", "3"]
    with pytest.raises(ValueError, match="at least 1"):
        command(0, "train.py", [], mpiexec="mpiexec")
