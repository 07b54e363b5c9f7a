"""int8 SUM against LiteRT's default resolver. ai-edge-litert 2.3's reference kernel (BUILTIN_REF) has no
bit-exact int8 SUM to offer: it hands the int8 codes to its uint8 kernel (the last test here pins that down, so
it fails once LiteRT ships the fix and the reference can become the oracle again). The runtime follows LiteRT's
builtin optimised kernel (optimized/reduce.h QuantizedMeanOrSum: int32 sum of the codes, float32
requantisation, round half away from zero, clamp), which the default resolver runs without its XNNPACK
delegate: bit-exact there over random shapes, axes, keep_dims and scales. With XNNPACK (the plain default,
AUTO) the outputs are the same except on exact ties, which XNNPACK rounds to even."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from single_op import _run, one_op_model, run_ember
from tflite_builder import TensorSpec


def _litert(model: bytes, x: np.ndarray, resolver: OpResolverType) -> np.ndarray:
    return _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=resolver), [x])[0]


def _sum_model(shape: list[int], axes: list[int], keep_dims: bool, s_in: float, z_in: int, s_out: float,
               z_out: int) -> bytes:
    reduced = {a % len(shape) for a in axes}
    out_shape = [1 if d in reduced else n for d, n in enumerate(shape)] if keep_dims else \
        [n for d, n in enumerate(shape) if d not in reduced]
    x = TensorSpec("x", shape, "int8", scales=[float(np.float32(s_in))], zero_points=[z_in])
    axis = TensorSpec("axis", [len(axes)], "int32", data=np.array(axes, np.int32))
    y = TensorSpec("y", out_shape, "int8", scales=[float(np.float32(s_out))], zero_points=[z_out])
    return one_op_model("SUM", [x, axis], [y], {"keep_dims": keep_dims}, version=2)


def _exact_ties(x: np.ndarray, shape_axes: tuple, s_in: float, z_in: int, s_out: float) -> np.ndarray:
    """Where the float32 value LiteRT rounds is exactly halfway between two integers."""
    axes, keep_dims = shape_axes
    acc = x.astype(np.int32).sum(axis=axes, keepdims=keep_dims)
    scale = np.float32(s_in) / np.float32(s_out)
    count = np.float32(np.prod([x.shape[a] for a in axes]))
    value = acc.astype(np.float32) * scale + np.float32(np.float32(-z_in) * scale) * count
    return np.abs(value - np.floor(value) - np.float32(0.5)) == 0


@pytest.mark.parametrize("seed", range(30))
def test_int8_sum_matches_litert_default_kernels(seed: int) -> None:
    rng = np.random.default_rng(9300 + seed)
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 7)) for _ in range(rank)]
    axes = sorted({int(a) for a in rng.choice(rank, size=int(rng.integers(1, rank + 1)), replace=False)})
    axes = [a - rank if rng.random() < 0.3 else a for a in axes]  # negative axes too
    keep_dims = bool(rng.integers(0, 2))
    count = int(np.prod([shape[a] for a in axes]))
    s_in = float(10 ** rng.uniform(-2.5, 0))
    # output scales around the sum's range, and some that clamp
    s_out = s_in * float(rng.choice([1.0, 0.5, rng.uniform(0.2, 2.0) * max(count, 1) / 4, 0.01]))
    z_in, z_out = int(rng.integers(-128, 128)), int(rng.integers(-128, 128))
    model = _sum_model(shape, axes, keep_dims, s_in, z_in, s_out, z_out)
    for _ in range(3):
        x = rng.integers(-128, 128, size=shape).astype(np.int8)
        ours = run_ember(model, [x])[0]
        np.testing.assert_array_equal(ours, _litert(model, x, OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES))
        with_xnnpack = _litert(model, x, OpResolverType.AUTO)
        ties = _exact_ties(x, (tuple(a % rank for a in axes), keep_dims), s_in, z_in, s_out).reshape(ours.shape)
        np.testing.assert_array_equal(ours[~ties], with_xnnpack[~ties])


@pytest.mark.parametrize("z_in", [0, 1, -7])
def test_int8_sum_rounds_ties_half_away_from_zero_as_litert_builtin_kernel(z_in: int) -> None:
    # s_in / s_out = 1/2 and odd sums: every output is a tie, on both signs
    model = _sum_model([16, 2], [1], False, 0.5, z_in, 1.0, 0)
    pairs = np.array([[k, k + 1] for k in range(-64, 64, 8)], np.int8) + np.int8(z_in)
    ours = run_ember(model, [pairs])[0]
    np.testing.assert_array_equal(ours, _litert(model, pairs, OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES))
    exact = (pairs.astype(np.int32) - z_in).sum(axis=1) / 2
    np.testing.assert_array_equal(ours, np.sign(exact) * np.floor(np.abs(exact) + 0.5))  # closed form


def test_int8_sum_clamps_and_reduces_all_axes() -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(-128, 128, size=(3, 5, 7)).astype(np.int8)
    for s_out in (0.01, 1.0, 50.0):  # saturating both ways, in range, and rounding everything towards z_out
        model = _sum_model([3, 5, 7], [0, 1, 2], True, 0.1, 3, s_out, -5)
        np.testing.assert_array_equal(run_ember(model, [x])[0],
                                      _litert(model, x, OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES))


def test_litert_reference_int8_sum_still_reads_the_codes_as_uint8() -> None:
    # When this fails, LiteRT's BUILTIN_REF int8 SUM was fixed: make it the oracle of the tests above.
    model = _sum_model([2], [0], True, 1.0, 0, 1.0, 0)
    x = np.array([-1, -2], np.int8)
    assert int(_litert(model, x, OpResolverType.BUILTIN_REF)[0]) == -1  # 255 + 254, clamped to 255 = -1 as int8
    assert int(_litert(model, x, OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)[0]) == -3
    assert int(run_ember(model, [x])[0][0]) == -3
