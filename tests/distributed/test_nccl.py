"""The NCCL path: test_ddp.py's collectives scenario on two GPUs. Collected only when EMBER_TEST_BACKEND names
cupy (the GPU run of the suite, as for the other cupy tests); there it needs at least two GPUs."""

from __future__ import annotations

import os

import pytest

if "cupy" in os.environ.get("EMBER_TEST_BACKEND", ""):

    def test_nccl_collectives() -> None:
        try:
            import cupy
            gpus = int(cupy.cuda.runtime.getDeviceCount())
        except Exception:  # no cupy, no driver, no device
            gpus = 0
        if gpus < 2:
            pytest.skip("the NCCL backend test needs cupy and at least two NVIDIA GPUs")
        from conftest import run_scenario
        result, results = run_scenario("collectives", env={"EMBER_TEST_DIST_BACKEND": "nccl"})
        assert result.returncode == 0 and sorted(results) == [0, 1], result.stderr
        for rank, r in results.items():
            assert r["avg"] == [i + 0.5 for i in range(6)]
            assert r["gathered"] == [[0, 0, 0], [10, 10, 10]]
            assert r["scattered"] == [float(2 * rank + 1)] * 2
