"""`ember quickstart`: the whole path in one command. Train an MLP on the digits data set, export it as a
float32 `.tflite`, and run the test split through the Python model, Ember's C runtime and LiteRT."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable

import numpy as np
from tqdm import tqdm

import ember
import ember.export
from ember import nn
from ember.data import DataLoader
from ember.data.datasets import Digits


def build_mlp() -> nn.Module:
    return nn.Sequential(
        nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)
    )


def train(model: nn.Module, data: Digits, epochs: int, seed: int) -> float:
    loader = DataLoader(data, batch_size=32, shuffle=True, seed=seed)
    opt = ember.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    loss_value = float("nan")
    with tqdm(range(epochs), desc="training", unit="epoch") as bar:
        for _ in bar:
            for x, y in loader:
                loss = nn.functional.cross_entropy(model(x), y)
                opt.zero_grad()
                loss.backward()
                opt.step()
                loss_value = loss.item()
            bar.set_postfix(loss=f"{loss_value:.4f}")
    return loss_value


def run_tflite(interpreter: object, images: np.ndarray) -> tuple[np.ndarray, float]:
    """Outputs of `interpreter` (LiteRT's API) for each image run one at a time, and the mean latency in ms."""
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]["index"]
    out = interpreter.get_output_details()[0]["index"]
    results, elapsed = [], 0.0
    for image in images:
        interpreter.set_tensor(inp, image[None])
        start = time.perf_counter()
        interpreter.invoke()
        elapsed += time.perf_counter() - start
        results.append(interpreter.get_tensor(out)[0])
    return np.stack(results), 1e3 * elapsed / max(len(images), 1)


def _timed(fn: Callable[[], np.ndarray], n: int) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    out = fn()
    return out, 1e3 * (time.perf_counter() - start) / max(n, 1)


def run(out_dir: str, epochs: int = 30, seed: int = 0) -> dict:
    from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter

    import ember.runtime

    os.makedirs(out_dir, exist_ok=True)
    ember.manual_seed(seed)
    train_set, test_set = Digits(train=True), Digits(train=False)
    print(f"digits: {len(train_set)} training and {len(test_set)} test images of 8x8 pixels")
    model = build_mlp()
    t0 = time.perf_counter()
    final_loss = train(model, train_set, epochs, seed)
    train_seconds = time.perf_counter() - t0
    ember.save(model.state_dict(), os.path.join(out_dir, "digits_mlp.safetensors"))

    deployed = nn.Sequential(model, nn.Softmax(dim=1)).eval()
    path = os.path.join(out_dir, "digits_mlp.tflite")
    images, labels = test_set.tensors
    ember.export.to_tflite(deployed, ember.tensor(images[:1]), path, name="digits_mlp",
                           labels=Digits.classes, normalization={"scale": 1 / 16, "offset": 0.0})

    with ember.no_grad():
        python_out, python_ms = _timed(lambda: deployed(ember.tensor(images)).numpy(), len(images))
    runtime_out, runtime_ms = run_tflite(ember.runtime.Interpreter(model_path=path), images)
    litert_out, litert_ms = run_tflite(LiteRTInterpreter(model_path=path), images)

    def accuracy(probs: np.ndarray) -> float:
        return float((probs.argmax(axis=1) == labels).mean())

    report = {
        "python_accuracy": accuracy(python_out),
        "runtime_accuracy": accuracy(runtime_out),
        "litert_accuracy": accuracy(litert_out),
        "max_abs_diff_runtime_vs_litert": float(np.abs(runtime_out - litert_out).max()),
        "max_abs_diff_runtime_vs_python": float(np.abs(runtime_out - python_out).max()),
        "tflite_bytes": os.path.getsize(path),
        "python_latency_ms": python_ms,
        "runtime_latency_ms": runtime_ms,
        "litert_latency_ms": litert_ms,
        "train_seconds": train_seconds,
        "final_train_loss": final_loss,
        "epochs": epochs,
        "seed": seed,
        "test_samples": len(labels),
        "tflite_path": os.path.abspath(path),
    }
    rows = [("Python (ember)", report["python_accuracy"], python_ms, "batch of 360"),
            ("ember.runtime (C)", report["runtime_accuracy"], runtime_ms, "one image a call"),
            ("LiteRT", report["litert_accuracy"], litert_ms, "one image a call")]
    print(f"\n{'engine':<20}{'accuracy':>10}{'ms/image':>12}  note")
    for name, acc, ms, note in rows:
        print(f"{name:<20}{acc:>10.4f}{ms:>12.4f}  {note}")
    print(f"\n{path}: {report['tflite_bytes']:,} bytes")
    print(f"max |ember.runtime - LiteRT| = {report['max_abs_diff_runtime_vs_litert']:.3g}")
    with open(os.path.join(out_dir, "report.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(f"report: {os.path.join(out_dir, 'report.json')}")
    return report
