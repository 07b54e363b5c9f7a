"""Helpers of the tests that build edge_runtime/ with CMake in a temporary directory: tool lookup that skips with
the reason (conftest turns skips into failures under EMBER_REQUIRE_ALL=1), configure + build + ctest."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

SOURCE = Path(__file__).resolve().parents[2] / "edge_runtime"


def require(*tools: str) -> list[str]:
    """Full paths of the tools, or skip naming the missing ones."""
    found = [shutil.which(t) for t in tools]
    missing = [t for t, f in zip(tools, found, strict=True) if f is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (apt-get install the packages in tools/test.sh APT_PACKAGES)")
    return [str(f) for f in found]


def run(args: list[str], cwd: Path, timeout: int = 900, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert result.returncode == 0, f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def build(build_dir: Path, *cmake_args: str) -> Path:
    require("cmake", "ctest")
    run(["cmake", "-S", str(SOURCE), "-B", str(build_dir), "-DEMBER_WERROR=ON", *cmake_args], build_dir.parent)
    run(["cmake", "--build", str(build_dir), "--parallel", "2"], build_dir.parent)
    return build_dir


def ctest(build_dir: Path) -> str:
    out = run(["ctest", "--output-on-failure"], build_dir)
    assert "100% tests passed" in out, out
    return out


def sample_model(path: Path) -> Path:
    """A small real model (RESHAPE -> FC -> FC -> SOFTMAX) for smoke runs."""
    from tflite_builder import mlp_model

    path.write_bytes(mlp_model(np.random.default_rng(0), batch=2, hidden=32).model)
    return path
