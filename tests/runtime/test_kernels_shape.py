"""Layout kernels (RESHAPE, SQUEEZE, CONCATENATION, PAD, RESIZE_NEAREST_NEIGHBOR, TRANSPOSE, SHAPE, STRIDED_SLICE,
PACK, SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND, GATHER) against LiteRT's reference kernels on random one-op models,
float32 and int8, bit-exact (these ops move values; int8 CONCATENATION may requantise)."""

from __future__ import annotations

import numpy as np
import pytest
from single_op import compare, one_op_model, qspec, run_ember, run_litert
from tflite_builder import TensorSpec

from ember.runtime import Interpreter, RuntimeModelError

DTYPES = ["float32", "int8"]


def _t(name: str, shape: list[int], dtype: str, rng: np.random.Generator, like: TensorSpec | None = None,
       data: np.ndarray | None = None) -> TensorSpec:
    """A tensor of dtype; int8 copies `like`'s parameters (layout ops keep them) or draws new ones."""
    if dtype != "int8":
        return TensorSpec(name, shape, dtype, data=data)
    if like is not None:
        return TensorSpec(name, shape, "int8", data=data, scales=like.scales, zero_points=like.zero_points)
    return qspec(name, shape, rng, data=data)


def _shape(rng: np.random.Generator, rank: int, lo: int = 1, hi: int = 5) -> list[int]:
    return [int(rng.integers(lo, hi)) for _ in range(rank)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(4))
def test_reshape_and_squeeze(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = _shape(rng, 4)
    shape[int(rng.integers(0, 4))] = 1
    x = _t("x", shape, dtype, rng)
    squeezed = [d for d in shape if d != 1]
    options = {"squeeze_dims": [i for i, d in enumerate(shape) if d == 1]} if seed % 2 else {}
    compare(one_op_model("SQUEEZE", [x], [_t("y", squeezed, dtype, rng, like=x)], options), rng)
    new = [int(np.prod(shape))]
    shape_t = TensorSpec("shape", [1], "int32", data=np.array(new, np.int32))
    compare(one_op_model("RESHAPE", [x, shape_t], [_t("y", new, dtype, rng, like=x)]), rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(8))
def test_concatenation(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    rank = int(rng.integers(1, 5))
    axis = int(rng.integers(-rank, rank))
    base = _shape(rng, rank)
    first = _t("x0", base, dtype, rng)
    ins, total = [], 0
    for i in range(int(rng.integers(1, 4))):
        shape = list(base)
        shape[axis] = int(rng.integers(1, 4))
        total += shape[axis]
        const = rng.random() < 0.3
        data = None
        if const:
            data = (rng.integers(-128, 128, shape, dtype=np.int8) if dtype == "int8"
                    else rng.standard_normal(shape).astype(np.float32))
        ins.append(_t(f"x{i}", shape, dtype, rng, like=first, data=data))
    out = list(base)
    out[axis] = total
    compare(one_op_model("CONCATENATION", ins, [_t("y", out, dtype, rng, like=first)], {"axis": axis},
                         version=2 if dtype == "int8" else 1), rng)


def test_int8_concatenation_requantises_inputs_with_other_parameters() -> None:
    # LiteRT refuses this case (its int8 kernel requires equal parameters), so the oracle is the closed form
    # of TFLite's ConcatenationWithScaling: round(q * (s_in * (1 / s_out)) - zp_in * that) + zp_out, in float.
    rng = np.random.default_rng(7)
    a, b = qspec("a", [2, 3], rng, scale=0.05, zero_point=10), qspec("b", [2, 5], rng, scale=0.2, zero_point=-20)
    y = qspec("y", [2, 8], rng, scale=0.1, zero_point=3)
    model = one_op_model("CONCATENATION", [a, b], [y], {"axis": 1}, version=2)
    xa = rng.integers(-128, 128, (2, 3), dtype=np.int8)
    xb = np.array([[-128, -127, 0, 126, 127], [5, -5, 50, -50, 1]], np.int8)
    (ours,) = run_ember(model, [xa, xb])

    def requant(q: np.ndarray, s: float, z: int) -> np.ndarray:
        scale = np.float32(s) * (np.float32(1) / np.float32(0.1))
        bias = np.float32(-z) * scale
        v = q.astype(np.float32) * scale + bias
        r = np.where(v >= 0, np.floor(v + np.float32(0.5)), np.ceil(v - np.float32(0.5)))  # half away from 0
        return np.clip(r.astype(np.int32) + 3, -128, 127).astype(np.int8)

    expected = np.concatenate([requant(xa, 0.05, 10), requant(xb, 0.2, -20)], axis=1)
    np.testing.assert_array_equal(ours, expected)
    with pytest.raises((RuntimeError, ValueError)):
        run_litert(model, [xa, xb])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(6))
def test_pad(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    rank = int(rng.integers(1, 5))
    shape = _shape(rng, rank)
    pads = rng.integers(0, 3, (rank, 2))
    index_type = "int64" if seed % 3 == 2 else "int32"
    x = _t("x", shape, dtype, rng)
    p = TensorSpec("paddings", [rank, 2], index_type, data=pads.astype(index_type))
    out = [d + int(pads[i].sum()) for i, d in enumerate(shape)]
    compare(one_op_model("PAD", [x, p], [_t("y", out, dtype, rng, like=x)], version=2 if dtype == "int8" else 1),
            rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["plain", "align_corners", "half_pixel_centers"])
@pytest.mark.parametrize("seed", range(4))
def test_resize_nearest_neighbor(dtype: str, mode: str, seed: int) -> None:
    rng = np.random.default_rng(300 + seed)
    n, h, w, c = 1 + seed % 2, int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 4))
    oh, ow = int(rng.integers(1, 12)), int(rng.integers(1, 12))
    x = _t("x", [n, h, w, c], dtype, rng)
    size = TensorSpec("size", [2], "int32", data=np.array([oh, ow], np.int32))
    options = {mode: True} if mode != "plain" else {}
    version = 3 if mode == "half_pixel_centers" else (2 if dtype == "int8" else 1)
    compare(one_op_model("RESIZE_NEAREST_NEIGHBOR", [x, size], [_t("y", [n, oh, ow, c], dtype, rng, like=x)],
                         options, version=version), rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(24))
