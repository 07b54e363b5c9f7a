"""GELU with int16 activations (16x8 transformers) against LiteRT's reference kernels (BUILTIN_REF), bit-exact on
every one of the 65,536 int16 inputs, exact and tanh-approximate, for scales that rescale up, down and not at all
(LiteRT's 513-entry interpolated table of the float function, LUTPopulate<int16_t>)."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from tflite_builder import OpSpec, TensorSpec, build_model

from ember.runtime import Interpreter

ALL_INT16 = np.arange(-32768, 32768, dtype=np.int32).astype(np.int16)


def _run(interpreter, x: np.ndarray) -> np.ndarray:
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


@pytest.mark.parametrize("approximate", [False, True])
@pytest.mark.parametrize(("s_in", "s_out"), [(1e-3, 1e-3), (1e-4, 3e-4), (3e-4, 1e-4), (2e-2, 5e-3)])
def test_gelu_int16_matches_litert_on_every_input(approximate: bool, s_in: float, s_out: float) -> None:
    tensors = [TensorSpec("x", [ALL_INT16.size], "int16", scales=[s_in], zero_points=[0]),
               TensorSpec("y", [ALL_INT16.size], "int16", scales=[s_out], zero_points=[0])]
    model = build_model(tensors, [OpSpec("GELU", [0], [1], {"approximate": approximate})], [0], [1])
    ours = _run(Interpreter(model_content=model), ALL_INT16)
    ref = _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF),
               ALL_INT16)
    np.testing.assert_array_equal(ours, ref)
