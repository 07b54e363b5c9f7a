"""The README's quantisation table: the digits CNN of the quickstart in float32, post-training-quantised int8,
quantisation-aware-trained int8, and TensorFlow's other converter modes (float16 weights, dynamic-range int8
weights with float activations, 16x8: int16 activations and int8 weights), each accuracy measured by running its
`.tflite` through `ember.runtime` (the arithmetic a device runs, bit-exact with LiteRT's reference kernels).

`python -m ember.tools.quant_digits [--out DIR] [--seed S] [--json]`"""

from __future__ import annotations

import argparse
import json
import os
import tempfile

import ember
import ember.export
from ember import nn
from ember.data import DataLoader
from ember.data.datasets import Digits
from ember.export.quantize import convert, freeze_bn_stats, freeze_observers, prepare_qat

from .train_digits import run as train_digits


def qat_finetune(model: nn.Module, loader: DataLoader, epochs: int = 2, lr: float = 5e-4) -> nn.Module:
    """Fine-tune with fake quantisation from the float weights; BN statistics and ranges freeze after epoch 1."""
    qat = prepare_qat(model)
    opt = ember.optim.Adam(qat.parameters(), lr=lr)
    qat.train()
    for epoch in range(epochs):
        for x, y in loader:
            loss = nn.functional.cross_entropy(qat(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        if epoch == 0:
            freeze_bn_stats(qat)
            freeze_observers(qat)
    return qat.eval()


def run(out_dir: str, seed: int = 0, epochs: int = 12, progress: bool = False) -> dict:
    os.makedirs(out_dir, exist_ok=True)
    model = train_digits(None, model="cnn", epochs=epochs, seed=seed, progress=progress, return_model=True)["net"]
    model.eval()
    test = DataLoader(Digits(train=False), batch_size=60)
    example = ember.tensor(Digits(train=False).tensors[0][:1])
    calibration = DataLoader(Digits(train=True), batch_size=64, shuffle=True, seed=seed)
    kinds = ("float32", "float16", "dynamic", "ptq_int16x8", "ptq_int8", "qat_int8")
    paths = {k: os.path.join(out_dir, f"digits_cnn_{k}.tflite") for k in kinds}
    ember.export.to_tflite(model, example, paths["float32"])
    ember.export.to_tflite(model, example, paths["float16"], quantize="float16")
    ember.export.to_tflite(model, example, paths["dynamic"], quantize="dynamic")
    ember.export.to_tflite(model, example, paths["ptq_int16x8"], quantize="int16x8", calibration=calibration)
    ember.export.to_tflite(model, example, paths["ptq_int8"], quantize="int8", calibration=calibration)
    ember.manual_seed(seed)
    qat = qat_finetune(model, DataLoader(Digits(train=True), batch_size=32, shuffle=True, seed=seed))
    convert(qat, example, paths["qat_int8"])
    rows = {}
    for kind, path in paths.items():
        rows[kind] = {"accuracy": ember.export.evaluate(path, test, engine="ember")["accuracy"],
                      "litert_reference_accuracy": ember.export.evaluate(path, test, engine="litert")["accuracy"],
                      "bytes": os.path.getsize(path)}
    return {"seed": seed, "epochs": epochs, "models": rows}


def table(result: dict) -> str:
    base = result["models"]["float32"]
    lines = ["| model | accuracy (ember.runtime) | vs float | LiteRT reference | file bytes | vs float |",
             "|---|---|---|---|---|---|"]
    for kind, row in result["models"].items():
        lines.append(f"| {kind} | {100 * row['accuracy']:.2f} % | {100 * (row['accuracy'] - base['accuracy']):+.2f} "
                     f"points | {100 * row['litert_reference_accuracy']:.2f} % | {row['bytes']:,} | "
                     f"{row['bytes'] / base['bytes']:.2f}x |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=None, help="folder for the six .tflite files (default: a temp folder)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print JSON instead of the markdown table")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.out or tmp, seed=args.seed)
    print(json.dumps(result) if args.json else table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
