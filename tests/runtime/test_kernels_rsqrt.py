"""RSQRT against LiteRT's reference kernels (BUILTIN_REF): float32 within 1e-5 relative, int8 bit-exact on
every input code under many (scale, zero point) draws. int8 RSQRT is LiteRT's fixed-point inverse square root
(gemmlowp Newton-Raphson, then a requantisation by 1 / (sqrt(s_in) s_out)); a code below the input zero point
is a negative real input, which LiteRT refuses at invoke, and so must we."""

from __future__ import annotations

import numpy as np
import pytest
from single_op import compare, one_op_model, qspec, run_ember, run_litert
from tflite_builder import TensorSpec

from ember.runtime import RuntimeModelError


def _int8_model(shape: list[int], rng: np.random.Generator, *, input_zero_point: int | None = None,
                wide_output_scale: bool = False) -> tuple[bytes, int]:
    ins = [qspec("x", shape, rng, zero_point=input_zero_point)]
    out_scale = float(10 ** rng.uniform(-4, 1)) if wide_output_scale else None
    outs = [qspec("y", shape, rng, scale=out_scale)]
    return one_op_model("RSQRT", ins, outs, version=2), ins[0].zero_points[0]


def _valid_codes(shape: list[int], zero_point: int, rng: np.random.Generator) -> np.ndarray:
    """Random codes at or above the zero point (non-negative real inputs), the zero point itself included."""
    codes = rng.integers(zero_point, 128, size=shape).astype(np.int8)
    codes.flat[0] = zero_point
    return codes


@pytest.mark.parametrize("seed", range(12))
def test_int8_rsqrt_on_every_input_code(seed: int) -> None:
    # Even seeds: zero point -128, so all 256 codes are valid inputs; odd seeds: a random zero point and every
    # code from it up to 127. A third of the draws take output scales from 1e-4 to 10 (saturating both ends).
    rng = np.random.default_rng(seed)
    zero_point = -128 if seed % 2 == 0 else int(rng.integers(-128, 128))
    n = 128 - zero_point
    model, z = _int8_model([n], rng, input_zero_point=zero_point, wide_output_scale=seed % 3 == 0)
    compare(model, rng, feeds=[np.arange(z, 128, dtype=np.int8)])


@pytest.mark.parametrize("dtype", ["float32", "int8"])
@pytest.mark.parametrize("seed", range(6))
def test_rsqrt_random_shapes_match_litert(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(500 + seed)
    shape = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(1, 5)))]
    if dtype == "float32":
        model = one_op_model("RSQRT", [TensorSpec("x", shape)], [TensorSpec("y", shape)])
        for scale in (1e-3, 1.0, 1e3):
            x = (np.abs(rng.standard_normal(shape)) * scale + 1e-6).astype(np.float32)
            compare(model, rng, feeds=[x])
    else:
        model, z = _int8_model(shape, rng)
        for _ in range(3):
            compare(model, rng, feeds=[_valid_codes(shape, z, rng)])


def test_float_rsqrt_zero_negative_and_extremes() -> None:
    # LiteRT's reference computes 1.f / std::sqrt(x) unchecked: +-inf at +-0, NaN below, 0 at inf.
    x = np.array([0.0, -0.0, -1.0, np.inf, 1e-40, 1e-30, 3.4e38, 0.25, 2.0], np.float32)
    model = one_op_model("RSQRT", [TensorSpec("x", [9])], [TensorSpec("y", [9])])
    (ours,) = run_ember(model, [x])
    (ref,) = run_litert(model, [x])
    np.testing.assert_array_equal(ours, ref)  # equal values, NaN and inf included
    # (LiteRT's optimised kernel, an approximation, gives NaN at 0 and at denormals: ordinary inputs only.)


@pytest.mark.parametrize("seed", range(4))
def test_int8_negative_input_is_refused_like_litert(seed: int) -> None:
    rng = np.random.default_rng(900 + seed)
    zero_point = int(rng.integers(-100, 100))
    model, z = _int8_model([3, 4], rng, input_zero_point=zero_point)
    x = _valid_codes([3, 4], z, rng)
    bad = int(rng.integers(-128, z))
    x.flat[5] = bad
    with pytest.raises(RuntimeError, match="Rsqrt is only defined for positive values"):
        run_litert(model, [x])
    with pytest.raises(RuntimeModelError, match=r"^runtime error: RSQRT 0: input 'x' element 5 is "
                                                rf"{bad} \(zero point {z}\)"):
        run_ember(model, [x])


def test_int16_rsqrt_version_is_refused_at_load() -> None:
    # Version 3 is int16 (a 64K-entry table in LiteRT); the runtime implements float32 (v1) and int8 (v2).
    rng = np.random.default_rng(0)
    model = one_op_model("RSQRT", [qspec("x", [4], rng)], [qspec("y", [4], rng)], version=3)
    with pytest.raises(RuntimeModelError, match="RSQRT.*version 3"):
        run_ember(model, [np.zeros(4, np.int8)])


@pytest.mark.parametrize(("input_scale", "output_scale"), [(1.0, 4000.0), (1.0, 4095.0), (1e-6, 0.94e-6),
                                                           (0.01, 1e-7), (4.0, 0.002)])
def test_int8_rsqrt_extreme_requantisation_matches_litert(input_scale: float, output_scale: float) -> None:
    # 1 / (sqrt(s_in) s_out) near both ends of the supported [2^-12, 2^30): every code still bit-exact.
    rng = np.random.default_rng(7)
    ins = [qspec("x", [256], rng, scale=input_scale, zero_point=-128)]
    model = one_op_model("RSQRT", ins, [qspec("y", [256], rng, scale=output_scale)], version=2)
    compare(model, rng, feeds=[np.arange(-128, 128, dtype=np.int8)])


@pytest.mark.parametrize(("input_scale", "output_scale"), [(1.0, 1e9), (1e-6, 1e-9)])
def test_int8_rsqrt_refuses_requantisation_outside_defined_range(input_scale: float, output_scale: float) -> None:
    # There LiteRT's requantisation shifts right by more than 31 bits or overflows int32 (undefined behaviour,
    # whatever its build happens to print); the runtime refuses the model at allocate instead.
    rng = np.random.default_rng(8)
    ins = [qspec("x", [4], rng, scale=input_scale, zero_point=-128)]
    model = one_op_model("RSQRT", ins, [qspec("y", [4], rng, scale=output_scale)], version=2)
    with pytest.raises(RuntimeModelError, match=r"^unsupported: RSQRT 0: .*outside the supported"):
        run_ember(model, [np.zeros(4, np.int8)])
