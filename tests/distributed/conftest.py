"""Runs tests/distributed/ddp_worker.py scenarios under `mpiexec -n 2` and collects each rank's RESULT line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("ddp_worker.py")


def mpiexec() -> str:
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        pytest.skip("needs mpi4py and an MPI: pip install -e '.[distributed]'")
    found = shutil.which("mpiexec") or shutil.which("mpiexec", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("needs mpiexec (pip install -e '.[distributed]' brings Open MPI's)")
    return found


def launch_args(ranks: int) -> list[str]:
    args = [mpiexec(), "--oversubscribe", "-n", str(ranks)]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(1, "--allow-run-as-root")
    return args


def run_scenario(scenario: str, ranks: int = 2, timeout: float = 240, env: dict[str, str] | None = None,
                 **kwargs: object) -> tuple[subprocess.CompletedProcess, dict[int, dict]]:
    args = launch_args(ranks) + [sys.executable, str(WORKER), scenario, json.dumps(kwargs)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})
    results = {}
    for line in result.stdout.splitlines():
        if line.startswith("RESULT "):
            value = json.loads(line[len("RESULT "):])
            results[value["rank"]] = value
    return result, results
