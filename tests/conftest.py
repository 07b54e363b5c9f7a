"""Shared test policy. With EMBER_REQUIRE_ALL=1 (set by .ci/run) a skipped test is a failure: CI must prove
everything, while a user's machine without a cross compiler or qemu may skip with the reason."""

from __future__ import annotations

import os

import pytest

REQUIRE_ALL = os.environ.get("EMBER_REQUIRE_ALL") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under EMBER_REQUIRE_ALL=1, which forbids skips: {reason}"
