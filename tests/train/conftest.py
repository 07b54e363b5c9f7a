"""The op suite on every backend: a module marked `pytestmark = pytest.mark.usefixtures("on_device")` runs each
test once per backend of EMBER_TEST_BACKEND (tests/conftest.py), with the oracle's tensors on that device."""

from __future__ import annotations

import oracle
import pytest


@pytest.fixture
def on_device(device):
    """Points `oracle.DEVICE` at this run's backend for the duration of the test."""
    oracle.DEVICE = device
    yield device
    oracle.DEVICE = oracle.CPU
