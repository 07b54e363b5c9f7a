"""The GEMM micro-kernels' ctest suite (edge_runtime/tests/test_gemm.c) at every instruction set level: on x86 with
EMBER_ISA forcing each level up to the CPU's, and on aarch64 under qemu-user with a CPU that has the dot product
instructions (`-cpu max`: NEON and SDOT kernels) and one without (`-cpu cortex-a53`: NEON only). The suite checks
each level bit-identical to the portable kernels and those against a naive oracle; this checks that the levels
asked for are the levels that ran."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

import pytest
from native_build import SOURCE, build, require, run

X86_LEVELS = ["portable", "sse41", "avx2", "avx512", "avx512vnni"]


def _levels(output: str) -> list[str]:
    """The levels the suite checked, from its `gemm: levels portable(i8:...,f32:...) ...` line."""
    match = re.search(r"^gemm: levels (.*)$", output, re.MULTILINE)
    assert match, output
    return [level.split("(")[0] for level in match.group(1).split()]


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86 levels need an x86-64 host")
def test_gemm_suite_at_each_x86_level(tmp_path: Path) -> None:
    out = build(tmp_path / "build", "-DCMAKE_BUILD_TYPE=Release", "-DEMBER_BUILD_TOOLS=OFF")
    exe = str(out / "ember_tests")
    detected = _levels(run([exe, "gemm"], tmp_path))
    assert detected[0] == "portable" and detected == X86_LEVELS[: len(detected)], detected
    for level in X86_LEVELS:
        env = dict(os.environ, EMBER_ISA=level)
        levels = _levels(run([exe, "gemm"], tmp_path, env=env))
        expected = X86_LEVELS[: min(X86_LEVELS.index(level) + 1, len(detected))]
        assert levels == expected, (level, levels)


@pytest.mark.parametrize(("cpu", "expected"), [("max", ["portable", "neon", "neon_dotprod"]),
                                               ("cortex-a53", ["portable", "neon"])])
def test_gemm_suite_under_qemu_aarch64(cpu: str, expected: list[str], tmp_path: Path) -> None:
    _, qemu = require("aarch64-linux-gnu-gcc", "qemu-aarch64-static")
    out = build(tmp_path / "build", f"-DCMAKE_TOOLCHAIN_FILE={SOURCE / 'cmake' / 'aarch64-linux-gnu.cmake'}",
                "-DCMAKE_BUILD_TYPE=Release", "-DEMBER_BUILD_TOOLS=OFF")
    output = run([qemu, "-cpu", cpu, str(out / "ember_tests"), "gemm"], tmp_path, timeout=600)
    assert _levels(output) == expected, output
    assert "gemm: ok" in output, output
    # EMBER_ISA caps the detected level on ARM too.
    env = dict(os.environ, EMBER_ISA="neon")
    assert _levels(run([qemu, "-cpu", cpu, str(out / "ember_tests"), "gemm"], tmp_path, env=env)) == expected[:2]
