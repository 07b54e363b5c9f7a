"""The README's layer export table (tools/export_table.py over ember.export.layer_examples) is current, lists
every ember.nn layer, and tells the truth: each layer's example is exported in every mode its row claims, and
ember.runtime runs the file like LiteRT's reference kernels (float32 and float16 within rtol 1e-5; int8 and
16x8 bit-exact; dynamic-range: the examples' weights are under the 1024-element line, so float32 within rtol 1e-5;
tests/export/test_quantize_modes.py runs the hybrid kernels on larger layers), onnxruntime runs the ONNX file
like the Ember model (rtol 1e-4, atol 1e-5); where the row says "float fallback", the exporter refuses the model
naming one of those ops unless float_fallback=True, and with it the file runs on both engines alike."""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import OpResolverType
from engines import ember_runtime, litert, onnxruntime, reference

import ember
import ember.export
from ember import nn
from ember.export import layer_examples
from ember.export.errors import ExportError
from ember.tools import export_table

ROOT = Path(__file__).resolve().parents[2]
ROWS = {name: export_table.support(name) for name in layer_examples.LAYERS}
# Ops LiteRT's reference resolver lacks (its default kernels run them).
NOT_IN_BUILTIN_REF = {"ELU"}


def test_readme_layer_table_is_up_to_date() -> None:
    text = (ROOT / "README.md").read_text()
    assert export_table.splice(text, export_table.render()) == text, \
        "README's layer export table is stale: run python tools/export_table.py"


def test_every_nn_layer_is_in_the_table() -> None:
    layers = {n for n, c in vars(nn).items() if inspect.isclass(c) and issubclass(c, nn.Module)}
    listed = {name.split("/")[0] for name in layer_examples.LAYERS} | layer_examples.NOT_EXPORTED
    missing = {n for n in layers - listed if not n.endswith("Loss")}
    assert not missing, f"ember.nn layers without an example in layer_examples.LAYERS: {sorted(missing)}"


def _resolver(name: str) -> OpResolverType:
    ops = set(ROWS[name]["ops"].split(", "))
    return OpResolverType.AUTO if ops & NOT_IN_BUILTIN_REF else OpResolverType.BUILTIN_REF


def _export(tmp_path, name: str, mode: str, float_fallback: bool = False):
    model = layer_examples.layer(name)
    xs = [layer_examples.example(name, s) for s in range(8)]
    path = tmp_path / f"{mode}.tflite"
    kwargs = {}
    if mode in ("int8", "int16x8"):
        kwargs = {"calibration": [ember.tensor(x) for x in xs], "io": "float", "float_fallback": float_fallback}
    ember.export.to_tflite(model, ember.tensor(xs[0]), path, quantize=None if mode == "float32" else mode,
                           **kwargs)
    return path, [layer_examples.example(name, s) for s in (100, 101)]


@pytest.mark.parametrize("mode", ["float32", "float16", "dynamic", "int8", "int16x8"])
@pytest.mark.parametrize("name", sorted(layer_examples.LAYERS))
def test_each_claimed_tflite_mode_runs_on_ember_runtime_like_litert(tmp_path, name, mode):
    fallback = ROWS[name][mode].startswith("float fallback")
    if fallback:
        missing = "|".join(ROWS[name][mode].split(": ")[1].split(", "))
        with pytest.raises(ExportError, match=rf"op ({missing}) in module .* has no {mode} rule"):
            _export(tmp_path, name, mode)
    path, xs = _export(tmp_path, name, mode, float_fallback=fallback)
    for x in xs:
        got, expected = ember_runtime(path, [x])[0], litert(path, [x], _resolver(name))[0]
        assert got.shape == expected.shape and got.dtype == expected.dtype
        if mode in ("int8", "int16x8") and not fallback:
            np.testing.assert_array_equal(got, expected)
        elif fallback:  # a float island may differ by an ulp between engines, moving its QUANTIZE by one code
            np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * float(np.abs(expected).max()))
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", sorted(layer_examples.LAYERS))
def test_onnx_runs_like_the_ember_model(tmp_path, name):
    assert ROWS[name]["ONNX"] == "yes"
    model, x = layer_examples.layer(name), layer_examples.example(name, 0)
    ember.export.to_onnx(model, ember.tensor(x), tmp_path / "m.onnx")
    np.testing.assert_allclose(onnxruntime(tmp_path / "m.onnx", [x])[0], reference(model, [x])[0],
                               rtol=1e-4, atol=1e-5)
