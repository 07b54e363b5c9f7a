"""16x8 AVERAGE_POOL_2D and MAX_POOL_2D (int16 in and out with one scale and zero point) against LiteRT's reference
kernels (BUILTIN_REF), bit-exact: random shapes, windows, strides, SAME/VALID padding, fused activations and zero
points (LiteRT's int16 pooling takes any, input and output sharing it), feeds over the whole int16 range with its
extremes; windows of many taps whose sum passes int32 (LiteRT 2.x sums in int32, wrapping); ties of the average
rounded half away from zero. Input and output quantisation that differ are refused."""

from __future__ import annotations

import numpy as np
import pytest
from test_kernels_int16x8 import _act16, _check, _extreme_feeds, _one_op, _out_size

from ember.runtime import Interpreter

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]


def _pool_case(rng: np.random.Generator, op: str, zp: int | None = None):
    n, h, w = int(rng.integers(1, 3)), int(rng.integers(1, 12)), int(rng.integers(1, 12))
    c = int(rng.choice([1, 2, 3, 5]))
    fh, fw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    padding = str(rng.choice(["SAME", "VALID"]))
    if padding == "VALID":
        h, w = max(h, fh), max(w, fw)
    oh, ow = _out_size(padding, h, fh, sh, 1), _out_size(padding, w, fw, sw, 1)
    s = float(10 ** rng.uniform(-5, -1))
    zp = zp if zp is not None else (0 if rng.random() < 0.6 else int(rng.integers(-20000, 20000)))
    options = {"padding": padding, "stride_h": sh, "stride_w": sw, "filter_h": fh, "filter_w": fw,
               "activation": str(rng.choice(ACTS))}
    model = _one_op(op, [_act16("x", [n, h, w, c], s, zp)], [_act16("y", [n, oh, ow, c], s, zp)], options, version=3)
    return model, (n, h, w, c)


@pytest.mark.parametrize("op", ["AVERAGE_POOL_2D", "MAX_POOL_2D"])
@pytest.mark.parametrize("seed", range(30))
def test_pool_int16(op: str, seed: int) -> None:
    rng = np.random.default_rng(50000 + seed + (0 if op == "MAX_POOL_2D" else 100))
    model, shape = _pool_case(rng, op)
    for x in _extreme_feeds(rng, shape) + [rng.integers(-3, 4, size=shape).astype(np.int16)]:  # small: ties
        _check(model, [x])


@pytest.mark.parametrize("op", ["AVERAGE_POOL_2D", "MAX_POOL_2D"])
def test_pool_int16_wide_window(op: str) -> None:
    """A 300x300 window over 32767s (or -32768s): the sum passes int32 and wraps in LiteRT 2.x's AVERAGE_POOL_2D
    (-32768 averages to 14954 there), which ember reproduces; MAX_POOL_2D is unaffected."""
    shape = [1, 300, 300, 1]
    options = {"padding": "VALID", "filter_h": 300, "filter_w": 300}
    model = _one_op(op, [_act16("x", shape, 1e-3)], [_act16("y", [1, 1, 1, 1], 1e-3)], options, version=3)
    rng = np.random.default_rng(50500)
    for x in _extreme_feeds(rng, shape):
        _check(model, [x])
    wrapped = _check(model, [np.full(shape, -32768, np.int16)])
    assert int(wrapped.ravel()[0]) == (14954 if op == "AVERAGE_POOL_2D" else -32768)


def test_pool_int16_quantisation_must_match() -> None:
    for op in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        for y in (_act16("y", [1, 2, 2, 1], 2e-3), _act16("y", [1, 2, 2, 1], 1e-3, 5)):
            model = _one_op(op, [_act16("x", [1, 4, 4, 1], 1e-3)], [y],
                            {"filter_h": 2, "filter_w": 2, "stride_h": 2, "stride_w": 2}, version=3)
            with pytest.raises(ValueError, match=rf"{op} 0: int16 input 'x' .* and output 'y' .* must share "
                                                 r"quantisation parameters"):
                Interpreter(model_content=model).allocate_tensors()


def replay_cases() -> list[tuple[str, bytes, list[np.ndarray]]]:
    """(name, model, feeds) for test_cross_replay: the int16 pools with a zero point and an activation."""
    rng = np.random.default_rng(51000)
    cases = []
    for op in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        for k in range(2):
            model, shape = _pool_case(rng, op, zp=[0, 1234][k])
            cases.append((f"{op}/int16/{k}", model, [_extreme_feeds(rng, shape)[0]]))
    return cases
