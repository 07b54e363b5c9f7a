"""README command (a)'s contract: `ember quickstart` trains, exports float32 and int8, and its report shows the
C runtime agreeing with LiteRT (float within 1e-5 of its reference and its default kernels, int8 bit-exact with
the reference kernels) at >= 95 % accuracy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

KEYS = {"python_accuracy", "runtime_accuracy", "litert_ref_accuracy", "litert_default_accuracy",
        "max_abs_diff_runtime_vs_litert_ref", "max_abs_diff_runtime_vs_litert_default", "tflite_bytes",
        "int8_accuracy", "int8_litert_ref_accuracy", "int8_litert_default_accuracy", "int8_bytes",
        "int8_max_lsb_diff_runtime_vs_litert_ref", "int8_max_lsb_diff_runtime_vs_litert_default",
        "runtime_latency_ms", "litert_ref_latency_ms", "litert_default_latency_ms", "int8_runtime_latency_ms",
        "int8_litert_ref_latency_ms", "int8_litert_default_latency_ms"}


def test_quickstart_command(tmp_path):
    ember_cli = shutil.which("ember") or os.path.join(os.path.dirname(sys.executable), "ember")
    out = tmp_path / "qs"
    result = subprocess.run([ember_cli, "quickstart", "--out", str(out)], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "ember.runtime (C)" in result.stdout and "LiteRT" in result.stdout
    report = json.loads((out / "report.json").read_text())
    assert KEYS <= set(report)
    for key in ("python_accuracy", "runtime_accuracy", "litert_ref_accuracy", "litert_default_accuracy",
                "int8_accuracy", "int8_litert_ref_accuracy", "int8_litert_default_accuracy"):
        assert report[key] >= 0.95, (key, report[key])
    assert report["max_abs_diff_runtime_vs_litert_ref"] <= 1e-5
    assert report["max_abs_diff_runtime_vs_litert_default"] <= 1e-5
    assert report["int8_max_lsb_diff_runtime_vs_litert_ref"] == 0
    assert report["int8_accuracy"] == report["int8_litert_ref_accuracy"]
    assert report["tflite_bytes"] == (out / "digits_cnn.tflite").stat().st_size
    assert report["int8_bytes"] == (out / "digits_cnn_int8.tflite").stat().st_size
    assert report["int8_bytes"] < 0.4 * report["tflite_bytes"]
