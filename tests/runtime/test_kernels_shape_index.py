"""Shape and indexing kernels (SPLIT, SPLIT_V, SLICE, EXPAND_DIMS, TILE, BROADCAST_TO, GATHER_ND, ARG_MAX, ARG_MIN,
REDUCE_PROD, UNPACK, REVERSE_V2, RANGE) and the int16/int64/bool forms of the older layout kernels, against LiteRT's
reference kernels on random one-op models: every type each LiteRT kernel takes, bit-exact (these ops move or
compare values; REDUCE_PROD and RANGE float32 within 1e-5, in practice equal), negative axes, ranks 1 to 6 where
LiteRT allows them and empty tensors. Refusals (types LiteRT does not take, shapes that depend on values computed at
run time, indices outside params) are checked against LiteRT refusing the same model where it does."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from single_op import compare, one_op_model, run_ember, run_litert
from tflite_builder import TensorSpec

from ember.runtime import Interpreter, RuntimeModelError

ALL = ["float32", "int8", "uint8", "int16", "int32", "int64", "bool"]
NO_BOOL = [d for d in ALL if d != "bool"]
QUANTIZED = {"int8": (0.05, -7), "uint8": (0.03, 131), "int16": (0.002, 0)}  # int16: symmetric, as LiteRT wants


def _t(name: str, shape: Sequence[int], dtype: str, data: np.ndarray | None = None) -> TensorSpec:
    """A tensor of dtype; the quantised ones share one scale and zero point (the ops keep their input's)."""
    if dtype in QUANTIZED:
        scale, zero_point = QUANTIZED[dtype]
        return TensorSpec(name, list(shape), dtype, data=data, scales=[scale], zero_points=[zero_point])
    return TensorSpec(name, list(shape), dtype, data=data)


def _ints(name: str, values: Sequence[int], dtype: str = "int32", scalar: bool = False) -> TensorSpec:
    data = np.array(values[0] if scalar else list(values), dtype)
    return TensorSpec(name, [] if scalar else [len(values)], dtype, data=data)


def _values(shape: Sequence[int], dtype: str, rng: np.random.Generator, spread: int | None = None) -> np.ndarray:
    """Random values over the type's range (or over `spread` distinct values, to make ties)."""
    shape = tuple(shape)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype == "float32":
        if spread:
            return rng.integers(0, spread, shape).astype(np.float32) * np.float32(0.5)
        return (rng.standard_normal(shape) * 3).astype(np.float32)
    info = np.iinfo(dtype)
    lo, hi = (0, spread) if spread else (max(int(info.min), -(2**40)), min(int(info.max), 2**40))
    return rng.integers(lo, hi, shape, endpoint=not spread).astype(dtype)


def _shape(rng: np.random.Generator, rank: int, lo: int = 1, hi: int = 4) -> list[int]:
    return [int(rng.integers(lo, hi + 1)) for _ in range(rank)]


def _compare(model: bytes, feeds: Sequence[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    return compare(model, rng, feeds=list(feeds))


# ---- SPLIT, SPLIT_V, UNPACK ----

@pytest.mark.parametrize("dtype", NO_BOOL)
@pytest.mark.parametrize("seed", range(6))
def test_split(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    rank = 1 + seed % 6
    shape = _shape(rng, rank)
    axis = int(rng.integers(-rank, rank))
    splits = int(rng.choice([k for k in range(1, 5) if k <= 4]))
    shape[axis] = splits * int(rng.integers(0 if seed == 5 else 1, 3))  # seed 5: an empty axis
    piece = list(shape)
    piece[axis] //= splits
    outs = [_t(f"y{i}", piece, dtype) for i in range(splits)]
    model = one_op_model("SPLIT", [_ints("axis", [axis], scalar=True), _t("x", shape, dtype)], outs,
                         {"num_splits": splits}, version=1)
    _compare(model, [_values(shape, dtype, rng)], rng)


@pytest.mark.parametrize("dtype", NO_BOOL)
@pytest.mark.parametrize("seed", range(6))
def test_split_v(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(1100 + seed)
    rank = 1 + seed % 5
    shape = _shape(rng, rank, hi=3)
    axis = int(rng.integers(-rank, rank))
    count = int(rng.integers(1, 5))
    sizes = [int(s) for s in rng.integers(0, 3, count)]
    shape[axis] = sum(sizes)
    written = list(sizes)
    if seed % 2:
        written[int(rng.integers(0, count))] = -1
    size_type = "int64" if seed % 3 == 2 else "int32"
    outs = []
    for i, s in enumerate(sizes):
        piece = list(shape)
        piece[axis] = s
        outs.append(_t(f"y{i}", piece, dtype))
    model = one_op_model("SPLIT_V", [_t("x", shape, dtype), _ints("sizes", written, size_type),
                                     _ints("axis", [axis], scalar=True)], outs, {"num_splits": count})
    _compare(model, [_values(shape, dtype, rng)], rng)


@pytest.mark.parametrize("dtype", [d for d in ALL if d != "int64"])
@pytest.mark.parametrize("seed", range(6))
def test_unpack(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(1200 + seed)
    rank = 1 + seed % 5
    shape = _shape(rng, rank)
    axis = int(rng.integers(-rank, rank))
    out = [d for i, d in enumerate(shape) if i != axis % rank]
    outs = [_t(f"y{i}", out, dtype) for i in range(shape[axis])]
    model = one_op_model("UNPACK", [_t("x", shape, dtype)], outs, {"num": shape[axis], "axis": axis})
    _compare(model, [_values(shape, dtype, rng)], rng)


# ---- SLICE, TILE, BROADCAST_TO, REVERSE_V2, EXPAND_DIMS ----

@pytest.mark.parametrize("dtype", ALL)
@pytest.mark.parametrize("seed", range(8))
def test_slice(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(1300 + seed)
    rank = 1 + seed % 5  # LiteRT's SLICE takes ranks 1 to 5
    shape = _shape(rng, rank, lo=0 if seed == 7 else 1, hi=5)
    begin = [int(rng.integers(0, d + 1)) for d in shape]
    size = [int(rng.integers(0, d - b + 1)) for d, b in zip(shape, begin, strict=True)]
    written = [-1 if rng.random() < 0.3 else s for s in size]
    out = [d - b if w == -1 else w for d, b, w in zip(shape, begin, written, strict=True)]
    index_type = "int64" if seed % 2 else "int32"
    model = one_op_model("SLICE", [_t("x", shape, dtype), _ints("begin", begin, index_type),
                                   _ints("size", written, index_type)], [_t("y", out, dtype)])
    _compare(model, [_values(shape, dtype, rng)], rng)


@pytest.mark.parametrize("dtype", ALL)
@pytest.mark.parametrize("seed", range(6))
def test_tile(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(1400 + seed)
    rank = 1 + seed % 6
    shape = _shape(rng, rank, hi=3)
    multiples = [int(m) for m in rng.integers(1, 4, rank)]
    if seed == 5:
        multiples[0] = 0  # an empty output
    out = [d * m for d, m in zip(shape, multiples, strict=True)]
    model = one_op_model("TILE", [_t("x", shape, dtype), _ints("multiples", multiples, "int64" if seed % 2 else
                                                                "int32")], [_t("y", out, dtype)])
    _compare(model, [_values(shape, dtype, rng)], rng)


@pytest.mark.parametrize("dtype", ALL)
@pytest.mark.parametrize("seed", range(6))
def test_broadcast_to(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(1500 + seed)
    rank = 1 + seed % 6
    out = _shape(rng, rank)
    in_rank = int(rng.integers(0, rank + 1))
    shape = [1 if rng.random() < 0.5 else d for d in out[rank - in_rank:]]
    model = one_op_model("BROADCAST_TO", [_t("x", shape, dtype), _ints("shape", out, "int64" if seed % 2 else
                                                                       "int32")], [_t("y", out, dtype)], version=2)
    _compare(model, [_values(shape, dtype, rng)], rng)


@pytest.mark.parametrize("dtype", ALL)
@pytest.mark.parametrize("seed", range(6))
def test_reverse_v2(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(1600 + seed)
    rank = 1 + seed % 6
    shape = _shape(rng, rank)
    first = int(rng.integers(0, rank))
    count = int(rng.integers(1, rank - first + 1))  # LiteRT takes contiguous axes only
    axes = [a - (rank if rng.random() < 0.5 else 0) for a in range(first, first + count)]
    model = one_op_model("REVERSE_V2", [_t("x", shape, dtype), _ints("axis", axes[::-1] if seed % 2 else axes)],
                         [_t("y", shape, dtype)], version=2)
    _compare(model, [_values(shape, dtype, rng)], rng)


def test_reverse_v2_on_axes_apart_is_numpy_flip() -> None:
    # LiteRT refuses axes that are not contiguous ("Non-contiguous `axes` not supported"); TensorFlow's
    # tf.reverse takes any set, whose closed form is numpy's flip.
    rng = np.random.default_rng(1650)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    for axes in ([0, 2], [-1, 1], [0, 3, 1]):
        model = one_op_model("REVERSE_V2", [TensorSpec("x", [2, 3, 4, 5]), _ints("axis", axes)],
                             [TensorSpec("y", [2, 3, 4, 5])], version=2)
        (ours,) = run_ember(model, [x])
        np.testing.assert_array_equal(ours, np.flip(x, axis=tuple(axes)))


@pytest.mark.parametrize("dtype", ALL)
@pytest.mark.parametrize("seed", range(4))
def test_expand_dims(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(1700 + seed)
    rank = seed % 6
    shape = _shape(rng, rank)
    axis = int(rng.integers(-rank - 1, rank + 1))
    out = list(shape)
    out.insert(axis % (rank + 1), 1)
    model = one_op_model("EXPAND_DIMS", [_t("x", shape, dtype), _ints("axis", [axis], "int64" if seed % 2 else
                                                                      "int32", scalar=True)], [_t("y", out, dtype)])
    _compare(model, [_values(shape, dtype, rng)], rng)


# ---- GATHER_ND ----

@pytest.mark.parametrize("dtype", ALL)
@pytest.mark.parametrize("seed", range(6))
def test_gather_nd(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(1800 + seed)
    rank = 1 + seed % 4
    params = _shape(rng, rank)
    nd = int(rng.integers(1, rank + 1))
    batch = _shape(rng, int(rng.integers(0, 3)))
    index = np.stack([rng.integers(0, params[k], batch) for k in range(nd)], axis=-1)
    index_type = "int64" if seed % 2 else "int32"
    out = batch + params[nd:]
    computed = seed % 3 == 0  # indices fed at run time
    indices = TensorSpec("indices", batch + [nd], index_type, data=None if computed else index.astype(index_type))
    model = one_op_model("GATHER_ND", [_t("params", params, dtype), indices], [_t("y", out, dtype)])
    feeds = [_values(params, dtype, rng)] + ([index.astype(index_type)] if computed else [])
    _compare(model, feeds, rng)


def test_gather_nd_index_outside_params_is_a_run_time_error() -> None:
    model = one_op_model("GATHER_ND", [TensorSpec("params", [3, 4]), TensorSpec("indices", [2, 2], "int32")],
                         [TensorSpec("y", [2])])
    it = Interpreter(model_content=model)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], np.zeros((3, 4), np.float32))
    it.set_tensor(it.get_input_details()[1]["index"], np.array([[0, 1], [2, 4]], np.int32))
    with pytest.raises(RuntimeModelError, match=r"GATHER_ND 0: index 1 of indices 'indices' has 4 on axis 1, outside "
                                           r"\[0, 4\)"):
        it.invoke()


# ---- ARG_MAX, ARG_MIN ----

@pytest.mark.parametrize("op", ["ARG_MAX", "ARG_MIN"])
@pytest.mark.parametrize("dtype", ["float32", "int8", "uint8", "int32", "bool"])
@pytest.mark.parametrize("seed", range(4))
def test_arg_min_max(op: str, dtype: str, seed: int) -> None:
    rng = np.random.default_rng(1900 + seed)
    rank = 1 + seed % 4
    shape = _shape(rng, rank, hi=5)
    axis = int(rng.integers(-rank, rank))
    out_type = "int64" if seed % 2 else "int32"
    out = [d for i, d in enumerate(shape) if i != axis % rank]
    model = one_op_model(op, [_t("x", shape, dtype), _ints("axis", [axis], "int64" if seed == 3 else "int32",
                                                           scalar=seed < 2)],
                         [TensorSpec("y", out, out_type)], {"output_type": out_type}, version=2)
    for spread in (None, 3):  # few distinct values: ties take the first index
        _compare(model, [_values(shape, dtype, rng, spread)], rng)


def test_arg_min_max_nan_infinities_and_ties_as_litert() -> None:
    nan, inf, big = np.nan, np.inf, np.finfo(np.float32).max
    x = np.array([[nan, 1, 2], [1, nan, 1], [3, 3, nan], [nan, nan, nan], [-inf, -inf, -inf], [inf, inf, inf],
                  [-inf, -big, -big], [inf, big, big], [-inf, nan, -inf], [2, nan, 1]], np.float32)
    rng = np.random.default_rng(0)
    for op in ("ARG_MAX", "ARG_MIN"):
        for axis, feed in ((1, x), (0, x.T.copy())):
            model = one_op_model(op, [TensorSpec("x", list(feed.shape)), _ints("axis", [axis], scalar=True)],
                                 [TensorSpec("y", [10], "int32")], {"output_type": "int32"})
            _compare(model, [feed], rng)


# ---- REDUCE_PROD, RANGE ----

@pytest.mark.parametrize("keep_dims", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_reduce_prod(keep_dims: bool, seed: int) -> None:
    rng = np.random.default_rng(2000 + seed)
    rank = 1 + seed % 5
    shape = _shape(rng, rank, lo=0 if seed == 5 else 1)
    axes = sorted({int(a) for a in rng.integers(-rank, rank, int(rng.integers(1, rank + 1)))})
    reduced = {a % rank for a in axes}
    out = [1 if i in reduced else d for i, d in enumerate(shape)] if keep_dims else \
        [d for i, d in enumerate(shape) if i not in reduced]
    model = one_op_model("REDUCE_PROD", [TensorSpec("x", shape), _ints("axes", axes)], [TensorSpec("y", out)],
                         {"keep_dims": keep_dims})
    x = (rng.uniform(0.5, 1.5, shape) * rng.choice([-1, 1], shape)).astype(np.float32)
    _compare(model, [x], rng)


PROD_INT8 = [([6, 5], [1]), ([4, 3, 5], [0, 2]), ([5, 2, 3, 2], [-1, 1]), ([3, 7, 2], [-2]), ([2, 3, 4, 5], [3, 0]),
             ([40, 1], [1]), ([3, 2, 2, 2], [1, 2, 3]), ([8, 12], [1]), ([2, 2, 3], [0, 1, 2]), ([4, 0, 3], [2]),
             ([3, 0, 2], [1])]


@pytest.mark.parametrize("keep_dims", [False, True])
@pytest.mark.parametrize("case", range(len(PROD_INT8)))
def test_reduce_prod_int8(keep_dims: bool, case: int) -> None:
    # LiteRT rescales after every factor by s_in / s_out^(1/n). The output scale puts a typical product of n
    # factors of |q - z| <= spread near 40 codes: outputs spread over the range, some saturate.
    rng = np.random.default_rng(2200 + case)
    shape, axes = PROD_INT8[case]
    rank = len(shape)
    reduced = {a % rank for a in axes}
    out = [1 if i in reduced else d for i, d in enumerate(shape)] if keep_dims else \
        [d for i, d in enumerate(shape) if i not in reduced]
    n = int(np.prod([shape[a] for a in reduced]))
    spread = int(rng.integers(3, 60)) if n <= 4 else int(rng.integers(2, 8))
    s_in = float(np.float32(10 ** rng.uniform(-2.5, -0.5)))
    s_out = float(np.float32((s_in * spread * 0.6) ** n / 40 * 10 ** rng.uniform(-0.5, 0.5)))
    z_in = int(rng.integers(-60, 61))
    x = TensorSpec("x", shape, "int8", scales=[s_in], zero_points=[z_in])
    y = TensorSpec("y", out, "int8", scales=[s_out], zero_points=[int(rng.integers(-40, 41))])
    model = one_op_model("REDUCE_PROD", [x, _ints("axes", axes)], [y], {"keep_dims": keep_dims}, version=2)
    if n == 0 and 0 not in out:  # LiteRT returns without writing the outputs: no answer to match
        assert "reduces an empty axis into 6 outputs; LiteRT leaves them unwritten" in _load_error(model)
        return
    for _ in range(3):
        feed = (rng.integers(-spread, spread + 1, shape) + z_in).clip(-128, 127).astype(np.int8)
        _compare(model, [feed], rng)
    _compare(model, [_values(shape, "int8", rng)], rng)  # the whole range: mostly saturated


INT_RANGES = [(0, 10, 1), (3, 17, 4), (10, 0, -3), (-5, 5, 2), (7, -8, -5), (2, 3, 10)]
FLOAT_RANGES = [(0.5, 3.1, 0.3), (1.0, -2.5, -0.7), (0.0, 1.0, 0.1), (-3.25, 7.0, 1.5), (0.0, 100.0, 0.01)]
# int32 has no such case: LiteRT computes |limit - start| in int32, which overflows.
WIDE = (-2**40, 2**40, 2**38 + 1)
RANGES = [(d, c) for d in ("int32", "int64") for c in INT_RANGES] + [("int64", WIDE)] + \
    [("float32", c) for c in INT_RANGES + FLOAT_RANGES]


@pytest.mark.parametrize("dtype,case", RANGES, ids=[f"{d}-{c}" for d, c in RANGES])
def test_range(dtype: str, case: tuple[float, float, float]) -> None:
    start, limit, delta = (np.array(v, dtype) for v in case)
    ins = [TensorSpec(n, [], dtype, data=v) for n, v in zip(("start", "limit", "delta"), (start, limit, delta),
                                                           strict=True)]
    # LiteRT sizes the output from the constants itself: its length is the oracle of the one the model states.
    (ref,) = run_litert(one_op_model("RANGE", ins, [TensorSpec("y", [1], dtype)]), [])
    model = one_op_model("RANGE", ins, [TensorSpec("y", [len(ref)], dtype)])
    (ours,) = run_ember(model, [])
    np.testing.assert_array_equal(ours, ref)  # both accumulate value += delta in the type


# ---- older layout kernels: int16, int64 and bool ----

def _layout_case(op: str, dtype: str, rng: np.random.Generator) -> tuple[bytes, list[np.ndarray]]:
    x = _t("x", [2, 3, 4], dtype)
    feeds = [_values([2, 3, 4], dtype, rng)]
    if op == "RESHAPE":
        return one_op_model(op, [x, _ints("shape", [6, 4])], [_t("y", [6, 4], dtype)]), feeds
    if op == "SQUEEZE":
        x = _t("x", [2, 1, 4], dtype)
        return one_op_model(op, [x], [_t("y", [2, 4], dtype)]), [_values([2, 1, 4], dtype, rng)]
    if op == "TRANSPOSE":
        return one_op_model(op, [x, _ints("perm", [2, 0, 1])], [_t("y", [4, 2, 3], dtype)]), feeds
    if op == "STRIDED_SLICE":
        ints = [_ints("begin", [1, 0, 3]), _ints("end", [2, 3, 0]), _ints("strides", [1, 2, -1])]
        return one_op_model(op, [x, *ints], [_t("y", [1, 2, 3], dtype)]), feeds
    if op == "GATHER":
        return one_op_model(op, [x, _ints("indices", [2, 0, 2, 1])], [_t("y", [2, 4, 4], dtype)], {"axis": 1}), feeds
    if op == "PACK":
        ins = [x, _t("x1", [2, 3, 4], dtype)]
        return (one_op_model(op, ins, [_t("y", [2, 2, 3, 4], dtype)], {"values_count": 2, "axis": -3}),
                feeds + [_values([2, 3, 4], dtype, rng)])
    ins = [x, _t("x1", [2, 1, 4], dtype)]
    return (one_op_model(op, ins, [_t("y", [2, 4, 4], dtype)], {"axis": 1}),
            feeds + [_values([2, 1, 4], dtype, rng)])


LAYOUT = [(op, dtype) for op in ("RESHAPE", "SQUEEZE", "TRANSPOSE", "STRIDED_SLICE", "GATHER", "PACK", "CONCATENATION")
          for dtype in ("int16", "int64", "bool") if not (op == "PACK" and dtype == "bool")]


@pytest.mark.parametrize("op,dtype", LAYOUT)
def test_layout_kernels_take_int16_int64_and_bool(op: str, dtype: str) -> None:
    rng = np.random.default_rng(2100)
    model, feeds = _layout_case(op, dtype, rng)
    _compare(model, feeds, rng)


# ---- refusals ----

def _load_error(model: bytes) -> str:
    with pytest.raises(RuntimeModelError) as info:
        Interpreter(model_content=model).allocate_tensors()
    return str(info.value)


def _litert_refuses(model: bytes, feeds: Sequence[np.ndarray]) -> None:
    with pytest.raises((RuntimeError, ValueError)):
        run_litert(model, feeds)


@pytest.mark.parametrize("op,dtype", [("SPLIT", "bool"), ("SPLIT_V", "bool"), ("ARG_MAX", "int16"),
                                      ("ARG_MIN", "int64"), ("UNPACK", "int64"), ("PACK", "bool"),
                                      ("REDUCE_PROD", "uint8")])
def test_types_litert_does_not_take_are_refused(op: str, dtype: str) -> None:
    x = _t("x", [2, 4], dtype)
    if op == "SPLIT":
        model = one_op_model(op, [_ints("axis", [1], scalar=True), x], [_t("a", [2, 2], dtype),
                                                                         _t("b", [2, 2], dtype)], {"num_splits": 2})
    elif op == "SPLIT_V":
        model = one_op_model(op, [x, _ints("sizes", [1, 3]), _ints("axis", [1], scalar=True)],
                             [_t("a", [2, 1], dtype), _t("b", [2, 3], dtype)], {"num_splits": 2})
    elif op in ("ARG_MAX", "ARG_MIN"):
        model = one_op_model(op, [x, _ints("axis", [1], scalar=True)], [TensorSpec("y", [2], "int32")],
                             {"output_type": "int32"})
    elif op == "UNPACK":
        model = one_op_model(op, [x], [_t("a", [4], dtype), _t("b", [4], dtype)], {"num": 2})
    elif op == "PACK":
        model = one_op_model(op, [x], [_t("y", [1, 2, 4], dtype)], {"values_count": 1})
    else:
        model = one_op_model(op, [x, _ints("axes", [1])], [_t("y", [2], dtype)])
    rng = np.random.default_rng(0)
    message = _load_error(model)
    assert message.startswith("unsupported:") and f"{op} 0" in message, message
    _litert_refuses(model, [_values([2, 4], dtype, rng)])


def test_unpack_outputs_must_keep_the_input_quantisation() -> None:
    x = TensorSpec("x", [2, 3], "int8", scales=[0.1], zero_points=[3])
    outs = [TensorSpec(f"y{i}", [3], "int8", scales=[0.1], zero_points=[3 + i]) for i in range(2)]
    model = one_op_model("UNPACK", [x], outs, {"num": 2})
    assert "UNPACK 0: output 1 'y1' (scale 0.1, zero point 4) must have the quantisation of input 'x'" in \
        _load_error(model)
    _litert_refuses(model, [np.zeros((2, 3), np.int8)])


def test_shapes_from_run_time_values_are_refused_at_load() -> None:
    # RANGE's length and SLICE's size would only be known at run time: dynamic shapes are issue 14.
    ins = [TensorSpec("start", [], "int32"), TensorSpec("limit", [], "int32", data=np.array(5, np.int32)),
           TensorSpec("delta", [], "int32", data=np.array(1, np.int32))]
    message = _load_error(one_op_model("RANGE", ins, [TensorSpec("y", [5], "int32")]))
    assert "RANGE 0: start 'start' is computed at run time" in message, message
    x = TensorSpec("x", [4, 4])
    message = _load_error(one_op_model("SLICE", [x, TensorSpec("begin", [2], "int32"), _ints("size", [2, 2])],
                                       [TensorSpec("y", [2, 2])]))
    assert "SLICE 0: begin 'begin' is computed at run time; only constant begin are supported" in message, message
    for op, extra in (("TILE", "multiples"), ("BROADCAST_TO", "shape"), ("EXPAND_DIMS", "axis"),
                      ("REVERSE_V2", "axis")):
        message = _load_error(one_op_model(op, [TensorSpec("x", [2, 2]), TensorSpec(extra, [2], "int32")],
                                           [TensorSpec("y", [2, 2])]))
        assert f"{op} 0: {extra} '{extra}' is computed at run time" in message, message


@pytest.mark.parametrize("case", ["uneven split", "split_v sum", "two -1", "slice past end", "tile shape",
                                  "broadcast dim", "range direction", "range length"])
def test_inconsistent_models_are_refused_like_litert(case: str) -> None:
    x = TensorSpec("x", [2, 6])
    axis = _ints("axis", [1], scalar=True)
    if case == "uneven split":
        model = one_op_model("SPLIT", [axis, TensorSpec("x", [2, 5])], [TensorSpec(f"y{i}", [2, 2]) for i in range(2)],
                             {"num_splits": 2})
        expected = "SPLIT 0: axis 1 of input 'x' [2,5] does not split evenly into 2 pieces"
    elif case in ("split_v sum", "two -1"):
        sizes = [2, 3] if case == "split_v sum" else [-1, -1]
        outs = [TensorSpec(f"y{i}", [2, 3]) for i in range(2)]
        model = one_op_model("SPLIT_V", [x, _ints("sizes", sizes), axis], outs,
                             {"num_splits": 2})
        expected = "add up to 5" if case == "split_v sum" else "size_splits entry 1 is -1"
    elif case == "slice past end":
        model = one_op_model("SLICE", [x, _ints("begin", [0, 4]), _ints("size", [2, 3])], [TensorSpec("y", [2, 3])])
        expected = "SLICE 0: axis 1 of input 'x' [2,6]: begin 4, size 3 leave the axis"
    elif case == "tile shape":
        model = one_op_model("TILE", [x, _ints("multiples", [2, 2])], [TensorSpec("y", [4, 6])])
        expected = "TILE 0: input 'x' float32 [2,6] tiled by multiples 'multiples' does not give output"
    elif case == "broadcast dim":
        model = one_op_model("BROADCAST_TO", [x, _ints("shape", [3, 4])], [TensorSpec("y", [3, 4])], version=2)
        expected = "BROADCAST_TO 0: input 'x' float32 [2,6] does not broadcast"
    else:
        delta = -1 if case == "range direction" else 2
        ins = [TensorSpec(n, [], "int32", data=np.array(v, np.int32)) for n, v in (("s", 0), ("l", 5), ("d", delta))]
        model = one_op_model("RANGE", ins, [TensorSpec("y", [5], "int32")])
        expected = "does not lead from start" if case == "range direction" else "the range has 3 elements"
    message = _load_error(model)
    assert expected in message, message
    if case not in ("tile shape", "broadcast dim", "range length"):  # LiteRT resizes the output instead
        feeds = [] if case.startswith("range") else [np.zeros(2 * (5 if case == "uneven split" else 6), np.float32)
                                                      .reshape(2, -1)]
        _litert_refuses(model, feeds)


# ---- seeds for test_cross_replay and test_fuzz ----

def seed_models() -> list[tuple[str, bytes]]:
    """One small model of each op here for each type it takes of float32, int8 and uint8 (RANGE: float32 and
    int32; REDUCE_PROD: float32 and int8): test_cross_replay replays them on every target, test_fuzz starts its corpus
    from them. Index operands are constants, so random feeds stay inside the params."""
    models = []
    for dtype in ("float32", "int8", "uint8"):
        x = _t("x", [2, 6, 3], dtype)
        models.append((f"SPLIT/{dtype}", one_op_model(
            "SPLIT", [_ints("axis", [1], scalar=True), x], [_t(f"y{i}", [2, 2, 3], dtype) for i in range(3)],
            {"num_splits": 3}, version=1)))
        models.append((f"SPLIT_V/{dtype}", one_op_model(
            "SPLIT_V", [x, _ints("sizes", [1, -1, 2]), _ints("axis", [-2], scalar=True)],
            [_t(f"y{i}", [2, s, 3], dtype) for i, s in enumerate((1, 3, 2))], {"num_splits": 3})))
        models.append((f"UNPACK/{dtype}", one_op_model(
            "UNPACK", [x], [_t(f"y{i}", [2, 6], dtype) for i in range(3)], {"num": 3, "axis": -1})))
        models.append((f"SLICE/{dtype}", one_op_model(
            "SLICE", [x, _ints("begin", [1, 2, 0]), _ints("size", [1, -1, 2])], [_t("y", [1, 4, 2], dtype)])))
        models.append((f"TILE/{dtype}", one_op_model(
            "TILE", [x, _ints("multiples", [2, 1, 3])], [_t("y", [4, 6, 9], dtype)])))
        b = _t("b", [6, 1], dtype)
        models.append((f"BROADCAST_TO/{dtype}", one_op_model(
            "BROADCAST_TO", [b, _ints("shape", [2, 6, 4])], [_t("y", [2, 6, 4], dtype)], version=2)))
        models.append((f"REVERSE_V2/{dtype}", one_op_model(
            "REVERSE_V2", [x, _ints("axis", [1, 2])], [_t("y", [2, 6, 3], dtype)], version=2)))
        models.append((f"EXPAND_DIMS/{dtype}", one_op_model(
            "EXPAND_DIMS", [x, _ints("axis", [-1], scalar=True)], [_t("y", [2, 6, 3, 1], dtype)])))
        index = np.array([[[1, 5], [0, 0]], [[1, 2], [0, 4]], [[0, 3], [1, 1]]], np.int32)
        models.append((f"GATHER_ND/{dtype}", one_op_model(
            "GATHER_ND", [x, TensorSpec("indices", [3, 2, 2], "int32", data=index)], [_t("y", [3, 2, 3], dtype)])))
        for op in ("ARG_MAX", "ARG_MIN"):
            models.append((f"{op}/{dtype}", one_op_model(
                op, [x, _ints("axis", [1], scalar=True)], [TensorSpec("y", [2, 3], "int32")],
                {"output_type": "int32"}, version=2)))
    models.append(("REDUCE_PROD/float32", one_op_model(
        "REDUCE_PROD", [TensorSpec("x", [2, 5, 3]), _ints("axes", [0, -1])], [TensorSpec("y", [1, 5, 1])],
        {"keep_dims": True})))
    models.append(("REDUCE_PROD/int8", one_op_model(
        "REDUCE_PROD", [TensorSpec("x", [2, 5, 3], "int8", scales=[0.01], zero_points=[4]), _ints("axes", [0, -1])],
        [TensorSpec("y", [5], "int8", scales=[2e-4], zero_points=[-3])], version=2)))
    for dtype, (start, limit, delta) in (("float32", (0.5, -2.75, -0.25)), ("int32", (3, 40, 4))):
        ins = [TensorSpec(n, [], dtype, data=np.array(v, dtype)) for n, v in zip(("start", "limit", "delta"),
                                                                                (start, limit, delta), strict=True)]
        count = len(np.arange(start, limit, delta, dtype=dtype))
        models.append((f"RANGE/{dtype}", one_op_model("RANGE", ins, [TensorSpec("y", [count], dtype)])))
    return models
