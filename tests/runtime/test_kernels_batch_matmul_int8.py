"""int8 BATCH_MATMUL against LiteRT's reference kernels (BUILTIN_REF), bit-exact: random ranks, broadcast batch
axes, adj_x / adj_y, constant or graph rhs, random per-tensor scales and zero points. It is what Ember's
exporter writes for attention (Q K^T and P V) in an int8 transformer."""

from __future__ import annotations

import numpy as np
import pytest
from single_op import compare, qspec, run_ember
from tflite_builder import OpSpec, build_model

from ember.runtime import RuntimeModelError


def _case(rng: np.random.Generator, depth_max: int = 8) -> tuple[bytes, list[np.ndarray]]:
    rows, cols = (int(v) for v in rng.integers(1, 8, size=2))
    depth = int(rng.integers(1, depth_max + 1))
    batch = [int(v) for v in rng.integers(1, 4, size=int(rng.integers(0, 4)))]
    lhs_batch = [b if rng.random() < 0.7 else 1 for b in batch]
    rhs_batch = [b if rng.random() < 0.7 else 1 for b in batch][int(rng.integers(0, len(batch) + 1)):]
    adj_x, adj_y = bool(rng.random() < 0.5), bool(rng.random() < 0.5)
    lhs_shape = lhs_batch + ([depth, rows] if adj_x else [rows, depth])
    rhs_shape = rhs_batch + ([cols, depth] if adj_y else [depth, cols])
    out_shape = list(np.broadcast_shapes(tuple(lhs_batch), tuple(rhs_batch))) + [rows, cols]
    const_rhs = rng.random() < 0.3
    x = rng.integers(-128, 128, size=lhs_shape, dtype=np.int8)
    y = rng.integers(-128, 128, size=rhs_shape, dtype=np.int8)
    tensors = [qspec("lhs", lhs_shape, rng), qspec("rhs", rhs_shape, rng, data=y if const_rhs else None),
               qspec("output", out_shape, rng, scale=float(10 ** rng.uniform(-1, 1.5)))]
    op = OpSpec("BATCH_MATMUL", [0, 1], [2], {"adj_x": adj_x, "adj_y": adj_y}, version=2)
    model = build_model(tensors, [op], [0] if const_rhs else [0, 1], [2])
    return model, [x] if const_rhs else [x, y]


@pytest.mark.parametrize("seed", range(24))
def test_int8_batch_matmul_matches_litert(seed: int) -> None:
    rng = np.random.default_rng(6000 + seed)
    model, feeds = _case(rng, depth_max=8 if seed % 3 else 300)
    compare(model, rng, feeds=feeds)


def test_int8_batch_matmul_rejects_mixed_types() -> None:
    rng = np.random.default_rng(0)
    tensors = [qspec("lhs", [2, 3], rng), qspec("rhs", [3, 4], rng)]
    tensors.append(qspec("output", [2, 4], rng))
    tensors[1].dtype, tensors[1].scales, tensors[1].zero_points = "float32", None, None
    model = build_model(tensors, [OpSpec("BATCH_MATMUL", [0, 1], [2], {}, version=2)], [0, 1], [2])
    with pytest.raises(RuntimeModelError, match=r"BATCH_MATMUL 0: types int8 x float32 -> int8"):
        run_ember(model, [np.zeros((2, 3), np.int8), np.zeros((3, 4), np.float32)])
