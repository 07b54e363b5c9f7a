"""BATCH_MATMUL with int16 operands (16x8 attention: two int16 activations, zero points 0) against LiteRT's
reference kernels (BUILTIN_REF), bit-exact: random shapes with broadcast batch axes (rank 2 to 4), adj_x and adj_y,
scales that rescale up and down, feeds over the whole int16 range and its extremes."""

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


def _int16(rng, shape) -> np.ndarray:
    x = rng.integers(-32768, 32768, size=shape, dtype=np.int16)
    x.reshape(-1)[:2] = [-32768, 32767][: x.size]
    return x


@pytest.mark.parametrize("seed", range(40))
def test_batch_matmul_int16_matches_litert(seed: int) -> None:
    rng = np.random.default_rng(2200 + seed)
    rows, depth, cols = (int(v) for v in rng.integers(1, 7, size=3))
    batch = [int(v) for v in rng.integers(1, 4, size=int(rng.integers(0, 3)))]
    lhs_batch = [b if rng.random() < 0.7 else 1 for b in batch]
    rhs_batch = [b if rng.random() < 0.7 else 1 for b in batch]
    adj_x, adj_y = bool(rng.random() < 0.5), bool(rng.random() < 0.5)
    lhs_shape = lhs_batch + ([depth, rows] if adj_x else [rows, depth])
    rhs_shape = rhs_batch + ([cols, depth] if adj_y else [depth, cols])
    out_shape = list(np.broadcast_shapes(tuple(lhs_batch), tuple(rhs_batch))) + [rows, cols]
    s_lhs, s_rhs = (float(np.float32(10 ** rng.uniform(-4, -2))) for _ in range(2))
    s_out = float(np.float32(s_lhs * s_rhs * depth * 32768 * 10 ** rng.uniform(-2, 0)))
    tensors = [TensorSpec("lhs", lhs_shape, "int16", scales=[s_lhs], zero_points=[0]),
               TensorSpec("rhs", rhs_shape, "int16", scales=[s_rhs], zero_points=[0]),
               TensorSpec("y", out_shape, "int16", scales=[s_out], zero_points=[0])]
    model = build_model(tensors, [OpSpec("BATCH_MATMUL", [0, 1], [2], {"adj_x": adj_x, "adj_y": adj_y})],
                        [0, 1], [2])
    feeds = [_int16(rng, lhs_shape), _int16(rng, rhs_shape)]
    ours = _run(Interpreter(model_content=model), feeds)
    ref = _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF),
               feeds)
    assert ours.dtype == ref.dtype == np.int16 and ours.shape == ref.shape
    np.testing.assert_array_equal(ours, ref)
