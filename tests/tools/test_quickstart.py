"""README command (a)'s contract: `ember quickstart` trains, exports float32 and int8, and its report shows the
C runtime agreeing with LiteRT (float within 1e-5 of its reference and its default kernels, int8 bit-exact with
the reference kernels) at >= 95 % accuracy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np

import ember

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


def _accuracies(report):
    return {k: v for k, v in report.items() if k.endswith("_accuracy") or k.startswith(("max_", "int8_max_"))}


def test_second_run_resumes_and_fresh_retrains(tmp_path):
    """A second `ember quickstart` into the same folder resumes the finished training run (trains nothing) and
    reports what the first run reported; `--fresh` trains again from scratch, to the same weights (seeded)."""
    ember_cli = shutil.which("ember") or os.path.join(os.path.dirname(sys.executable), "ember")
    out = tmp_path / "qs"
    checkpoint = out / "train" / "checkpoint.safetensors"

    def quickstart(*extra):
        result = subprocess.run([ember_cli, "quickstart", "--out", str(out), "--epochs", "2", *extra],
                                capture_output=True, text=True, timeout=600)
        return result, result.stdout + result.stderr

    first, text = quickstart()
    assert first.returncode == 0, text[-3000:]
    assert "resumed" not in text
    report = json.loads((out / "report.json").read_text())
    weights = {k: v.numpy().copy() for k, v in ember.load(checkpoint)["model"].items()}

    second, text = quickstart()
    assert second.returncode == 0, text[-3000:]
    assert f"resumed from {checkpoint} (epoch 2 of 2); pass --fresh to train from scratch" in text
    assert "epoch 1/2" not in text and "epoch 2/2" not in text  # nothing trained again
    again = json.loads((out / "report.json").read_text())
    assert _accuracies(again) == _accuracies(report)
    assert again["train_seconds"] == report["train_seconds"]  # the run's epochs, not this invocation's

    # other settings than the run's: refused (its schedule covers 2 epochs), and the run stays as it was
    other, text = quickstart("--epochs", "3")
    assert other.returncode == 2 and "--fresh" in text and "epochs 2 (now 3)" in text, text[-3000:]
    assert "Traceback" not in text and ember.load(checkpoint)["epoch"] == 2

    fresh, text = quickstart("--fresh")
    assert fresh.returncode == 0, text[-3000:]
    assert "resumed" not in text and "epoch 1/2" in text and "epoch 2/2" in text
    assert _accuracies(json.loads((out / "report.json").read_text())) == _accuracies(report)
    retrained = ember.load(checkpoint)
    assert retrained["epoch"] == 2 and len(retrained["history"]) == 2
    for name, value in retrained["model"].items():
        np.testing.assert_array_equal(value.numpy(), weights[name], err_msg=name)


def test_help_names_resume_and_fresh():
    ember_cli = shutil.which("ember") or os.path.join(os.path.dirname(sys.executable), "ember")
    text = subprocess.run([ember_cli, "quickstart", "--help"], capture_output=True, text=True, timeout=60).stdout
    assert "--fresh" in text and "resume" in text
