"""Cross builds for 64-bit and 32-bit ARM Linux with the toolchain files in edge_runtime/cmake/ (static): the C unit
tests run under qemu-user through ctest's emulator, and ember-bench runs a real model there. Skips with the reason
when a cross compiler or qemu is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from native_build import SOURCE, build, ctest, require, run, sample_model

TARGETS = {
    "aarch64": ("aarch64-linux-gnu.cmake", "aarch64-linux-gnu-gcc", "qemu-aarch64-static"),
    "armv7": ("armv7-linux-gnueabihf.cmake", "arm-linux-gnueabihf-gcc", "qemu-arm-static"),
}


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_cross_build_runs_tests_and_bench_under_qemu(target: str, tmp_path: Path) -> None:
    toolchain, compiler, qemu = TARGETS[target]
    require(compiler, qemu, "file")
    out = build(tmp_path / "build", f"-DCMAKE_TOOLCHAIN_FILE={SOURCE / 'cmake' / toolchain}",
                "-DCMAKE_BUILD_TYPE=Release")
    assert "statically linked" in run(["file", str(out / "ember-bench")], tmp_path)
    ctest(out)
    model = sample_model(tmp_path / "mlp.tflite")
    text = run([qemu, str(out / "ember-bench"), f"--graph={model}", "--num_runs=5", "--enable_op_profiling",
                "--json"], tmp_path, timeout=300)
    report = json.loads(text.strip().splitlines()[-1])
    assert report["num_runs"] == 5 and report["arena_bytes"] > 0 and report["model_bytes"] == model.stat().st_size
    assert [op["op"] for op in report["ops"]] == ["RESHAPE", "FULLY_CONNECTED", "FULLY_CONNECTED", "SOFTMAX"]
    assert 0 < report["min_us"] <= report["median_us"] <= report["p90_us"] <= report["p99_us"]
