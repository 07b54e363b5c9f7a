"""int8 and uint8 DIV against LiteRT's reference kernels (BUILTIN_REF), bit-exact: every code pair for scale sets
whose final shift spans the whole range (below 32, where gemmlowp's rounding divide is defined, past 32 and past 64,
where LiteRT's x86-64 build gives its own answers, up to the largest ratio the runtime takes), random shapes and
broadcasts up to rank 5, zero points, fused activations and constant divisors; a divisor at its zero point fails the
invoke in both runtimes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from single_op import compare, one_op_model, run_ember, run_litert
from tflite_builder import TensorSpec

from ember.runtime import Interpreter

ACTIVATIONS = (0, 1, 2, 3)  # NONE, RELU, RELU_N1_TO_1, RELU6
OFFSET = {"int8": 0, "uint8": 128}  # a uint8 code is the int8 code + 128


def _div_model(dtype: str, q1: tuple[float, int], q2: tuple[float, int], qo: tuple[float, int], shape1: list[int],
               shape2: list[int], out: list[int], activation: int = 0, divisor: np.ndarray | None = None) -> bytes:
    def t(name, shape, q, data=None):
        return TensorSpec(name, shape, dtype, data=data, scales=[float(np.float32(q[0]))], zero_points=[q[1]])

    return one_op_model("DIV", [t("a", shape1, q1), t("b", shape2, q2, divisor)], [t("y", out, qo)],
                        {"fused_activation_function": activation}, version=2)


def _all_pairs(dtype: str, z2: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (dividend, divisor) code pair but divisors at the zero point."""
    codes = np.arange(-128, 128) + OFFSET[dtype]
    x1, x2 = np.repeat(codes, 256), np.tile(codes, 256)
    keep = x2 != z2
    return x1[keep].astype(dtype), x2[keep].astype(dtype)


# (s1, s2, s_out): ratios s1 / (s2 * s_out) from 2^-31 (multiplier flushed to 0) to just under 2^23 (shift 23)
SCALE_SETS = [(0.05, 0.1, 0.1), (0.1, 0.01, 1.0), (0.02, 0.5, 0.004), (1e-4, 1.0, 10.0), (0.5, 0.5, 2 ** -9),
              (2 ** -28, 1.0, 1.0), (1e-10, 1.0, 10.0), (3.0, 0.001, 0.002), (1.0, 1e-3, 1.3e-4)]


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("scales", SCALE_SETS)
def test_every_code_pair_matches_litert_reference(dtype: str, scales: tuple[float, float, float]) -> None:
    s1, s2, so = scales
    z1, z2, zo = 3 + OFFSET[dtype], -5 + OFFSET[dtype], 10 + OFFSET[dtype]
    x1, x2 = _all_pairs(dtype, z2)
    model = _div_model(dtype, (s1, z1), (s2, z2), (so, zo), [x1.size], [x1.size], [x1.size])
    np.testing.assert_array_equal(run_ember(model, [x1, x2])[0], run_litert(model, [x1, x2])[0])


