"""16x8 SOFTMAX, LOGISTIC and TANH (int16 in and out, zero points 0, output scale 1/32768) against LiteRT's
reference kernels (BUILTIN_REF), bit-exact.

LOGISTIC and TANH are LiteRT's fixed-point kernels on its sigmoid table, compared on every one of the 65536 int16
inputs for input scales that take its power-of-two path (2^-12, and 2^-11 for TANH) and for random and extreme
general ones (the multiplier doubled up to 31 times, or a large one whose products wrap). SOFTMAX: random shapes
of ranks 1-4 (5 and 6 apart) and depths 1-300, input scales and betas, feeds over the whole range with its
extremes (rows of one value, -32768 next to 32767). The output scale rules differ and are pinned: LOGISTIC wants
exactly 1/32768, TANH 2^-15 to CheckedLog2's 1e-3, SOFTMAX within 0.1% of 1/32768; what LiteRT refuses is refused
with a message."""

from __future__ import annotations

import numpy as np
import pytest
from test_kernels_int16x8 import _act16, _check, _extreme_feeds, _litert, _one_op

from ember.runtime import Interpreter

ALL_INT16 = np.arange(-32768, 32768, dtype=np.int16).reshape(2, 128, 256)
S_OUT = 1.0 / 32768


def _unary(op: str, shape, s_in: float, s_out: float = S_OUT, options: dict | None = None,
           zp_in: int = 0, zp_out: int = 0) -> bytes:
    return _one_op(op, [_act16("x", shape, s_in, zp_in)], [_act16("y", shape, s_out, zp_out)], options or {},
                   version=3 if op != "SOFTMAX" else 3)


def _general_scales(rng: np.random.Generator, n: int) -> list[float]:
    fixed = [1e-9, 3.1e-7, 2.0**-12 * 1.01, 2.0**-13, 2.0**-10, 1e-3, 0.05, 1.2, 1.4, 3.0, 2000.0]
    return fixed + [float(10 ** rng.uniform(-6, 0)) for _ in range(n)]


@pytest.mark.parametrize("op", ["LOGISTIC", "TANH"])
def test_sigmoid_tanh_int16_every_input(op: str) -> None:
    rng = np.random.default_rng(40000 if op == "LOGISTIC" else 40001)
    pot = [2.0**-12, 2.0**-12 * (1 + 4e-4)] + ([2.0**-11, 2.0**-11 * (1 - 4e-4)] if op == "TANH" else [])
    for s_in in pot + _general_scales(rng, 12):
        _check(_unary(op, ALL_INT16.shape, s_in), [ALL_INT16])


def test_tanh_int16_output_scale_by_checked_log2() -> None:
    """TANH takes an output scale that is 2^-15 by CheckedLog2 (LOGISTIC wants exactly 1/32768)."""
    _check(_unary("TANH", ALL_INT16.shape, 2.0**-12, S_OUT * (1 + 2e-4)), [ALL_INT16])
    _check(_unary("TANH", ALL_INT16.shape, 3e-4, S_OUT * (1 - 2e-4)), [ALL_INT16])


@pytest.mark.parametrize("seed", range(30))
def test_softmax_int16(seed: int) -> None:
    rng = np.random.default_rng(41000 + seed)
    rank = int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 4)) for _ in range(rank - 1)] + [int(rng.choice([1, 2, 3, 7, 16, 33, 100, 300]))]
    s_in = float(10 ** rng.uniform(-5, -2.5)) if seed % 5 else float(10 ** rng.uniform(-7, -1))
    beta = 1.0 if seed % 3 == 0 else float(rng.uniform(0.05, 3.0))
    s_out = S_OUT * (1 + float(rng.choice([0.0, 9e-4, -9e-4]))) if seed % 4 == 1 else S_OUT
    model = _unary("SOFTMAX", shape, s_in, s_out, {"beta": beta})
    feeds = _extreme_feeds(rng, shape)
    row = np.full(shape, -32768, np.int16)
    row[..., 0] = 32767
    small = rng.integers(-40, 40, size=shape).astype(np.int16)  # differences within the table's finest steps
    for x in feeds + [row, small]:
        _check(model, [x])


