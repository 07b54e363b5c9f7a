"""`ember inspect` on damaged files: the runtime's verifier reads the file first, so every truncation and most byte
flips end in one line `ember inspect: FILE: MESSAGE` on stderr and exit status 2, never a traceback; a flip that
leaves a well-formed model (in the weights) still inspects. Oracle: the runtime's own verdict on each file."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import ember
import ember.export
from ember import nn
from ember.runtime import Interpreter, RuntimeModelError
from ember.tools.cli import main


@pytest.fixture(scope="module")
def model_bytes(tmp_path_factory) -> bytes:
    ember.manual_seed(0)
    path = tmp_path_factory.mktemp("m") / "mlp.tflite"
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4), nn.Softmax(dim=1))
    ember.export.to_tflite(model, ember.randn(1, 8), path, name="mlp")
    return path.read_bytes()


def _damaged(model: bytes) -> list[tuple[str, bytes]]:
    files = [(f"truncated to {n}", model[:n]) for n in range(len(model))]
    rng = np.random.default_rng(0)
    for trial in range(400):
        damaged = bytearray(model)
        for pos in rng.integers(0, len(model), size=int(rng.integers(1, 5))):
            damaged[pos] ^= 1 << int(rng.integers(0, 8))
        files.append((f"flip trial {trial}", bytes(damaged)))
    return files


def _runtime_refuses(data: bytes) -> bool:
    try:
        Interpreter(model_content=data)
    except RuntimeModelError as e:
        return e.status != "unsupported"
    return False


def test_every_damaged_file_is_one_line_and_exit_2(tmp_path, model_bytes, capsys):
    path = tmp_path / "damaged.tflite"
    refused = 0
    for what, data in _damaged(model_bytes):
        path.write_bytes(data)
        code = main(["inspect", str(path)])
        out, err = capsys.readouterr()
        if code == 2:
            refused += 1
            assert out == "" and err.count("\n") == 1 and err.startswith(f"ember inspect: {path}: "), (what, err)
        else:
            assert code == 0 and err == "" and "total:" in out, (what, code, err)
        if _runtime_refuses(data):  # what the verifier refuses, inspect refuses with the verifier's message
            assert code == 2 and "invalid model" in err, (what, err)
    assert refused >= len(model_bytes)  # at least every truncation

    path.write_bytes(model_bytes)  # and the undamaged file still inspects, arena included
    assert main(["inspect", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "FULLY_CONNECTED" in out and "total: " in out and "arena bytes n/a" not in out


def test_cli_process_exits_2_with_one_line(tmp_path, model_bytes):
    path = tmp_path / "cut.tflite"
    path.write_bytes(model_bytes[: len(model_bytes) // 2])
    result = subprocess.run([sys.executable, "-m", "ember.tools.cli", "inspect", str(path)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == "", result
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"ember inspect: {path}: invalid model: ")
    missing = tmp_path / "missing.tflite"
    assert main(["inspect", str(missing)]) == 2