def _final_shift(a: np.ndarray, b: np.ndarray, ratio: float) -> np.ndarray:
    """The right shift of the reference's last rounding divide: the dividend's leading sign bits (after the signs
    are moved off the divisor) plus the reciprocal's shift minus the multiplier's exponent."""
    a = a * np.sign(b)
    magnitude = np.where(a >= 0, a, -a - 1)  # the bits of ~a for a negative a
    sign_bits = 31 - np.where(magnitude > 0, np.floor(np.log2(np.maximum(magnitude, 1))) + 1, 0)
    recip_shift = np.floor(np.log2(np.abs(b)))
    return sign_bits + recip_shift - math.frexp(ratio)[1]


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("scales", [(0.05, 0.1, 0.1), (0.02, 0.5, 0.004), (3.0, 0.001, 0.002)])
def test_every_code_pair_against_the_real_quotient_where_the_shift_is_defined(
        dtype: str, scales: tuple[float, float, float]) -> None:
    # closed form: where the final shift is at most 31 the answer is the rounded real quotient, up to the
    # fixed-point reciprocal's last bit; past 31 a dividend of 0 gives zero point + 1 (LiteRT's x86-64 answer)
    s1, s2, so = scales
    z1, z2, zo = 3 + OFFSET[dtype], -5 + OFFSET[dtype], 10 + OFFSET[dtype]
    x1, x2 = _all_pairs(dtype, z2)
    model = _div_model(dtype, (s1, z1), (s2, z2), (so, zo), [x1.size], [x1.size], [x1.size])
    ours = run_ember(model, [x1, x2])[0].astype(np.int64)
    a, b = x1.astype(np.int64) - z1, x2.astype(np.int64) - z2
    info = np.iinfo(dtype)
    f1, f2, fo = (float(np.float32(s)) for s in scales)
    exact = np.clip(np.round(a * f1 / (b * f2) / fo) + zo, info.min, info.max)
    shift = _final_shift(a, b, float(np.float32(f1) / (np.float32(f2) * np.float32(fo))))
    defined = shift <= 31
    assert defined.mean() > 0.9
    assert np.abs(ours[defined] - exact[defined]).max() <= 1
    np.testing.assert_array_equal(ours[(a == 0) & ~defined], zo + 1)


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("seed", range(12))
def test_random_shapes_broadcasts_and_activations_match_litert(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(4100 + seed)
    rank = int(rng.integers(1, 6))
    out = [int(rng.integers(1, 5)) for _ in range(rank)]
    shape1 = [n if rng.random() < 0.6 else 1 for n in out]
    shape2 = [n if rng.random() < 0.6 else 1 for n in out][int(rng.integers(0, rank)):]  # lower rank too
    out = [max(a, b) for a, b in zip(shape1, [1] * (rank - len(shape2)) + shape2, strict=True)]
    info = np.iinfo(dtype)

    def q() -> tuple[float, int]:
        return float(10 ** rng.uniform(-2.5, 0)), int(rng.integers(info.min, info.max + 1))

    q1, q2, qo = q(), q(), q()
    activation = int(rng.choice(ACTIVATIONS))
    divisor = None
    if seed % 3 == 0:  # a constant divisor
        divisor = rng.integers(info.min, info.max + 1, size=shape2)
        divisor[divisor == q2[1]] = q2[1] + (1 if q2[1] < info.max else -1)
        divisor = divisor.astype(dtype)
    model = _div_model(dtype, q1, q2, qo, shape1, shape2, out, activation, divisor)
    for _ in range(3):
        x1 = rng.integers(info.min, info.max + 1, size=shape1).astype(dtype)
        feeds = [x1]
        if divisor is None:
            x2 = rng.integers(info.min, info.max + 1, size=shape2)
            x2[x2 == q2[1]] = q2[1] + (1 if q2[1] < info.max else -1)
            feeds.append(x2.astype(dtype))
        compare(model, rng, feeds)


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
def test_divisor_at_its_zero_point_fails_the_invoke_as_in_litert(dtype: str) -> None:
    z2 = 7 + OFFSET[dtype]
    model = _div_model(dtype, (0.1, OFFSET[dtype]), (0.1, z2), (0.1, OFFSET[dtype]), [4], [4], [4])
    x1 = np.full(4, 20 + OFFSET[dtype], dtype)
    x2 = np.array([9, 0, 7, 1], np.int64) + OFFSET[dtype]  # element 2 is the quantised 0
    with pytest.raises(Exception, match="zero_point"):
        run_litert(model, [x1, x2.astype(dtype)])
    with pytest.raises(Exception, match="division by 0: element 2 of divisor 'b' is its zero point"):
        run_ember(model, [x1, x2.astype(dtype)])
    x2[2] = 8 + OFFSET[dtype]  # a raw code 0 (int8) or 128 (uint8) is a divisor like any other
    np.testing.assert_array_equal(run_ember(model, [x1, x2.astype(dtype)])[0],
                                  run_litert(model, [x1, x2.astype(dtype)])[0])


def test_scale_ratio_of_2_to_the_23_is_refused_at_allocate() -> None:
    # the final shift would turn into a left shift, which LiteRT's reference leaves undefined
    model = _div_model("uint8", (1.0, 128), (1e-3, 128), (1.1e-4, 128), [4], [4], [4])
    interpreter = Interpreter(model_content=model)
    with pytest.raises(Exception, match=r"scale ratio s1 / \(s2 \* s_out\) = .* is 2\^23 or more"):
        interpreter.allocate_tensors()


def test_int32_and_mixed_types_are_refused_with_the_types_named() -> None:
    a, b, y = (TensorSpec(n, [3], "int32") for n in "aby")
    with pytest.raises(Exception, match="DIV 0: type int32 is not supported"):
        Interpreter(model_content=one_op_model("DIV", [a, b], [y])).allocate_tensors()
    a = TensorSpec("a", [3], "uint8", scales=[0.1], zero_points=[128])
    b = TensorSpec("b", [3], "int8", scales=[0.1], zero_points=[0])
    with pytest.raises(Exception, match="must have the same type"):
        Interpreter(model_content=one_op_model("DIV", [a, b], [a])).allocate_tensors()


def replay_cases() -> list[tuple[str, bytes, list[np.ndarray]]]:
    """(name, model, feeds) for test_cross_replay: every code pair of int8 and uint8 DIV (the shifts past 31
    included) and an int8 broadcast with a fused RELU."""
    cases = []
    for dtype in ("int8", "uint8"):
        z2 = -5 + OFFSET[dtype]
        x1, x2 = _all_pairs(dtype, z2)
        model = _div_model(dtype, (0.02, 3 + OFFSET[dtype]), (0.5, z2), (0.004, 10 + OFFSET[dtype]), [x1.size],
                           [x1.size], [x1.size])
        cases.append((f"DIV_all_code_pairs/{dtype}", model, [x1, x2]))
    rng = np.random.default_rng(5)
    model = _div_model("int8", (0.05, -3), (0.02, 4), (0.1, -20), [2, 3, 4], [3, 1], [2, 3, 4], activation=1)
    x2 = rng.integers(-128, 128, size=(3, 1))
    x2[x2 == 4] = 5
    cases.append(("DIV_broadcast_relu/int8", model, [rng.integers(-128, 128, size=(2, 3, 4)).astype(np.int8),
                                                      x2.astype(np.int8)]))
    return cases
