"""One-op .tflite models and their comparison with LiteRT, for the kernel tests.

A model holds one operator; every input without data is a graph input fed with random values of its dtype
(int8 and uint8 over the whole range), constants are written into the file. `compare` runs the same feeds through
ember.runtime and LiteRT with its reference kernels (BUILTIN_REF) and, for float32, its default kernels too:
integers and int8 must be bit-exact, float32 within 1e-5 relative (DESIGN.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from tflite_builder import OpSpec, TensorSpec, build_model

from ember.runtime import Interpreter

# Relative tolerance of float32 outputs; the absolute floor only covers results that are 0 up to rounding.
RTOL, ATOL = 1e-5, 1e-7


def qspec(name: str, shape: Sequence[int], rng: np.random.Generator, *, scale: float | None = None,
          zero_point: int | None = None, data: np.ndarray | None = None) -> TensorSpec:
    """An int8 tensor with random (or given) per-tensor quantisation parameters."""
    s = float(np.float32(scale if scale is not None else 10 ** rng.uniform(-2.5, -0.3)))
    z = int(zero_point if zero_point is not None else rng.integers(-128, 128))
    return TensorSpec(name, list(shape), "int8", data=data, scales=[s], zero_points=[z])


def one_op_model(op: str, inputs: Sequence[TensorSpec], outputs: Sequence[TensorSpec],
                 options: dict[str, Any] | None = None, version: int = 1) -> bytes:
    tensors = list(inputs) + list(outputs)
    n_in = len(inputs)
    spec = OpSpec(op, list(range(n_in)), list(range(n_in, len(tensors))), options or {}, version)
    graph_inputs = [i for i, t in enumerate(inputs) if t.data is None]
    return build_model(tensors, [spec], graph_inputs, list(range(n_in, len(tensors))))


def random_feed(t: TensorSpec, rng: np.random.Generator, float_scale: float = 3.0) -> np.ndarray:
    shape = tuple(t.shape)
    if t.dtype in ("int8", "uint8"):
        info = np.iinfo(t.dtype)
        return rng.integers(info.min, info.max + 1, size=shape, dtype=t.dtype)
    if t.dtype in ("int32", "int64"):
        return rng.integers(-100, 100, size=shape).astype(t.dtype)
    return (rng.standard_normal(shape) * float_scale).astype(np.float32)


def _run(interpreter: Any, feeds: Sequence[np.ndarray]) -> list[np.ndarray]:
    interpreter.allocate_tensors()
    for detail, value in zip(interpreter.get_input_details(), feeds, strict=True):
        interpreter.set_tensor(detail["index"], value)
    interpreter.invoke()
    return [interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()]


def run_ember(model: bytes, feeds: Sequence[np.ndarray]) -> list[np.ndarray]:
    return _run(Interpreter(model_content=model), feeds)


def run_litert(model: bytes, feeds: Sequence[np.ndarray], reference: bool = True) -> list[np.ndarray]:
    resolver = OpResolverType.BUILTIN_REF if reference else OpResolverType.AUTO
    return _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=resolver), feeds)


def assert_outputs_match(ours: Sequence[np.ndarray], ref: Sequence[np.ndarray], optimized: bool = False) -> None:
    """optimized: `ref` comes from LiteRT's default kernels, whose float tails (GELU, exp) are approximations;
    as in test_vs_litert the absolute floor is then 1e-5 of the output's magnitude."""
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, a.shape, b.dtype, b.shape)
        if a.dtype == np.float32:
            floor = RTOL * float(np.abs(b).max(initial=0.0)) if optimized else ATOL
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=max(floor, ATOL))
        else:
            np.testing.assert_array_equal(a, b)


def compare(model: bytes, rng: np.random.Generator, feeds: Sequence[np.ndarray] | None = None,
            float_scale: float = 3.0, runs: int = 2) -> list[np.ndarray]:
    """Runs `runs` random feeds (or the given ones) through ember and LiteRT; returns ember's last outputs."""
    details = LiteRTInterpreter(model_content=model).get_input_details()
    ours: list[np.ndarray] = []
    for _ in range(runs if feeds is None else 1):
        if feeds is None:
            values = [random_feed(TensorSpec("", list(d["shape"]), np.dtype(d["dtype"]).name), rng, float_scale)
                      for d in details]
        else:
            values = list(feeds)
        ours = run_ember(model, values)
        assert_outputs_match(ours, run_litert(model, values, reference=True))
        if ours and ours[0].dtype == np.float32:
            assert_outputs_match(ours, run_litert(model, values, reference=False), optimized=True)
    return ours
