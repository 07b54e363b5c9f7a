"""uint8 SUM against LiteRT's reference kernel (BUILTIN_REF), bit-exact: ai-edge-litert 2.3's reference sums the
codes in int32, subtracts z_in * count, requantises by s_in / s_out with the double rounding of every TFLite
requantisation and clamps to [0, 255] (reference_ops::QuantizedMeanOrSum with compute_sum), over random shapes,
axes, keep_dims, scales and zero points, with sums that clamp both ways, and the empty reduction."""

from __future__ import annotations

import numpy as np
import pytest
from single_op import one_op_model, run_ember, run_litert
from tflite_builder import TensorSpec

from ember.runtime import Interpreter


def _sum_model(shape: list[int], axes: list[int], keep_dims: bool, s_in: float, z_in: int, s_out: float,
               z_out: int) -> bytes:
    reduced = {a % len(shape) for a in axes}
    out_shape = [1 if d in reduced else n for d, n in enumerate(shape)] if keep_dims else \
        [n for d, n in enumerate(shape) if d not in reduced]
    x = TensorSpec("x", shape, "uint8", scales=[float(np.float32(s_in))], zero_points=[z_in])
    axis = TensorSpec("axis", [len(axes)], "int32", data=np.array(axes, np.int32))
    y = TensorSpec("y", out_shape, "uint8", scales=[float(np.float32(s_out))], zero_points=[z_out])
    return one_op_model("SUM", [x, axis], [y], {"keep_dims": keep_dims}, version=1)


@pytest.mark.parametrize("seed", range(30))
def test_uint8_sum_matches_litert_reference(seed: int) -> None:
    rng = np.random.default_rng(9700 + seed)
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 7)) for _ in range(rank)]
    axes = sorted({int(a) for a in rng.choice(rank, size=int(rng.integers(1, rank + 1)), replace=False)})
    axes = [a - rank if rng.random() < 0.3 else a for a in axes]  # negative axes too
    keep_dims = bool(rng.integers(0, 2))
    count = int(np.prod([shape[a] for a in axes]))
    s_in = float(10 ** rng.uniform(-2.5, 0))
    # output scales around the sum's range, the input's own (ratio 1), and ones that clamp
    s_out = s_in * float(rng.choice([1.0, 0.5, rng.uniform(0.2, 2.0) * max(count, 1) / 4, 0.01, 40.0]))
    z_in, z_out = int(rng.integers(0, 256)), int(rng.integers(0, 256))
    model = _sum_model(shape, axes, keep_dims, s_in, z_in, s_out, z_out)
    for _ in range(3):
        x = rng.integers(0, 256, size=shape).astype(np.uint8)
        np.testing.assert_array_equal(run_ember(model, [x])[0], run_litert(model, [x])[0])


def test_uint8_sum_against_the_real_sum() -> None:
    # closed form: with s_out = s_in the multiplier is exactly 1 (2^30 shifted left once), so the output is
    # sum - z_in * count + z_out, clamped
    rng = np.random.default_rng(3)
    x = rng.integers(0, 256, size=(200, 3)).astype(np.uint8)
    model = _sum_model([200, 3], [1], False, 0.01, 130, 0.01, 140)
    expected = np.clip((x.astype(np.int64) - 130).sum(axis=1) + 140, 0, 255)
    ours = run_ember(model, [x])[0]
    assert 0 < np.count_nonzero((expected > 0) & (expected < 255))
    np.testing.assert_array_equal(ours, expected)
    np.testing.assert_array_equal(ours, run_litert(model, [x])[0])


def test_uint8_sum_clamps_and_reduces_all_axes() -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, size=(3, 5, 7)).astype(np.uint8)
    for s_out in (0.01, 1.0, 50.0):  # saturating both ways, in range, and rounding everything towards z_out
        model = _sum_model([3, 5, 7], [0, 1, 2], True, 0.1, 130, s_out, 120)
        np.testing.assert_array_equal(run_ember(model, [x])[0], run_litert(model, [x])[0])


def test_uint8_empty_sum_is_litert_zero() -> None:
    model = _sum_model([0, 3], [0], False, 0.1, 5, 0.1, 77)
    x = np.zeros((0, 3), np.uint8)
    ours = run_ember(model, [x])[0]
    np.testing.assert_array_equal(ours, run_litert(model, [x])[0])
    np.testing.assert_array_equal(ours, np.zeros(3, np.uint8))  # LiteRT leaves its initial 0, not z_out


def test_uint8_sum_scale_ratio_of_2_to_the_31_is_refused() -> None:
    interpreter = Interpreter(model_content=_sum_model([4], [0], True, 1.0, 0, 1e-10, 0))
    with pytest.raises(Exception, match=r"scale ratio s_in / s_out = .* is 2\^31 or more"):
        interpreter.allocate_tensors()
