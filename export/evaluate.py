"""Accuracy of a `.tflite` file measured through the arithmetic the device runs: `ember.runtime` executes the
file (int8 kernels bit-exact with LiteRT's reference), so the number is what the phone will compute."""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterable
from typing import Any

import numpy as np
import tflite

import ember

from .errors import ExportError
from .quantize.qparams import round_half_away


def read_metadata(model_bytes: bytes) -> dict[str, Any]:
    """The "ember" JSON metadata of a `.tflite` file written by Ember ({} for other files); ExportError when the
    bytes are not a readable TFLite model (verify a file of unknown origin with `ember.runtime` first)."""
    try:
        model = tflite.Model.GetRootAs(model_bytes, 0)
        for i in range(model.MetadataLength()):
            entry = model.Metadata(i)
            if entry.Name() == b"ember":
                return json.loads(model.Buffers(entry.Buffer()).DataAsNumpy().tobytes())
    except (struct.error, IndexError, UnicodeDecodeError, ValueError, TypeError, AttributeError) as e:
        raise ExportError(f"the model's metadata cannot be read ({type(e).__name__}: {e}): the file is damaged or "
                          "not a TFLite model") from None
    return {}


class TFLiteRunner:
    """One `.tflite` file on one engine, fed the way the Ember model is (NCHW float images): inputs are moved to
    the file's layout and, for an int8 input, quantised with the input tensor's parameters."""

    def __init__(self, path: str | os.PathLike, engine: str = "ember") -> None:
        if engine not in ("ember", "litert", "litert_default"):
            raise ValueError(f"engine must be 'ember', 'litert' or 'litert_default', got {engine!r}")
        from ember.runtime import Interpreter, RuntimeModelError

        with open(path, "rb") as f:
            content = f.read()
        try:  # the runtime's verifier reads the whole file first, for either engine, so nothing parses garbage
            self.interpreter = Interpreter(model_content=content)
            if engine == "ember":
                self.interpreter.allocate_tensors()
        except RuntimeModelError as e:
            if engine == "ember" or e.status != "unsupported":  # LiteRT may run ops Ember's runtime lacks
                raise ExportError(f"{os.fspath(path)}: the model cannot be loaded: {e}") from None
        try:
            self.layout = read_metadata(content).get("layout", "none")
        except ExportError as e:
            raise ExportError(f"{os.fspath(path)}: {e}") from None
        if engine in ("litert", "litert_default"):  # reference kernels (the oracle), or the default optimised ones
            from ai_edge_litert.interpreter import Interpreter as LiteRT
            from ai_edge_litert.interpreter import OpResolverType

            try:
                resolver = OpResolverType.BUILTIN_REF if engine == "litert" else OpResolverType.AUTO
                self.interpreter = LiteRT(model_content=content, experimental_op_resolver_type=resolver)
                self.interpreter.allocate_tensors()
            except (ValueError, RuntimeError) as e:
                raise ExportError(f"{os.fspath(path)}: LiteRT cannot load the model: {e}") from None
        self.engine = engine
        self.inputs, self.outputs = self.interpreter.get_input_details(), self.interpreter.get_output_details()
        if len(self.outputs) != 1:
            raise ExportError(f"{os.fspath(path)}: the model has {len(self.outputs)} outputs; evaluate() scores "
                              "classifiers with one output")
        self.input, self.output = self.inputs[0], self.outputs[0]
        self.batch = int(self.input["shape"][0])
        described = read_metadata(content).get("inputs", [])
        self.layouts = [d.get("layout", "none") for d in described] if len(described) == len(self.inputs) else (
            [self.layout] + ["none"] * (len(self.inputs) - 1))

    def prepare(self, x: np.ndarray, i: int = 0) -> np.ndarray:
        """Input `i` as the Ember model takes it (NCHW images, float) in the file's layout and dtype."""
        detail = self.inputs[i]
        if self.layouts[i] == "NHWC" and x.ndim == 4:
            x = np.transpose(x, (0, 2, 3, 1))
        if detail["dtype"] in (np.int8, np.int16):
            scale, zero_point = detail["quantization"]
            info = np.iinfo(detail["dtype"])
            x = np.clip(round_half_away(np.asarray(x, np.float64) / scale) + zero_point, info.min, info.max)
        return np.ascontiguousarray(x, detail["dtype"])

    def run(self, *xs: np.ndarray) -> np.ndarray:
        """The raw output (int8 for an int8 model, int16 for a 16x8 one) for one batch of the model's batch size:
        one array per input (`run(x)`, `run(x, mask)`), or one tuple of them."""
        if len(xs) == 1 and isinstance(xs[0], (tuple, list)):
            xs = tuple(xs[0])
        if len(xs) != len(self.inputs):
            names = ", ".join(d["name"] for d in self.inputs)
            raise ExportError(f"the model takes {len(self.inputs)} input(s) ({names}), {len(xs)} were given")
        for i, (detail, x) in enumerate(zip(self.inputs, xs, strict=True)):
            self.interpreter.set_tensor(detail["index"], self.prepare(np.asarray(x), i))
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self.output["index"])

    def dequantize(self, y: np.ndarray) -> np.ndarray:
        if self.output["dtype"] in (np.int8, np.int16):
            scale, zero_point = self.output["quantization"]
            return scale * (y.astype(np.float32) - zero_point)
        return y

    def batches(self, x: np.ndarray) -> list[np.ndarray]:
        return [x[i:i + self.batch] for i in range(0, len(x) - self.batch + 1, self.batch)]

    def shapes(self) -> list[tuple[int, ...]]:
        """The inputs' shapes as the Ember model takes them (NCHW for an image the file stores NHWC)."""
        out = []
        for detail, layout in zip(self.inputs, self.layouts, strict=True):
            s = tuple(int(d) for d in detail["shape"])
            out.append((s[0], s[3], s[1], s[2]) if layout == "NHWC" and len(s) == 4 else s)
        return out


