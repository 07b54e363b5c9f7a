"""`ember.export.evaluate` on damaged files raises ExportError carrying the runtime verifier's message, never a
struct.error, IndexError or UnicodeDecodeError; a valid file is still evaluated (accuracy against numpy argmax)."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.export
from ember import nn


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    ember.manual_seed(0)
    path = tmp_path_factory.mktemp("m") / "mlp.tflite"
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
    ember.export.to_tflite(model, ember.randn(1, 8), path, name="mlp")
    return model, path.read_bytes()


@pytest.mark.parametrize("engine", ["ember", "litert"])
def test_damaged_files_raise_export_error(tmp_path, exported, engine):
    model, raw = exported
    x = np.random.default_rng(1).standard_normal((3, 1, 8)).astype(np.float32)
    data = [(xb, np.array([0])) for xb in x]
    path = tmp_path / "d.tflite"
    rng = np.random.default_rng(2)
    damaged = [raw[:n] for n in range(0, len(raw), 3)]
    for _ in range(150):
        b = bytearray(raw)
        for pos in rng.integers(0, len(raw), size=int(rng.integers(1, 5))):
            b[pos] ^= 1 << int(rng.integers(0, 8))
        damaged.append(bytes(b))
    refused = 0
    for blob in damaged:
        path.write_bytes(blob)
        try:
            ember.export.evaluate(path, data, engine=engine)
        except ember.export.ExportError as e:
            refused += 1
            assert str(path) in str(e) and "cannot" in str(e), str(e)
    assert refused >= len(raw) // 3

    path.write_bytes(raw)
    with ember.no_grad():
        labels = [int(model(ember.tensor(xb)).numpy().argmax()) for xb in x]
    result = ember.export.evaluate(path, [(xb, np.array([y])) for xb, y in zip(x, labels, strict=True)],
                                   engine=engine)
    assert result == {"accuracy": 1.0, "samples": 3, "engine": engine}
