"""The README's table of export modes over the model zoo: for each zoo model (seeded, untrained) and each mode
(float16, dynamic-range, int8, 16x8), the file's size against the float32 file, the largest error of LiteRT's
reference kernels against the Ember model's float forward (relative to the output's largest magnitude, over
calibration inputs, so calibration clipping does not enter), and whether `ember.runtime` gives LiteRT's bits (or,
where not, its largest difference, relative likewise).

`python -m ember.tools.quant_modes [--models NAMES] [--json]`"""

from __future__ import annotations

import argparse
import json
import os
import tempfile

import numpy as np

MODES = ("float16", "dynamic", "int8", "int16x8")


def _run(interpreter, path: str, x: np.ndarray) -> np.ndarray:
    from ember.export.evaluate import read_metadata

    with open(path, "rb") as f:
        meta = read_metadata(f.read())
    interpreter.allocate_tensors()
    detail = interpreter.get_input_details()[0]
    nhwc = meta["inputs"][0]["layout"] == "NHWC"
    interpreter.set_tensor(detail["index"], np.ascontiguousarray((x.transpose(0, 2, 3, 1) if nhwc else x)
                                                                  .astype(detail["dtype"])))
    interpreter.invoke()
    y = np.array(interpreter.get_tensor(interpreter.get_output_details()[0]["index"]))
    return y.transpose(0, 3, 1, 2) if meta["outputs"][0]["layout"] == "NHWC" else y


def measure(name: str, out_dir: str, samples: int = 8) -> dict:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    import ember
    import ember.export
    import ember.runtime
    from ember.vision import models

    model = models.MODELS[name].build().eval()
    xs = [models.example_input(name, seed=s) for s in range(samples)]
    calibration = [ember.tensor(x) for x in xs]
    with ember.no_grad():
        expected = [model(ember.tensor(x)).numpy() for x in xs]
    f32 = os.path.join(out_dir, f"{name}_float32.tflite")
    ember.export.to_tflite(model, calibration[0], f32)
    row: dict = {}
    for mode in MODES:
        path = os.path.join(out_dir, f"{name}_{mode}.tflite")
        kwargs: dict = {}
        if mode in ("int8", "int16x8"):
            kwargs = {"calibration": calibration, "io": "float", "float_fallback": True}
        graph = ember.export.to_tflite(model, calibration[0], path, quantize=mode, **kwargs)
        error, exact, diff = 0.0, True, 0.0
        for x, want in zip(xs, expected, strict=True):
            ref = _run(Interpreter(model_path=path, experimental_op_resolver_type=OpResolverType.BUILTIN_REF),
                       path, x)
            got = _run(ember.runtime.Interpreter(model_path=path), path, x)
            error = max(error, float(np.abs(ref - want).max() / max(np.abs(want).max(), 1e-12)))
            exact = exact and np.array_equal(got, ref)
            diff = max(diff, float(np.abs(got - ref).max() / max(np.abs(ref).max(), 1e-12)))
        fallback = sorted(op for op in graph.op_counts() if _is_float_op(graph, op, mode))
        row[mode] = {"bytes": os.path.getsize(path), "ratio": os.path.getsize(path) / os.path.getsize(f32),
                     "error": error, "ember_equals_litert": bool(exact), "ember_vs_litert": diff,
                     "float_fallback": fallback}
    return {"model": name, "float32_bytes": os.path.getsize(f32), "modes": row}


def _is_float_op(graph, op: str, mode: str) -> bool:
    """An op the int8 or 16x8 file keeps in float32 (float fallback)."""
    if mode not in ("int8", "int16x8"):
        return False
    from ember.export.quantize import ptq

    rules = ptq.INT8_OPS if mode == "int8" else ptq.INT16X8_OPS
    return op not in rules and op not in ("QUANTIZE", "DEQUANTIZE")


def table(results: list[dict]) -> str:
    lines = ["| model | float32 bytes | " + " | ".join(f"{m} size / error / ember = LiteRT" for m in MODES) + " |",
             "|---|---|" + "---|" * len(MODES)]
    for r in results:
        cells = []
        for m in MODES:
            c = r["modes"][m]
            same = "yes" if c["ember_equals_litert"] else f"{c['ember_vs_litert']:.1e}"
            fb = f" (float: {', '.join(c['float_fallback'])})" if c["float_fallback"] else ""
            cells.append(f"{c['ratio']:.2f}x / {c['error']:.1e} / {same}{fb}")
        lines.append(f"| {r['model']} | {r['float32_bytes']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from ember.vision import models

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(models.MODELS), help="comma-separated zoo names")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the markdown table")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        results = [measure(name, tmp) for name in args.models.split(",")]
    print(json.dumps(results) if args.json else table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
