"""TRANSPOSE_CONV with int16 activations and int8 weights (16x8) against LiteRT's reference kernels (BUILTIN_REF),
bit-exact: random shapes, strides, SAME and VALID, per-tensor and per-channel weights, int64 biases, int32 ones
marked by quantized_bias_type, no bias, fused activations, feeds over the whole int16 range and its extremes."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from tflite_builder import OpSpec, TensorSpec, build_model

from ember.runtime import Interpreter


def _run(interpreter, x: np.ndarray) -> np.ndarray:
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def _case(rng: np.random.Generator):
    n, h, w = int(rng.integers(1, 3)), int(rng.integers(1, 6)), int(rng.integers(1, 6))
    cin, cout = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    sh, sw = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    padding = str(rng.choice(["SAME", "VALID"]))
    oh, ow = (h * sh, w * sw) if padding == "SAME" else ((h - 1) * sh + kh, (w - 1) * sw + kw)
    s_in = float(np.float32(10 ** rng.uniform(-4.5, -2.5)))
    s_out = float(np.float32(10 ** rng.uniform(-4, -1.5)))
    per_channel = rng.random() < 0.6
    scales = [float(np.float32(s)) for s in rng.uniform(0.002, 0.05, size=cout if per_channel else 1)]
    weights = rng.integers(-127, 128, size=(cout, kh, kw, cin), dtype=np.int8)
    options = {"padding": padding, "stride_h": sh, "stride_w": sw,
               "activation": str(rng.choice(["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]))}
    tensors = [TensorSpec("output_shape", [4], "int32", data=np.array([n, oh, ow, cout], np.int32)),
               TensorSpec("weights", [cout, kh, kw, cin], "int8", data=weights, scales=scales,
                          zero_points=[0] * len(scales), quantized_dimension=0),
               TensorSpec("x", [n, h, w, cin], "int16", scales=[s_in], zero_points=[0])]
    inputs = [0, 1, 2]
    bias_kind = str(rng.choice(["int64", "int32", "none"]))
    if bias_kind != "none":
        bias_scales = [s_in * s for s in (scales if per_channel else scales * cout)]
        data = rng.integers(-(1 << 20), 1 << 20, size=cout).astype(bias_kind)
        tensors.append(TensorSpec("bias", [cout], bias_kind, data=data, scales=bias_scales,
                                  zero_points=[0] * cout))
        inputs.append(3)
        if bias_kind == "int32":
            options["quantized_bias_type"] = "int32"
    tensors.append(TensorSpec("y", [n, oh, ow, cout], "int16", scales=[s_out], zero_points=[0]))
    out = len(tensors) - 1
    model = build_model(tensors, [OpSpec("TRANSPOSE_CONV", inputs, [out], options, version=5)], [2], [out])
    x = rng.integers(-32768, 32768, size=(n, h, w, cin), dtype=np.int16)
    x.reshape(-1)[:2] = [-32768, 32767][: x.size]
    return model, x


@pytest.mark.parametrize("seed", range(40))
def test_transpose_conv_int16_matches_litert(seed: int) -> None:
    model, x = _case(np.random.default_rng(2100 + seed))
    ours = _run(Interpreter(model_content=model), x)
    ref = _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF), x)
    assert ours.dtype == ref.dtype == np.int16 and ours.shape == ref.shape
    np.testing.assert_array_equal(ours, ref)
