"""`ember quickstart`: the whole path in one command. Train a small CNN on the digits data set with
`ember.Trainer`, export it as a float32 and as a post-training-quantised int8 `.tflite`, and run the test split
through the Python model, Ember's C runtime (`ember.runtime`) and LiteRT."""

from __future__ import annotations

import json
import os
import time

import numpy as np

import ember
import ember.export
from ember import nn
from ember.data import DataLoader
from ember.data.datasets import Digits
from ember.export import TFLiteRunner

from .train_digits import build_mlp  # noqa: F401  (re-exported: the issue-2 MLP, used by tests)
from .train_digits import run as train_digits


def _run_all(runner: TFLiteRunner, images: np.ndarray) -> tuple[np.ndarray, float]:
    """Raw outputs of every image, one `invoke` each, and the mean invoke latency in milliseconds."""
    outputs, elapsed = [], 0.0
    for x in runner.batches(images):
        prepared = runner.prepare(x)
        runner.interpreter.set_tensor(runner.input["index"], prepared)
        start = time.perf_counter()
        runner.interpreter.invoke()
        elapsed += time.perf_counter() - start
        outputs.append(runner.interpreter.get_tensor(runner.output["index"]))
    return np.concatenate(outputs), 1e3 * elapsed / max(len(images), 1)


def run(out_dir: str, epochs: int = 12, seed: int = 0, progress: bool = True) -> dict:
    os.makedirs(out_dir, exist_ok=True)
    train_set, test_set = Digits(train=True), Digits(train=False)
    images, labels = test_set.tensors
    print(f"digits: {len(train_set)} training and {len(test_set)} test images of 8x8 pixels")

    trained = train_digits(os.path.join(out_dir, "train"), model="cnn", epochs=epochs, seed=seed,
                           progress=progress, return_model=True)
    model = trained.pop("net")
    deployed = nn.Sequential(model, nn.Softmax(dim=1)).eval()
    example = ember.tensor(images[:1])
    float_path, int8_path = os.path.join(out_dir, "digits_cnn.tflite"), os.path.join(out_dir, "digits_cnn_int8.tflite")
    meta = dict(name="digits_cnn", labels=Digits.classes, normalization={"scale": 1 / 16, "offset": 0.0})
    ember.export.to_tflite(deployed, example, float_path, **meta)
    calibration = DataLoader(train_set, batch_size=64, shuffle=True, seed=seed)
    ember.export.to_tflite(deployed, example, int8_path, quantize="int8", calibration=calibration, io="int8", **meta)

    with ember.no_grad():
        start = time.perf_counter()
        python_out = deployed(ember.tensor(images)).numpy()
        python_ms = 1e3 * (time.perf_counter() - start) / len(images)
    runtime, litert = TFLiteRunner(float_path, "ember"), TFLiteRunner(float_path, "litert")
    runtime8, litert8 = TFLiteRunner(int8_path, "ember"), TFLiteRunner(int8_path, "litert")
    runtime_out, runtime_ms = _run_all(runtime, images)
    litert_out, litert_ms = _run_all(litert, images)
    runtime8_raw, runtime8_ms = _run_all(runtime8, images)
    litert8_raw, litert8_ms = _run_all(litert8, images)

    def accuracy(scores: np.ndarray) -> float:
        return float((scores.reshape(len(labels), -1).argmax(axis=1) == labels).mean())

    report = {
        "python_accuracy": accuracy(python_out),
        "runtime_accuracy": accuracy(runtime_out),
        "litert_accuracy": accuracy(litert_out),
        "int8_accuracy": accuracy(runtime8.dequantize(runtime8_raw)),
        "int8_litert_accuracy": accuracy(litert8.dequantize(litert8_raw)),
        "max_abs_diff_runtime_vs_litert": float(np.abs(runtime_out - litert_out).max()),
        "max_abs_diff_runtime_vs_python": float(np.abs(runtime_out.reshape(python_out.shape) - python_out).max()),
        "int8_max_lsb_diff_runtime_vs_litert": int(np.abs(runtime8_raw.astype(np.int32) - litert8_raw).max()),
        "tflite_bytes": os.path.getsize(float_path),
        "int8_bytes": os.path.getsize(int8_path),
        "python_latency_ms": python_ms,
        "runtime_latency_ms": runtime_ms,
        "litert_latency_ms": litert_ms,
        "int8_runtime_latency_ms": runtime8_ms,
        "int8_litert_latency_ms": litert8_ms,
        "train_seconds": trained["seconds"],
        "epochs": epochs,
        "seed": seed,
        "test_samples": len(labels),
        "tflite_path": os.path.abspath(float_path),
        "int8_path": os.path.abspath(int8_path),
    }
    rows = [("Python (ember)", "float32", report["python_accuracy"], python_ms, "batch of 360"),
            ("ember.runtime (C)", "float32", report["runtime_accuracy"], runtime_ms, "one image a call"),
            ("LiteRT", "float32", report["litert_accuracy"], litert_ms, "one image a call"),
            ("ember.runtime (C)", "int8", report["int8_accuracy"], runtime8_ms, "one image a call"),
            ("LiteRT (reference)", "int8", report["int8_litert_accuracy"], litert8_ms, "BUILTIN_REF kernels")]
    print(f"\n{'engine':<20}{'model':<9}{'accuracy':>9}{'ms/image':>11}  note")
    for name, kind, acc, ms, note in rows:
        print(f"{name:<20}{kind:<9}{acc:>9.4f}{ms:>11.4f}  {note}")
    print(f"\n{float_path}: {report['tflite_bytes']:,} bytes")
    print(f"{int8_path}: {report['int8_bytes']:,} bytes ({report['int8_bytes'] / report['tflite_bytes']:.2f}x)")
    print(f"float32: max |ember.runtime - LiteRT| = {report['max_abs_diff_runtime_vs_litert']:.3g}")
    print(f"int8:    max |ember.runtime - LiteRT reference| = {report['int8_max_lsb_diff_runtime_vs_litert']} LSB")
    with open(os.path.join(out_dir, "report.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(f"report: {os.path.join(out_dir, 'report.json')}")
    return report
