"""The engines every exported model is checked on: Ember itself (eval forward, the reference), LiteRT with the
reference and the default kernels, Ember's C runtime (`ember.runtime`, LiteRT's Interpreter API) and onnxruntime.

A `.tflite` stores images NHWC (TFLite's convention; its "ember" metadata says which tensors): inputs are
transposed in and outputs back out, so every engine is compared on Ember's NCHW tensors."""

from __future__ import annotations

import json

import numpy as np
import tflite
from ai_edge_litert.interpreter import Interpreter, OpResolverType

import ember
import ember.export

NCHW_TO_NHWC, NHWC_TO_NCHW = (0, 2, 3, 1), (0, 3, 1, 2)
# Exported float32 files against Ember's Python forward (another order of float32 sums): measured needs at rtol 1e-5
# are at most 6e-7 absolute, in conv sums that cancel (tests/export/test_lowering.py).
RTOL, ATOL = 1e-5, 1e-6


def metadata(path) -> dict:
    m = tflite.Model.GetRootAs(open(path, "rb").read(), 0)
    entries = {m.Metadata(i).Name().decode(): m.Metadata(i).Buffer() for i in range(m.MetadataLength())}
    return json.loads(m.Buffers(entries["ember"]).DataAsNumpy().tobytes())


def _run_tflite_api(it, path, inputs: list[np.ndarray]) -> list[np.ndarray]:
    meta = metadata(path)
    it.allocate_tensors()
    for detail, x, info in zip(it.get_input_details(), inputs, meta["inputs"], strict=True):
        x = x.transpose(NCHW_TO_NHWC) if info["layout"] == "NHWC" else x
        it.set_tensor(detail["index"], np.ascontiguousarray(x.astype(detail["dtype"])))
    it.invoke()
    outs = []
    for detail, info in zip(it.get_output_details(), meta["outputs"], strict=True):
        y = np.array(it.get_tensor(detail["index"]))
        outs.append(y.transpose(NHWC_TO_NCHW) if info["layout"] == "NHWC" else y)
    return outs


def litert(path, inputs, resolver=OpResolverType.BUILTIN_REF) -> list[np.ndarray]:
    return _run_tflite_api(Interpreter(model_path=str(path), experimental_op_resolver_type=resolver), path, inputs)


def ember_runtime(path, inputs) -> list[np.ndarray]:
    import ember.runtime

    return _run_tflite_api(ember.runtime.Interpreter(model_path=str(path)), path, inputs)


def onnxruntime(path, inputs) -> list[np.ndarray]:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {i.name: x for i, x in zip(session.get_inputs(), inputs, strict=True)}
    return [np.asarray(y) for y in session.run(None, feeds)]


def reference(model, inputs) -> list[np.ndarray]:
    with ember.no_grad():
        out = model.eval()(*[ember.tensor(x) for x in inputs])
    return [t.numpy() for t in (out if isinstance(out, (tuple, list)) else (out,))]


def assert_close(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float, what: str = "") -> None:
    """numpy's allclose, elementwise: |got - expected| <= atol + rtol * |expected|; atol only covers results that
    are 0 up to rounding."""
    assert got.shape == expected.shape, f"{what}: shape {got.shape} != {expected.shape}"
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=what)


ENGINES = {
    "litert_ref": lambda tfl, onx, xs: litert(tfl, xs, OpResolverType.BUILTIN_REF),
    "litert_default": lambda tfl, onx, xs: litert(tfl, xs, OpResolverType.AUTO),
    "ember_runtime": lambda tfl, onx, xs: ember_runtime(tfl, xs),
    "onnxruntime": lambda tfl, onx, xs: onnxruntime(onx, xs),
}


def export_both(model, inputs, tmp_path, name="model"):
    """Export `model` to `.tflite` and `.onnx` under tmp_path; returns (graph, tflite path, onnx path)."""
    example = ember.tensor(inputs[0])
    tfl, onx = tmp_path / f"{name}.tflite", tmp_path / f"{name}.onnx"
    graph = ember.export.to_tflite(model, example, tfl, name=name)
    ember.export.to_onnx(model, example, onx)
    return graph, tfl, onx
