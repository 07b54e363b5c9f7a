"""RELU, RELU6 and LEAKY_RELU with int16 activations (16x8 models) against LiteRT's reference kernels
(BUILTIN_REF), bit-exact: random shapes, input and output scales (the same, and rescaling up and down by up to
100x, so RELU6's bound lands inside and beyond int16's range), alphas of either sign, feeds over the whole int16
range and its extremes. LiteRT refuses int16 zero points other than 0, and so do we, with a message."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from tflite_builder import OpSpec, TensorSpec, build_model

from ember.runtime import Interpreter

OPS = ["RELU", "RELU6", "LEAKY_RELU"]


def _run(interpreter, x: np.ndarray) -> np.ndarray:
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def _model(op: str, rng: np.random.Generator, shape, zero_point: int = 0) -> bytes:
    s_in = float(np.float32(10 ** rng.uniform(-5, -1)))
    s_out = s_in if rng.random() < 0.3 else float(np.float32(s_in * 10 ** rng.uniform(-2, 2)))
    options = {"alpha": float(rng.choice([0.01, 0.2, 0.5, 1.5, -0.3]))} if op == "LEAKY_RELU" else {}
    tensors = [TensorSpec("x", list(shape), "int16", scales=[s_in], zero_points=[zero_point]),
               TensorSpec("y", list(shape), "int16", scales=[s_out], zero_points=[0])]
    return build_model(tensors, [OpSpec(op, [0], [1], options)], [0], [1])


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("seed", range(25))
def test_int16_activation_matches_litert(op: str, seed: int) -> None:
    rng = np.random.default_rng(1800 + seed)
    shape = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 5)))]
    model = _model(op, rng, shape)
    x = rng.integers(-32768, 32768, size=shape, dtype=np.int16)
    x.reshape(-1)[:2] = [-32768, 32767][: x.size]
    ours = _run(Interpreter(model_content=model), x)
    ref = _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF), x)
    assert ours.dtype == ref.dtype == np.int16
    np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("op", OPS)
def test_int16_activation_refuses_a_nonzero_zero_point(op: str) -> None:
    model = _model(op, np.random.default_rng(0), [2, 3], zero_point=5)
    with pytest.raises(RuntimeError, match="zero_point"):
        _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF),
             np.zeros((2, 3), np.int16))
    with pytest.raises(ValueError, match=rf"{op} 0: int16 tensor 'x' has zero point 5"):
        Interpreter(model_content=model).allocate_tensors()
