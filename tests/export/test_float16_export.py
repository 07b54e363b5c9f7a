"""quantize="float16": float16 weights behind DEQUANTIZE, about half the file, float32 arithmetic. The oracle is the
float32 export with every weight rounded through float16 (what the float16 file holds), run by LiteRT's reference
kernels; LiteRT's default kernels and ember.runtime run the float16 file."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert.interpreter import OpResolverType
from engines import ATOL, RTOL, assert_close, ember_runtime, litert, reference

import ember
from ember import nn


def _model():
    ember.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
                         nn.Conv2d(64, 64, 3, groups=64, padding=1), nn.ReLU6(), nn.Conv2d(64, 128, 1),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10)).eval()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("f16")
    x = np.random.default_rng(0).standard_normal((2, 3, 12, 12)).astype(np.float32)
    model = _model()
    g16 = ember.export.to_tflite(model, ember.tensor(x), d / "f16.tflite", quantize="float16")
    ember.export.to_tflite(model, ember.tensor(x), d / "f32.tflite")
    return model, x, d, g16


def _rounded_float32_file(model, x, path):
    """The float32 export with every float constant rounded through float16: what the float16 file computes."""
    from ember.export.api import to_graph
    from ember.export.tflite import write_model

    graph = to_graph(model, ember.tensor(x))
    for v in graph.values():
        if v.is_constant and v.dtype == np.float32:
            v.data = v.data.astype(np.float16).astype(np.float32)
    write_model(graph, path)
    return path


def test_float16_file_is_about_half(files):
    _, _, d, g16 = files
    size16, size32 = (d / "f16.tflite").stat().st_size, (d / "f32.tflite").stat().st_size
    assert size16 < 0.55 * size32, (size16, size32)  # weights dominate: the rest is graph and metadata
    assert g16.op_counts()["DEQUANTIZE"] >= 4


@pytest.mark.parametrize("engine", ["litert_ref", "litert_default", "ember_runtime"])
def test_float16_file_runs_like_the_rounded_model(files, engine):
    model, x, d, _ = files
    expected = litert(_rounded_float32_file(model, x, d / "rounded.tflite"), [x], OpResolverType.BUILTIN_REF)[0]
    run = {"litert_ref": lambda: litert(d / "f16.tflite", [x], OpResolverType.BUILTIN_REF)[0],
           "litert_default": lambda: litert(d / "f16.tflite", [x], OpResolverType.AUTO)[0],
           "ember_runtime": lambda: ember_runtime(d / "f16.tflite", [x])[0]}[engine]
    got = run()
    assert_close(got, expected, RTOL, ATOL, engine)
    want = reference(model, [x])[0]  # and the rounding costs little against the float32 model
    assert np.max(np.abs(got - want)) < 1e-2 * max(1.0, float(np.max(np.abs(want))))


def test_float16_needs_no_calibration(files):
    model, x, d, _ = files
    with pytest.raises(ember.export.ExportError, match="needs no calibration"):
        ember.export.to_tflite(model, ember.tensor(x), d / "bad.tflite", quantize="float16", calibration=[x])