def test_transpose(dtype: str, seed: int) -> None:
    """Random permutations of rank 1 to 5, with unit axes and with axes that stay adjacent (the kernel merges
    those: [0, 1, 3, 2], [2, 0, 1], identity) among them."""
    rng = np.random.default_rng(400 + seed)
    rank = int(rng.integers(1, 6))
    shape = _shape(rng, rank, lo=1 if seed % 2 else 2, hi=7)
    perm = rng.permutation(rank) if seed % 3 else np.roll(np.arange(rank), int(rng.integers(0, rank)))
    x = _t("x", shape, dtype, rng)
    p = TensorSpec("perm", [rank], "int32", data=perm.astype(np.int32))
    out = [shape[i] for i in perm]
    version = 4 if rank > 4 else (2 if dtype == "int8" else 1)
    compare(one_op_model("TRANSPOSE", [x, p], [_t("y", out, dtype, rng, like=x)], version=version), rng)


@pytest.mark.parametrize("out_type", ["int32", "int64"])
def test_shape(out_type: str) -> None:
    rng = np.random.default_rng(0)
    x = TensorSpec("x", [2, 3, 5])
    compare(one_op_model("SHAPE", [x], [TensorSpec("s", [3], out_type)], {"out_type": out_type}), rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(16))
def test_strided_slice(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(500 + seed)
    rank = int(rng.integers(1, 5))
    shape = _shape(rng, rank, 1, 7)
    begin = [int(rng.integers(-d, d + 1)) for d in shape]
    end = [int(rng.integers(-d - 1, d + 2)) for d in shape]
    strides = [int(rng.choice([1, 1, 2, 3, -1, -2])) for _ in shape]
    begin_mask, end_mask = int(rng.integers(0, 1 << rank)), int(rng.integers(0, 1 << rank))
    shrink = int(rng.integers(0, 1 << rank)) if seed % 3 == 0 else 0
    for d in range(rank):  # a shrunk axis must hold an element at begin
        if shrink >> d & 1:
            begin[d] = int(rng.integers(-shape[d], shape[d]))
            begin_mask &= ~(1 << d)
            # Converters write stride 1 on shrunk axes; LiteRT returns zeros for a negative one (its loop runs
            # from begin towards begin + 1), where TensorFlow and ember return x[begin].
            strides[d] = 1
    # Expected shape from numpy (same semantics for these masks).
    idx = []
    for d in range(rank):
        if shrink >> d & 1:
            idx.append(begin[d])
        else:
            idx.append(slice(None if begin_mask >> d & 1 else begin[d], None if end_mask >> d & 1 else end[d],
                             strides[d]))
    out = list(np.zeros(shape)[tuple(idx)].shape)
    x = _t("x", shape, dtype, rng)
    ints = [TensorSpec(k, [rank], "int32", data=np.array(v, np.int32))
            for k, v in (("begin", begin), ("end", end), ("strides", strides))]
    options = {"begin_mask": begin_mask, "end_mask": end_mask, "shrink_axis_mask": shrink}
    compare(one_op_model("STRIDED_SLICE", [x, *ints], [_t("y", out, dtype, rng, like=x)], options,
                         version=2 if dtype == "int8" else 1), rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(6))
def test_pack(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(600 + seed)
    rank = int(rng.integers(0, 4))
    shape = _shape(rng, rank)
    count = int(rng.integers(1, 4))
    axis = int(rng.integers(-rank - 1, rank + 1))
    first = _t("x0", shape, dtype, rng)
    ins = [_t(f"x{i}", shape, dtype, rng, like=first) for i in range(count)]
    out = list(shape)
    out.insert(axis if axis >= 0 else axis + rank + 1, count)
    compare(one_op_model("PACK", ins, [_t("y", out, dtype, rng, like=first)],
                         {"values_count": count, "axis": axis}, version=2 if dtype == "int8" else 1), rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(6))
def test_space_to_batch_and_back(dtype: str, seed: int) -> None:
    rng = np.random.default_rng(700 + seed)
    bh, bw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    n, c = int(rng.integers(1, 3)), int(rng.integers(1, 4))
    h, w = int(rng.integers(1, 7)), int(rng.integers(1, 7))
    pt, pl = int(rng.integers(0, 3)), int(rng.integers(0, 3))
    pb, pr = (-(h + pt)) % bh + bh * int(rng.integers(0, 2)), (-(w + pl)) % bw
    x = _t("x", [n, h, w, c], dtype, rng)
    block = TensorSpec("block", [2], "int32", data=np.array([bh, bw], np.int32))
    pads = TensorSpec("paddings", [2, 2], "int32", data=np.array([[pt, pb], [pl, pr]], np.int32))
    oh, ow = (h + pt + pb) // bh, (w + pl + pr) // bw
    y = _t("y", [n * bh * bw, oh, ow, c], dtype, rng, like=x)
    version = 2 if dtype == "int8" else 1
    compare(one_op_model("SPACE_TO_BATCH_ND", [x, block, pads], [y], version=version), rng)
    crops = TensorSpec("crops", [2, 2], "int32", data=np.array([[pt, pb], [pl, pr]], np.int32))
    back = _t("back", [n, h, w, c], dtype, rng, like=x)
    yin = _t("y", [n * bh * bw, oh, ow, c], dtype, rng, like=x)
    compare(one_op_model("BATCH_TO_SPACE_ND", [yin, block, crops], [back], version=version), rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("index_type", ["int32", "int64"])
@pytest.mark.parametrize("seed", range(5))
def test_gather(dtype: str, index_type: str, seed: int) -> None:
    rng = np.random.default_rng(800 + seed)
    rank = int(rng.integers(1, 4))
    shape = _shape(rng, rank, 1, 6)
    axis = int(rng.integers(-rank, rank))
    ax = axis % rank
    ishape = _shape(rng, int(rng.integers(0, 3)), 1, 4)
    indices = rng.integers(0, shape[ax], ishape).astype(index_type)
    params = _t("params", shape, dtype, rng)
    idx = TensorSpec("indices", ishape, index_type, data=indices if seed % 2 else None)
    out = shape[:ax] + ishape + shape[ax + 1:]
    model = one_op_model("GATHER", [params, idx], [_t("y", out, dtype, rng, like=params)], {"axis": axis},
                         version=2 if dtype == "int8" else 1)
    if seed % 2:
        compare(model, rng)
    else:
        x = rng.standard_normal(shape).astype(np.float32) if dtype == "float32" else \
            rng.integers(-128, 128, shape, dtype=np.int8)
        compare(model, rng, feeds=[x, indices])


def test_gather_index_out_of_range_is_a_runtime_error() -> None:
    model = one_op_model("GATHER", [TensorSpec("params", [4, 2]), TensorSpec("indices", [3], "int32")],
                         [TensorSpec("y", [3, 2])])
    it = Interpreter(model_content=model)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], np.zeros((4, 2), np.float32))
    it.set_tensor(it.get_input_details()[1]["index"], np.array([0, 4, 1], np.int32))
    with pytest.raises(RuntimeModelError, match=r"GATHER 0: indices 'indices' element 1 is 4, outside \[0, 4\)"):
        it.invoke()
    it.set_tensor(it.get_input_details()[1]["index"], np.array([0, 3, 1], np.int32))
    it.invoke()  # the interpreter stays usable after a data error