def _refused_both(model: bytes, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Interpreter(model_content=model).allocate_tensors()
    it = _litert(model)
    with pytest.raises(RuntimeError):
        it.allocate_tensors()
        for d in it.get_input_details():
            it.set_tensor(d["index"], np.zeros(d["shape"], d["dtype"]))
        it.invoke()


@pytest.mark.parametrize("op", ["LOGISTIC", "TANH", "SOFTMAX"])
def test_int16_activation_refusals(op: str) -> None:
    shape = [2, 5]
    options = {"beta": 1.0} if op == "SOFTMAX" else {}
    _refused_both(_unary(op, shape, 1e-3, 2.0**-14, options), rf"{op} 0: int16 output 'y' has scale .*; it must "
                                                              r"be (exactly )?1/32768")
    _refused_both(_unary(op, shape, 1e-3, options=options, zp_in=3), rf"{op} 0: int16 tensor 'x' has zero point 3")
    _refused_both(_unary(op, shape, 1e-3, options=options, zp_out=-2), rf"{op} 0: int16 tensor 'y' has zero point -2")


def test_logistic_int16_output_scale_must_be_exact() -> None:
    _refused_both(_unary("LOGISTIC", [4], 1e-3, S_OUT * (1 + 2e-4)),
                  r"LOGISTIC 0: int16 output 'y' has scale .*; it must be exactly 1/32768")


def test_softmax_int16_rank_5_and_6() -> None:
    """LiteRT 2.x's int16 SOFTMAX takes ranks past 4 (its source once refused them): the last axis as always."""
    rng = np.random.default_rng(42000)
    for shape in ([2, 1, 2, 3, 5], [1, 2, 1, 2, 2, 9]):
        for x in _extreme_feeds(rng, shape):
            _check(_unary("SOFTMAX", shape, 1e-3, options={"beta": 1.0}), [x])


def replay_cases() -> list[tuple[str, bytes, list[np.ndarray]]]:
    """(name, model, feeds) for test_cross_replay: LOGISTIC and TANH on all 65536 inputs (power-of-two and general
    input scales), SOFTMAX int16."""
    cases = []
    for op in ("LOGISTIC", "TANH"):
        for s_in in (2.0**-12, 3.1e-4, 1e-9):
            cases.append((f"{op}/int16/{s_in:g}", _unary(op, ALL_INT16.shape, s_in), [ALL_INT16]))
    rng = np.random.default_rng(43000)
    shape = [3, 2, 17]
    model = _unary("SOFTMAX", shape, 2e-4, options={"beta": 0.7})
    cases.append(("SOFTMAX/int16", model, _extreme_feeds(rng, shape)[:1]))
    from tflite_builder import TensorSpec

    x = TensorSpec("x", shape, "int8", scales=[0.05], zero_points=[-3])
    model = _one_op("SOFTMAX", [x], [_act16("y", shape, 1.0 / 65536, -32768)], {"beta": 1.0}, version=3)
    cases.append(("SOFTMAX/int8_int16", model, [rng.integers(-128, 128, size=shape).astype(np.int8)]))
    return cases


def test_softmax_int16_huge_beta_is_refused() -> None:
    """beta * s_in past 2^30 * 10 / 65535 shifts the differences past int32 in LiteRT (its outputs are then
    wrapped garbage, 10922 for a 1 against a 5): ember refuses; a large one below that still matches."""
    x = np.array([[0, 1, -1, 5, -32768]], np.int16)
    _check(_unary("SOFTMAX", [1, 5], 1.0, options={"beta": 1e4}), [x])
    with pytest.raises(ValueError, match=r"SOFTMAX 0: beta 200000 times input scale 1 is too large for the int16 "
                                         r"kernel"):
        Interpreter(model_content=_unary("SOFTMAX", [1, 5], 1.0, options={"beta": 2e5})).allocate_tensors()


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("seed", range(8))
def test_softmax_int8_to_int16(dtype: str, seed: int) -> None:
    """int8 (and uint8) input, int16 output: LiteRT's reference int8 kernel with 16 output bits, codes of scale
    1/65536 and zero point -32768 whatever the output tensor declares (LiteRT checks none)."""
    from tflite_builder import TensorSpec

    rng = np.random.default_rng(44000 + seed)
    shape = [int(rng.integers(1, 4)), int(rng.choice([1, 2, 5, 16, 100]))]
    lo, hi = (-128, 128) if dtype == "int8" else (0, 256)
    x_spec = TensorSpec("x", shape, dtype, scales=[float(10 ** rng.uniform(-2.5, -0.3))],
                        zero_points=[int(rng.integers(lo, hi))])
    out_q = [(1.0 / 65536, -32768), (S_OUT, 0), (0.01, 7)][seed % 3]
    y_spec = TensorSpec("y", shape, "int16", scales=[out_q[0]], zero_points=[out_q[1]])
    model = _one_op("SOFTMAX", [x_spec], [y_spec], {"beta": float(rng.uniform(0.3, 2.0))}, version=3)
    for x in (rng.integers(lo, hi, size=shape).astype(dtype), np.full(shape, hi - 1, dtype),
              np.where(np.arange(shape[-1]) % 2 == 0, lo, hi - 1).astype(dtype) + np.zeros(shape, dtype)):
        _check(model, [x])
