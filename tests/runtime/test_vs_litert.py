"""ember.runtime against LiteRT (the oracle for .tflite files) on random FC -> RELU -> FC -> SOFTMAX models with
RESHAPE, run with LiteRT's reference kernels (BUILTIN_REF) and its default optimised kernels."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from tflite_builder import build_model, mlp_model

from ember.runtime import Interpreter

RESOLVERS = {"builtin_ref": OpResolverType.BUILTIN_REF, "default": OpResolverType.AUTO}


def _run(interpreter, x: np.ndarray) -> np.ndarray:
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def _assert_close(ours: np.ndarray, ref: np.ndarray) -> None:
    # Relative error 1e-5 (DESIGN.md); softmax yields values near 0 whose relative error is meaningless, so the
    # absolute floor is 1e-5 of the output's magnitude.
    assert ours.shape == ref.shape and ours.dtype == ref.dtype
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-5 * float(np.abs(ref).max()))


@pytest.mark.parametrize("resolver", sorted(RESOLVERS))
@pytest.mark.parametrize("seed", range(12))
def test_random_mlp_matches_litert(seed: int, resolver: str) -> None:
    rng = np.random.default_rng(seed)
    case = mlp_model(
        rng,
        batch=int(rng.integers(1, 5)),
        image=(int(rng.integers(1, 6)), int(rng.integers(1, 9))),
        hidden=int(rng.integers(1, 40)),
        classes=int(rng.integers(2, 12)),
        shape_tensor=bool(seed % 2),
        reshape_output=bool(seed % 3 == 0),
        bias2=bool(seed % 4 != 1),
        beta=float(rng.uniform(0.25, 2.0)),
    )
    litert = LiteRTInterpreter(model_content=case.model, experimental_op_resolver_type=RESOLVERS[resolver])
    ours = Interpreter(model_content=case.model)
    for _ in range(3):  # several inputs through the same interpreters: no state leaks between invokes
        x = (rng.standard_normal(case.input_shape) * rng.uniform(0.1, 10)).astype(np.float32)
        _assert_close(_run(ours, x), _run(litert, x))


def test_details_match_litert() -> None:
    case = mlp_model(np.random.default_rng(1), reshape_output=True)
    ours, ref = Interpreter(model_content=case.model), LiteRTInterpreter(model_content=case.model)
    for a, b in [(ours.get_input_details(), ref.get_input_details()),
                 (ours.get_output_details(), ref.get_output_details())]:
        assert len(a) == len(b)
        for da, db in zip(a, b, strict=True):
            assert set(da) == set(db)
            assert da["name"] == db["name"] and da["index"] == db["index"] and da["dtype"] == db["dtype"]
            assert da["shape"].dtype == db["shape"].dtype == np.int32
            np.testing.assert_array_equal(da["shape"], db["shape"])
            np.testing.assert_array_equal(da["shape_signature"], db["shape_signature"])
            assert da["quantization"] == db["quantization"]
            assert da["sparsity_parameters"] == db["sparsity_parameters"]
    names_ours = [d["name"] for d in ours.get_tensor_details()]
    assert names_ours == [t.name for t in case.tensors]


def test_model_path_and_quantization_details(tmp_path) -> None:
    case = mlp_model(np.random.default_rng(2))
    case.tensors[2].scales, case.tensors[2].zero_points = [0.5] * 16, [0] * 16  # per-channel metadata on fc1
    case.tensors[0].scales, case.tensors[0].zero_points = [0.25], [3]
    from tflite_builder import build_model

    path = tmp_path / "m.tflite"
    path.write_bytes(build_model(case.tensors, case.ops, [0], [8]))
    ours, ref = Interpreter(model_path=str(path)), LiteRTInterpreter(model_path=str(path))
    for i in (0, 2):
        da, db = ours.get_tensor_details()[i], ref.get_tensor_details()[i]
        assert da["quantization"] == db["quantization"]
        qa, qb = da["quantization_parameters"], db["quantization_parameters"]
        np.testing.assert_array_equal(qa["scales"], qb["scales"])
        np.testing.assert_array_equal(qa["zero_points"], qb["zero_points"])
        assert qa["scales"].dtype == qb["scales"].dtype and qa["zero_points"].dtype == qb["zero_points"].dtype
        assert qa["quantized_dimension"] == qb["quantized_dimension"]


def test_buffers_outside_the_flatbuffer() -> None:
    """Buffer.offset/size (the >2 GB layout) point past the flatbuffer into the same file."""
    rng = np.random.default_rng(3)
    case = mlp_model(rng)
    model = build_model(case.tensors, case.ops, [0], [8], external_buffers=True)
    assert len(model) > len(mlp_model(np.random.default_rng(3)).model)  # data really moved behind the flatbuffer
    x = rng.standard_normal(case.input_shape).astype(np.float32)
    litert = LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    ref = _run(litert, x)
    _assert_close(_run(Interpreter(model_content=model), x), ref)