def _labelled(item: Any, runner: TFLiteRunner) -> tuple[list[np.ndarray], np.ndarray]:
    """(inputs, labels) of one evaluation item: (x, y) for one input; ((x, mask), y) or (x, mask, y) for several."""
    from .quantize.calibrate import sample_inputs

    def array(v: Any) -> np.ndarray:
        return v.cpu().data if isinstance(v, ember.Tensor) else np.asarray(v)

    n = len(runner.inputs)
    if not isinstance(item, (tuple, list)) or len(item) < 2:
        raise ExportError("evaluate() needs (input, label) pairs, e.g. a DataLoader over a labelled data set")
    if n == 1:
        return [array(item[0])], array(item[1])
    xs = sample_inputs(item, runner.shapes())
    rest = item[1] if isinstance(item[0], (tuple, list)) else (item[n] if len(item) > n else None)
    if rest is None:
        raise ExportError(f"evaluate() needs labels: give ((x, mask), label) pairs or (x, mask, label) batches for "
                          f"this model's {n} inputs")
    return xs, array(rest)


def evaluate(path: str | os.PathLike, data: Iterable[Any], engine: str = "ember") -> dict[str, Any]:
    """Run every (input, label) batch of `data` through the model at `path`; returns accuracy and sample count.

    Inputs are given as the Ember model takes them (NCHW images, float); a model with several inputs takes
    ((x, mask), label) pairs or (x, mask, label) batches. `engine="litert"` uses LiteRT's reference kernels instead
    of Ember's C runtime (the oracle), `engine="litert_default"` its default (optimised) kernels."""
    runner = TFLiteRunner(path, engine)
    correct = total = 0
    for item in data:
        xs, y = _labelled(item, runner)
        for i, start in enumerate(range(0, len(xs[0]) - runner.batch + 1, runner.batch)):
            batch = [x[start:start + runner.batch] for x in xs]
            scores = runner.dequantize(runner.run(*batch)).reshape(runner.batch, -1)
            correct += int((scores.argmax(axis=1) == y[i * runner.batch:(i + 1) * runner.batch]).sum())
            total += runner.batch
    if total == 0:
        raise ExportError("evaluate() got no samples")
    return {"accuracy": correct / total, "samples": total, "engine": engine}
