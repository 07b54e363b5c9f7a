"""Shared test policy. With EMBER_REQUIRE_ALL=1 (set by .ci/run) a skipped test is a failure: CI must prove
everything, while a user's machine without a cross compiler or qemu may skip with the reason.

Backends: a test that asks for the `device` fixture runs once per backend named in EMBER_TEST_BACKEND, a
comma-separated list of `numpy` (device cpu), `strict` (numpy behind the strict backend of
tests/support/strict_backend.py, registered here, which fails on implicit host/device copies as cupy does) and
`cupy` (device cuda, needs a GPU). The default, `numpy,strict`, lets
a CPU-only CI catch host/device leaks; `EMBER_TEST_BACKEND=cupy` runs the same tests on a GPU."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))
import strict_backend  # noqa: E402 - test support, found through the path above

strict_backend.register()

REQUIRE_ALL = os.environ.get("EMBER_REQUIRE_ALL") == "1"

_DEVICES = {"numpy": "cpu", "strict": "strict", "cupy": "cuda"}
BACKENDS = [b.strip() for b in os.environ.get("EMBER_TEST_BACKEND", "numpy,strict").split(",") if b.strip()]
for _b in BACKENDS:
    if _b not in _DEVICES:
        raise pytest.UsageError(f"EMBER_TEST_BACKEND: unknown backend {_b!r}, expected some of {sorted(_DEVICES)}")


@pytest.fixture(params=BACKENDS)
def device(request):
    """The `ember.device` a backend-parametrised test puts its tensors on (see the module docstring)."""
    import ember

    if request.param == "cupy":
        from ember.backend import cupy_module

        cp = cupy_module()
        if cp is None or cp.cuda.runtime.getDeviceCount() == 0:
            pytest.skip("EMBER_TEST_BACKEND=cupy needs cupy and an NVIDIA GPU (pip install ember[cuda])")
    return ember.device(_DEVICES[request.param])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under EMBER_REQUIRE_ALL=1, which forbids skips: {reason}"
