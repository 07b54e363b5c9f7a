"""Builds edge_runtime/ with CMake in a temporary directory (-Werror) and runs its C unit tests through ctest."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "edge_runtime"


def _tools_or_skip() -> tuple[str, str]:
    cmake, ctest = shutil.which("cmake"), shutil.which("ctest")
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cmake and ctest and compiler:
        return cmake, ctest
    reason = "cmake, ctest and a C compiler are needed to build the C runtime tests"
    if os.environ.get("EMBER_REQUIRE_ALL") == "1":
        pytest.fail(f"{reason} (EMBER_REQUIRE_ALL=1 forbids skipping)")
    pytest.skip(reason)


def _run(args: list[str], cwd: Path) -> None:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def test_c_unit_tests_pass(tmp_path: Path) -> None:
    cmake, ctest = _tools_or_skip()
    build = tmp_path / "build"
    _run([cmake, "-S", str(SOURCE), "-B", str(build), "-DCMAKE_BUILD_TYPE=Debug", "-DEMBER_WERROR=ON"], tmp_path)
    _run([cmake, "--build", str(build), "--parallel", "2"], tmp_path)
    result = subprocess.run([ctest, "--output-on-failure"], cwd=build, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # All ten suites ran (kernels planner loader interpreter quantization gemm thread_pool threads custom_ops memory):
    # an empty ctest run would also exit 0.
    assert "100% tests passed, 0 tests failed out of 10" in result.stdout, result.stdout
