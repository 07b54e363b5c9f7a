"""RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR with int16 activations (16x8 models) against LiteRT's reference
kernels (BUILTIN_REF), bit-exact: random shapes, sizes up and down with align_corners and half_pixel_centers,
feeds over the whole int16 range and its extremes. The resizes move values: one scale and zero point 0 in and
out, or a refusal naming both tensors."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from tflite_builder import OpSpec, TensorSpec, build_model

from ember.runtime import Interpreter


def _run(interpreter, feeds) -> np.ndarray:
    interpreter.allocate_tensors()
    for detail, x in zip(interpreter.get_input_details(), feeds, strict=True):
        interpreter.set_tensor(detail["index"], x)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def _both(model: bytes, feeds) -> None:
    ours = _run(Interpreter(model_content=model), feeds)
    ref = _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF),
               feeds)
    assert ours.dtype == ref.dtype == np.int16 and ours.shape == ref.shape
    np.testing.assert_array_equal(ours, ref)


def _int16(rng, shape) -> np.ndarray:
    x = rng.integers(-32768, 32768, size=shape, dtype=np.int16)
    x.reshape(-1)[:2] = [-32768, 32767][: x.size]
    return x


def _scale(rng) -> float:
    return float(np.float32(10 ** rng.uniform(-5, -1)))


@pytest.mark.parametrize("op", ["RESIZE_NEAREST_NEIGHBOR", "RESIZE_BILINEAR"])
@pytest.mark.parametrize("seed", range(30))
def test_resize_int16_matches_litert(op: str, seed: int) -> None:
    rng = np.random.default_rng(2000 + seed)
    n, h, w, c = (int(v) for v in rng.integers(1, 6, size=4))
    oh, ow = (int(v) for v in rng.integers(1, 12, size=2))
    mode = int(rng.integers(0, 3))  # plain, align_corners, half_pixel_centers
    options = {"align_corners": mode == 1, "half_pixel_centers": mode == 2}
    scale = _scale(rng)
    tensors = [TensorSpec("x", [n, h, w, c], "int16", scales=[scale], zero_points=[0]),
               TensorSpec("size", [2], "int32", data=np.array([oh, ow], np.int32)),
               TensorSpec("y", [n, oh, ow, c], "int16", scales=[scale], zero_points=[0])]
    _both(build_model(tensors, [OpSpec(op, [0, 1], [2], options)], [0], [2]), [_int16(rng, [n, h, w, c])])


@pytest.mark.parametrize("op", ["RESIZE_NEAREST_NEIGHBOR", "RESIZE_BILINEAR"])
def test_resize_int16_refuses_two_scales(op: str) -> None:
    tensors = [TensorSpec("x", [1, 2, 2, 1], "int16", scales=[0.01], zero_points=[0]),
               TensorSpec("size", [2], "int32", data=np.array([4, 4], np.int32)),
               TensorSpec("y", [1, 4, 4, 1], "int16", scales=[0.02], zero_points=[0])]
    model = build_model(tensors, [OpSpec(op, [0, 1], [2], {})], [0], [2])
    with pytest.raises(ValueError, match=rf"{op} 0: int16 input 'x' has scale 0.01, output 'y' 0.02"):
        Interpreter(model_content=model).allocate_tensors()
