"""The zoo models of the audio, segmentation and transformer work (kws_conv1d, kws_lstm, unet_transposed,
tiny_encoder) train a few steps (the loss on the batch goes down) and then export in every mode: float32 and
float16 run on ember.runtime like LiteRT's reference kernels (within 1e-5 relative), int8 bit-exact, 16x8
bit-exact or, where float_fallback keeps an op float32, within test_quantize_modes' island bound, dynamic-range
within its whole-model bound, and the ONNX file on onnxruntime like the trained Ember model (rtol 1e-4,
atol 1e-5)."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert.interpreter import OpResolverType
from engines import ember_runtime, litert, onnxruntime, reference
from test_quantize_modes import HYBRID_MODEL_BOUND, INT16X8_REFUSED, assert_runs_alike

import ember
import ember.export
from ember.vision import models

NAMES = ["kws_conv1d", "kws_lstm", "unet_transposed", "tiny_encoder"]
MODES = [None, "float16", "dynamic", "int8", "int16x8"]


def _trained(name: str, steps: int = 3):
    model = models.MODELS[name].build()
    x = ember.tensor(models.example_input(name, batch=4, seed=1))
    with ember.no_grad():
        target = ember.tensor(np.random.default_rng(2).standard_normal(model(x).shape).astype(np.float32))
    opt = ember.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    model.train()
    for _ in range(steps + 1):
        loss = ((model(x) - target) ** 2).mean()
        losses.append(float(loss.item()))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval(), losses


@pytest.fixture(scope="module")
def trained():
    return {name: _trained(name) for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_a_few_training_steps_lower_the_loss(trained, name):
    _, losses = trained[name]
    assert losses[-1] < losses[0], losses


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m or "float32")
@pytest.mark.parametrize("name", NAMES)
def test_trained_model_exports_and_runs_alike_in_every_mode(tmp_path, trained, name, mode):
    model, _ = trained[name]
    xs = [models.example_input(name, seed=s) for s in range(8)]
    kwargs = {}
    if mode in ("int8", "int16x8"):
        kwargs = {"calibration": [ember.tensor(x) for x in xs], "io": "float", "float_fallback": True}
    path = tmp_path / "m.tflite"
    ember.export.to_tflite(model, ember.tensor(xs[0]), path, quantize=mode, **kwargs)
    for x in xs[:2]:
        got, expected = ember_runtime(path, [x])[0], litert(path, [x], OpResolverType.BUILTIN_REF)[0]
        assert got.shape == expected.shape and got.dtype == expected.dtype
        if mode in ("int8", "int16x8"):  # 16x8 keeps BATCH_MATMUL, RSQRT and PRELU float (float_fallback)
            assert_runs_alike(got, expected, fallback=mode == "int16x8" and name in INT16X8_REFUSED)
        elif mode == "dynamic":
            assert np.abs(got - expected).max() <= HYBRID_MODEL_BOUND * np.abs(expected).max()
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_trained_model_onnx_runs_like_the_ember_model(tmp_path, trained, name):
    model, _ = trained[name]
    x = models.example_input(name, seed=3)
    ember.export.to_onnx(model, ember.tensor(x), tmp_path / "m.onnx")
    np.testing.assert_allclose(onnxruntime(tmp_path / "m.onnx", [x])[0], reference(model, [x])[0],
                               rtol=1e-4, atol=1e-5)
