"""MEAN and PAD with int16 activations (16x8 models: global average pooling and any other axes; the explicit
padding of strided convolutions) against LiteRT's reference kernels (BUILTIN_REF), bit-exact: random shapes and
axes, keep_dims both ways, random scales and equal input and output scales (LiteRT's plain integer mean), random
paddings, feeds over the whole int16 range and its extremes. LiteRT refuses int16 zero points other than 0, and so
do we, with a message."""

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


def _case(rng: np.random.Generator, spatial: bool, same_scale: bool, zero_point: int = 0):
    rank = 4 if spatial else int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 8)) for _ in range(rank)]
    if spatial:
        axes, keep = [1, 2], bool(rng.random() < 0.7)
    else:
        axes = sorted({int(a) for a in rng.integers(-rank, rank, size=int(rng.integers(1, rank + 1)))})
        keep = bool(rng.random() < 0.5)
    reduced = {a % rank for a in axes}
    out_shape = [1 if d in reduced else s for d, s in enumerate(shape)] if keep else \
        [s for d, s in enumerate(shape) if d not in reduced]
    s_in = float(np.float32(10 ** rng.uniform(-4, -1)))
    s_out = s_in if same_scale else float(np.float32(s_in * 10 ** rng.uniform(-1, 1)))
    tensors = [TensorSpec("input", shape, "int16", scales=[s_in], zero_points=[zero_point]),
               TensorSpec("axis", [len(axes)], "int32", data=np.array(axes, np.int32)),
               TensorSpec("output", out_shape, "int16", scales=[s_out], zero_points=[0])]
    model = build_model(tensors, [OpSpec("MEAN", [0, 1], [2], {"keep_dims": keep}, version=3)], [0], [2])
    x = rng.integers(-32768, 32768, size=shape, dtype=np.int16)
    if rng.random() < 0.3:
        x[...] = rng.choice(np.array([-32768, 32767], np.int16))
    return model, x


@pytest.mark.parametrize("same_scale", [False, True], ids=["rescaled", "same_scale"])
@pytest.mark.parametrize("spatial", [True, False], ids=["hw", "any_axes"])
@pytest.mark.parametrize("seed", range(30))
def test_mean_int16_matches_litert(seed: int, spatial: bool, same_scale: bool) -> None:
    model, x = _case(np.random.default_rng(1600 + seed), spatial, same_scale)
    ours = _run(Interpreter(model_content=model), x)
    ref = _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF), x)
    assert ours.dtype == ref.dtype == np.int16 and ours.shape == ref.shape
    np.testing.assert_array_equal(ours, ref)


def test_mean_int16_refuses_a_nonzero_zero_point() -> None:
    model, _ = _case(np.random.default_rng(0), True, False, zero_point=3)
    with pytest.raises(RuntimeError, match="zero_point"):
        _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF),
             np.zeros((1,), np.int16))
    with pytest.raises(ValueError, match=r"MEAN 0: int16 tensor 'input' has zero point 3"):
        Interpreter(model_content=model).allocate_tensors()


@pytest.mark.parametrize("seed", range(20))
def test_pad_int16_matches_litert(seed: int) -> None:
    rng = np.random.default_rng(1700 + seed)
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 6)) for _ in range(rank)]
    pads = rng.integers(0, 3, size=(rank, 2)).astype(np.int32)
    scale = float(np.float32(10 ** rng.uniform(-4, -1)))
    tensors = [TensorSpec("input", shape, "int16", scales=[scale], zero_points=[0]),
               TensorSpec("paddings", [rank, 2], "int32", data=pads),
               TensorSpec("output", [s + int(p.sum()) for s, p in zip(shape, pads, strict=True)], "int16",
                          scales=[scale], zero_points=[0])]
    model = build_model(tensors, [OpSpec("PAD", [0, 1], [2], {})], [0], [2])
    x = rng.integers(-32768, 32768, size=shape, dtype=np.int16)
    ours = _run(Interpreter(model_content=model), x)
    ref = _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF), x)
    np.testing.assert_array_equal(ours, ref)
    np.testing.assert_array_equal(ours, np.pad(x, pads))  # zero point 0: zeros around the input
