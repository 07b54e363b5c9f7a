"""`ember quickstart`: the whole path in one command. Train a small CNN on the digits data set with
`ember.Trainer`, export it as a float32 and as a post-training-quantised int8 `.tflite`, and run the test split
through the Python model, Ember's C runtime (`ember.runtime`) and LiteRT with its reference and its default
kernels.

Run again into the same folder, it resumes the training run in `DIR/train` (a finished one trains nothing, so the
models and the report come out the same); `fresh=True` (`--fresh`) trains from scratch."""

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


def run(out_dir: str, epochs: int = 12, seed: int = 0, progress: bool = True, fresh: bool = False) -> dict:
    os.makedirs(out_dir, exist_ok=True)
    train_set, test_set = Digits(train=True), Digits(train=False)
    images, labels = test_set.tensors
    print(f"digits: {len(train_set)} training and {len(test_set)} test images of 8x8 pixels")

    trained = train_digits(os.path.join(out_dir, "train"), model="cnn", epochs=epochs, seed=seed,
                           progress=progress, return_model=True, fresh=fresh)
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
    # LiteRT twice: its reference kernels (BUILTIN_REF, the oracle the runtime is bit-exact with) and its default
    # ones (optimised, XNNPACK for float32), which is what an app using LiteRT runs.
    runs = {}
    for kind, path in (("", float_path), ("int8_", int8_path)):
        for engine, key in (("ember", "runtime"), ("litert", "litert_ref"), ("litert_default", "litert_default")):
            runner = TFLiteRunner(path, engine)
            raw, ms = _run_all(runner, images)
            runs[kind + key] = (runner, raw, ms)

    def accuracy(scores: np.ndarray) -> float:
        return float((scores.reshape(len(labels), -1).argmax(axis=1) == labels).mean())

    def scores(key: str) -> np.ndarray:
        runner, raw, _ = runs[key]
        return runner.dequantize(raw)

    runtime_out = runs["runtime"][1]
    report = {"python_accuracy": accuracy(python_out)}
    report.update({f"{key}_accuracy" if key != "int8_runtime" else "int8_accuracy": accuracy(scores(key))
                   for key in runs})
    for other in ("litert_ref", "litert_default"):
        report[f"max_abs_diff_runtime_vs_{other}"] = float(np.abs(runtime_out - runs[other][1]).max())
    report["max_abs_diff_runtime_vs_python"] = float(np.abs(runtime_out.reshape(python_out.shape) - python_out).max())
    for other in ("litert_ref", "litert_default"):
        report[f"int8_max_lsb_diff_runtime_vs_{other}"] = int(np.abs(runs["int8_runtime"][1].astype(np.int32)
                                                                     - runs[f"int8_{other}"][1]).max())
    report.update({"tflite_bytes": os.path.getsize(float_path), "int8_bytes": os.path.getsize(int8_path),
                   "python_latency_ms": python_ms})
    report.update({f"{key}_latency_ms": ms for key, (_, _, ms) in runs.items()})
    report.update({"train_seconds": trained["seconds"], "epochs": epochs, "seed": seed, "test_samples": len(labels),
                   "tflite_path": os.path.abspath(float_path), "int8_path": os.path.abspath(int8_path)})
    names = {"runtime": "ember.runtime (C)", "litert_ref": "LiteRT reference", "litert_default": "LiteRT default"}
    notes = {"runtime": "one image a call", "litert_ref": "BUILTIN_REF kernels, one image a call",
             "litert_default": "default kernels (XNNPACK), one image a call"}
    rows = [("Python (ember)", "float32", report["python_accuracy"], python_ms, "batch of 360")]
    for key, (_, _, ms) in runs.items():
        kind, engine = ("int8", key[5:]) if key.startswith("int8_") else ("float32", key)
        acc = report["int8_accuracy" if key == "int8_runtime" else f"{key}_accuracy"]
        rows.append((names[engine], kind, acc, ms, notes[engine]))
    print(f"\n{'engine':<20}{'model':<9}{'accuracy':>9}{'ms/image':>11}  note")
    for name, kind, acc, ms, note in rows:
        print(f"{name:<20}{kind:<9}{acc:>9.4f}{ms:>11.4f}  {note}")
    print(f"\n{float_path}: {report['tflite_bytes']:,} bytes")
    print(f"{int8_path}: {report['int8_bytes']:,} bytes ({report['int8_bytes'] / report['tflite_bytes']:.2f}x)")
    print(f"float32: max |ember.runtime - LiteRT reference| = {report['max_abs_diff_runtime_vs_litert_ref']:.3g}, "
          f"- LiteRT default = {report['max_abs_diff_runtime_vs_litert_default']:.3g}")
    print(f"int8:    max |ember.runtime - LiteRT reference| = {report['int8_max_lsb_diff_runtime_vs_litert_ref']} LSB, "
          f"- LiteRT default = {report['int8_max_lsb_diff_runtime_vs_litert_default']} LSB")
    with open(os.path.join(out_dir, "report.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(f"report: {os.path.join(out_dir, 'report.json')}")
    return report
