"""16x8 (int16 activations, zero point 0) ADD, SUB and MUL against LiteRT's reference kernels (BUILTIN_REF),
bit-exact.

ADD and SUB take one of LiteRT's two int16 paths: the general one (int8's arithmetic with a left shift of 15),
and, when pot_scale_int16 is true (the schema's default, written or not) and every scale is a power of two to
within CheckedLog2's 1e-3, the power-of-two one, which divides one input by 2^k (k up to 31: past 15 gemmlowp's
int16 rounding gives +-1) and adds. The sweeps cover shapes with broadcasting (either side, scalars, ranks 1-5),
random and extreme scales, every fused activation and feeds over the whole int16 range with its extremes. MUL:
int16 x int16 -> int16 (rescaling up to the wrapping products of large multipliers) and int16 x int16 -> int8 or
uint8 (LiteRT's LSTM form: the Q0.15 product / 2^8). What LiteRT refuses (zero points, power-of-two scales it cannot
line up) is refused with a message."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from test_kernels_int16x8 import _act16, _check, _extreme_feeds, _int16, _litert, _one_op
from tflite_builder import TensorSpec

from ember.runtime import Interpreter

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]


def _broadcast_shapes(rng: np.random.Generator, allow_broadcast: bool = True) -> tuple[list[int], list[int], list[int]]:
    rank = int(rng.integers(1, 6))
    out = [int(rng.integers(1, 6)) for _ in range(rank)]
    if not allow_broadcast or rng.random() < 0.3:
        return out, list(out), out
    other = [d if rng.random() < 0.5 else 1 for d in out]
    other = other[int(rng.integers(0, rank + 1)):] if rng.random() < 0.5 else other  # fewer axes (a scalar at 0)
    return (out, other, out) if rng.random() < 0.5 else (other, out, out)


def _feeds(rng: np.random.Generator, a: Sequence[int], b: Sequence[int]) -> list[list[np.ndarray]]:
    fa, fb = _extreme_feeds(rng, a), _extreme_feeds(rng, b)
    return [[fa[0], fb[0]], [fa[1], fb[2]], [fa[2], fb[1]], [fa[1], fb[1]], [fa[2], fb[2]], [_int16(rng, a), fb[0]]]


def _binary(op: str, a: Sequence[int], b: Sequence[int], out: Sequence[int], s1: float, s2: float, so: float,
            options: dict | None = None) -> bytes:
    return _one_op(op, [_act16("x1", a, s1), _act16("x2", b, s2)], [_act16("y", out, so)], options or {},
                   version=3 if op != "MUL" else 5)


@pytest.mark.parametrize("op", ["ADD", "SUB"])
@pytest.mark.parametrize("seed", range(25))
def test_add_sub_int16_general_scales(op: str, seed: int) -> None:
    rng = np.random.default_rng(30000 + seed + (0 if op == "ADD" else 500))
    a, b, out = _broadcast_shapes(rng)
    s1, s2 = float(10 ** rng.uniform(-5, -1)), float(10 ** rng.uniform(-5, -1))
    if seed % 5 == 0:
        s2 = s1  # equal scales: both input multipliers 1/2
    # the output rescale 2 max(s1, s2) / (2^15 s_out) must stay below 1 (LiteRT checks it)
    so = max(s1, s2) * float(10 ** rng.uniform(-4.1, 1.0))
    options = {"activation": str(rng.choice(ACTS))}
    if seed % 3 == 1:
        options["pot_scale_int16"] = False
    model = _binary(op, a, b, out, s1, s2, so, options)
    for feeds in _feeds(rng, a, b):
        _check(model, feeds)


@pytest.mark.parametrize("op", ["ADD", "SUB"])
@pytest.mark.parametrize("seed", range(25))
def test_add_sub_int16_power_of_two_scales(op: str, seed: int) -> None:
    """One input at the output's scale, the other 2^k finer (k = 0..31, past 15 included); scales a relative
    5e-5 off a power of two still count as one (CheckedLog2). SUB broadcasts here too, ADD needs equal
    shapes."""
    rng = np.random.default_rng(31000 + seed + (0 if op == "ADD" else 500))
    a, b, out = _broadcast_shapes(rng, allow_broadcast=op == "SUB")
    lo = int(rng.integers(-18, 0))
    k = int(rng.choice([0, 1, 3, 7, 14, 15, 16, 17, 25, 31])) if seed % 4 else int(rng.integers(0, 32))
    near = 1.0 + float(rng.choice([0.0, 5e-5, -5e-5]))
    so, s_shifted = 2.0 ** lo, 2.0 ** (lo - k) * near
    s1, s2 = (so, s_shifted) if seed % 2 else (s_shifted, so)
    options = {"activation": str(rng.choice(ACTS))}
    if seed % 3 == 0:
        options["pot_scale_int16"] = True
    model = _binary(op, a, b, out, s1, s2, so, options)
    for feeds in _feeds(rng, a, b):
        _check(model, feeds)


def test_pot_rounding_past_int16_matches_litert() -> None:
    """Dividing by 2^16 or more with gemmlowp's int16 mask gives 1 for every x >= 0 (0 too) and -1 below: LiteRT's
    bits, compared on every int16 value."""
    x = np.arange(-32768, 32768, dtype=np.int16).reshape(256, 256)
    zero = np.zeros_like(x)
    for op in ("ADD", "SUB"):
        for k in (15, 16, 20, 31):
            model = _binary(op, [256, 256], [256, 256], [256, 256], 2.0**-3, 2.0 ** (-3 - k), 2.0**-3)
            ours = _check(model, [zero, x])
            assert set(np.unique(ours).tolist()) <= ({-1, 1} if k > 15 else {-1, 0, 1}) | ({0} if k == 15 else set())


@pytest.mark.parametrize("seed", range(25))
def test_mul_int16(seed: int) -> None:
    rng = np.random.default_rng(32000 + seed)
    a, b, out = _broadcast_shapes(rng)
    s1, s2 = float(10 ** rng.uniform(-5, -1)), float(10 ** rng.uniform(-5, -1))
    # real multiplier s1 s2 / s_out from 2^-40 (flushes) to 2^4 (products past 2^31 wrap, as LiteRT's do)
    so = s1 * s2 / float(2.0 ** rng.uniform(-40, 4)) if seed % 4 == 0 else s1 * s2 * float(10 ** rng.uniform(2, 6))
    model = _binary("MUL", a, b, out, s1, s2, so, {"activation": str(rng.choice(ACTS))})
    for feeds in _feeds(rng, a, b):
        _check(model, feeds)


@pytest.mark.parametrize("out", ["int8", "uint8"])
@pytest.mark.parametrize("seed", range(10))
def test_mul_int16_to_int8(seed: int, out: str) -> None:
    """int16 x int16 -> int8 or uint8 (LiteRT's LSTM form: the Q0.15 product / 2^8 plus the output's zero point,
    the scales unused)."""
    rng = np.random.default_rng(33000 + seed + (0 if out == "int8" else 50))
    a, _, _ = _broadcast_shapes(rng, allow_broadcast=False)
    lo, hi = (-128, 128) if out == "int8" else (0, 256)
    y = TensorSpec("y", a, out, scales=[float(10 ** rng.uniform(-3, 0))], zero_points=[int(rng.integers(lo, hi))])
    model = _one_op("MUL", [_act16("x1", a, float(10 ** rng.uniform(-5, -1))),
                            _act16("x2", a, float(10 ** rng.uniform(-5, -1)))], [y],
                    {"activation": str(rng.choice(ACTS))}, version=5)
    for feeds in _feeds(rng, a, a):
        _check(model, feeds)


def _refused_both(model: bytes, match: str) -> None:
    """ember refuses at allocate_tensors; LiteRT at its prepare or (MUL's zero points) its invoke."""
    with pytest.raises(ValueError, match=match):
        Interpreter(model_content=model).allocate_tensors()
    it = _litert(model)
    with pytest.raises(RuntimeError):
        it.allocate_tensors()
        for d in it.get_input_details():
            it.set_tensor(d["index"], np.zeros(d["shape"], d["dtype"]))
        it.invoke()


@pytest.mark.parametrize("op", ["ADD", "SUB", "MUL"])
def test_int16_zero_points_are_refused(op: str) -> None:
    s = [2, 3]
    for which in range(3):
        zps = [0, 0, 0]
        zps[which] = 7
        model = _one_op(op, [_act16("x1", s, 1e-3, zps[0]), _act16("x2", s, 2e-3, zps[1])],
                        [_act16("y", s, 3e-3, zps[2])], version=3)
        name = ["x1", "x2", "y"][which]
        _refused_both(model, rf"{op} 0: int16 tensor '{name}' has zero point 7; 16x8 quantisation is symmetric")


@pytest.mark.parametrize("op", ["ADD", "SUB"])
def test_int16_power_of_two_scales_that_do_not_line_up_are_refused(op: str) -> None:
    s = [4]
    _refused_both(_binary(op, s, s, s, 2.0**-8, 2.0**-9, 2.0**-7),
                  rf"{op} 0: int16 with power-of-two scales 2\^-8, 2\^-9 \(output 2\^-7\) rescales one input only")
    _refused_both(_binary(op, s, s, s, 2.0**-6, 2.0**-7, 2.0**-7),
                  rf"{op} 0: int16 with power-of-two scales: input scale 2\^-6 is smaller than the output's 2\^-7")
    # the same scales take the general path when pot_scale_int16 is false: LiteRT and ember agree
    rng = np.random.default_rng(34000)
    for feeds in _feeds(rng, s, s):
        _check(_binary(op, s, s, s, 2.0**-6, 2.0**-7, 2.0**-7, {"pot_scale_int16": False}), feeds)


_LITERT_RUN = """
import sys
import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType
it = Interpreter(model_path=sys.argv[1], experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
it.allocate_tensors()
for d in it.get_input_details():
    it.set_tensor(d["index"], np.ones(d["shape"], d["dtype"]))
it.invoke()
"""


def _litert_aborts(model: bytes, tmp_path: Path) -> None:
    """LiteRT run in a child process stops it on a failed CHECK (SIGABRT), where ember refuses with a message."""
    path = tmp_path / "model.tflite"
    path.write_bytes(model)
    result = subprocess.run([sys.executable, "-c", _LITERT_RUN, str(path)], capture_output=True, timeout=120)
    assert result.returncode < 0, (result.returncode, result.stderr[-500:])


def test_int16_pot_add_with_broadcast_is_refused(tmp_path: Path) -> None:
    """LiteRT's power-of-two int16 ADD has no broadcasting form (it stops the process on a size check): ember
    refuses it."""
    model = _binary("ADD", [2, 3], [3], [2, 3], 2.0**-8, 2.0**-8, 2.0**-8)
    with pytest.raises(ValueError, match=r"ADD 0: int16 with power-of-two scales and broadcasting"):
        Interpreter(model_content=model).allocate_tensors()
    _litert_aborts(model, tmp_path)


def test_mul_int16_to_int8_with_broadcast_is_refused(tmp_path: Path) -> None:
    y = TensorSpec("y", [2, 3], "int8", scales=[0.1], zero_points=[0])
    model = _one_op("MUL", [_act16("x1", [2, 3], 1e-3), _act16("x2", [3], 1e-3)], [y], version=5)
    with pytest.raises(ValueError, match=r"MUL 0: int16 inputs with an int8 output do not broadcast"):
        Interpreter(model_content=model).allocate_tensors()
    _litert_aborts(model, tmp_path)


@pytest.mark.parametrize("op", ["ADD", "SUB"])
def test_add_sub_int16_output_rescale_of_one_or_more_is_refused(op: str, tmp_path: Path) -> None:
    """2 max(s1, s2) / (2^15 s_out) >= 1 fails ADD's QuantizeMultiplierSmallerThanOneExp check in LiteRT (it
    aborts); its SUB goes on to divide by a negative power of two (+-1 whatever the inputs): both refused."""
    model = _binary(op, [3], [3], [3], 1e-2, 1e-3, 1e-7, {"pot_scale_int16": False})
    with pytest.raises(ValueError, match=rf"{op} 0: output rescale factor .* is outside \(0, 1\)"):
        Interpreter(model_content=model).allocate_tensors()
    if op == "ADD":
        _litert_aborts(model, tmp_path)


def test_mul_int16_multiplier_is_computed_in_float() -> None:
    """LiteRT's MUL multiplier is s1 * s2 / s_out in float (its scales are floats), not in double: with the scales
    of TensorFlow's mixed16x8 model, 29593 * 32535 gives 29852 that way and 29853 with the double quotient. All
    65536 x1 against fixed and random x2, for triples whose float and double quotients differ."""
    s1, s2, so = 2.0**-15, 2.0**-15, float(np.float32(3.0037185e-05))
    x1 = np.arange(-32768, 32768, dtype=np.int16).reshape(256, 256)
    model = _binary("MUL", [256, 256], [256, 256], [256, 256], s1, s2, so)
    ours = _check(model, [np.full_like(x1, 29593), np.full_like(x1, 32535)])
    assert int(ours.ravel()[0]) == 29852
    rng = np.random.default_rng(35000)
    triples = [(s1, s2, so)]
    while len(triples) < 6:
        a, b, c = (float(np.float32(10 ** rng.uniform(-5, -2))) for _ in range(3))
        if float(np.float32(np.float32(a) * np.float32(b) / np.float32(c))) != a * b / c:
            triples.append((a, b, c))
    for a, b, c in triples:
        model = _binary("MUL", [256, 256], [256, 256], [256, 256], a, b, c)
        for x2 in (np.full_like(x1, 32535), _int16(rng, x1.shape), np.full_like(x1, -32768)):
            _check(model, [x1, x2])


def replay_cases() -> list[tuple[str, bytes, list[np.ndarray]]]:
    """(name, model, feeds) for test_cross_replay: int16 ADD and SUB on both paths (the power-of-two one past 2^15
    too), MUL int16 -> int16 and -> int8, with broadcasting and the extremes."""
    rng = np.random.default_rng(36000)
    cases: list[tuple[str, bytes, list[np.ndarray]]] = []
    a, b = [2, 3, 5], [3, 1]
    for op in ("ADD", "SUB"):
        model = _binary(op, a, b, a, 3e-4, 7e-4, 9e-4, {"activation": "RELU6"})
        cases.append((f"{op}/int16/general", model, [_int16(rng, a), _int16(rng, b)]))
        for k in (3, 17):
            model = _binary(op, a, a, a, 2.0**-9, 2.0 ** (-9 - k), 2.0**-9)
            cases.append((f"{op}/int16/pot{k}", model, [_int16(rng, a), _int16(rng, a)]))
    cases.append(("MUL/int16", _binary("MUL", a, b, a, 3e-4, 7e-4, 1e-5), [_int16(rng, a), _int16(rng, b)]))
    y = TensorSpec("y", a, "int8", scales=[0.02], zero_points=[5])
    model = _one_op("MUL", [_act16("x1", a, 1e-3), _act16("x2", a, 1e-3)], [y], {"activation": "RELU"}, version=5)
    cases.append(("MUL/int16_int8", model, [_int16(rng, a), _int16(rng, a)]))
    return cases


def test_int16_binary_ops_after_resize() -> None:
    """resize_tensor_input re-runs prepare: the broadcast, the power-of-two ADD's equal-shape check and MUL's
    int8 output form follow the new shapes as LiteRT's do."""
    rng = np.random.default_rng(37000)
    for op, scales in (("ADD", (3e-4, 7e-4, 9e-4)), ("SUB", (2.0**-9, 2.0**-12, 2.0**-9)), ("MUL", (3e-4, 7e-4, 1e-5))):
        model = _binary(op, [1, 3], [1, 3], [1, 3], *scales)
        for shapes in (([4, 3], [1, 3]), ([5, 3], [5, 1]), ([2, 6], [2, 6])):
            ours, theirs = Interpreter(model_content=model), _litert(model)
            for it in (ours, theirs):
                for d, shape in zip(it.get_input_details(), shapes, strict=True):
                    it.resize_tensor_input(d["index"], list(shape))
                it.allocate_tensors()
            feeds = [_int16(rng, shape) for shape in shapes]
            for it in (ours, theirs):
                for d, x in zip(it.get_input_details(), feeds, strict=True):
                    it.set_tensor(d["index"], x)
                it.invoke()
            np.testing.assert_array_equal(ours.get_tensor(ours.get_output_details()[0]["index"]),
                                          theirs.get_tensor(theirs.get_output_details()[0]["index"]))


@pytest.mark.parametrize("op", ["ADD", "SUB"])
def test_int16_power_of_two_shift_past_31_is_refused(op: str) -> None:
    """Dividing by 2^32 or more shifts an int past its width in LiteRT's gemmlowp rounding (undefined in C++):
    ember refuses; 2^31 is still compared (test_pot_rounding_past_int16_matches_litert)."""
    model = _binary(op, [4], [4], [4], 2.0**-5, 2.0**-37, 2.0**-5)
    with pytest.raises(ValueError, match=rf"{op} 0: int16 with power-of-two scales divides by 2\^32, past the 2\^31"):
        Interpreter(model_content=model).allocate_tensors()
