"""experimental_preserve_all_tensors=True (issue 14): every tensor gets its own arena bytes, so after invoke every
intermediate is readable with get_tensor. Each one is compared with LiteRT's reference kernels run with the same
flag (float32 within 1e-5 relative, quantised bit-exact), and get_tensor_details() lists the tensors as LiteRT does
(name, index, shape, dtype, quantisation)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from single_op import assert_outputs_match

from ember.runtime import Interpreter, RuntimeModelError

DATA = Path(__file__).resolve().parents[1] / "data" / "tf"
MODELS = ["small_cnn_float32.tflite", "small_cnn_int8.tflite", "layout_float32.tflite", "layout_int8.tflite",
          "elementwise_int8.tflite", "dynamic/dyn_cnn_int8.tflite", "dynamic/dyn_fcn_float32.tflite"]


def _feed(d: dict, rng: np.random.Generator) -> np.ndarray:
    shape = [int(s) for s in d["shape"]]
    if d["dtype"] == np.int8:
        return rng.integers(-128, 128, shape, dtype=np.int8)
    return rng.standard_normal(shape).astype(np.float32)


def _same_details(a: dict, b: dict) -> None:
    assert a["name"] == b["name"] and a["index"] == b["index"] and a["dtype"] == b["dtype"]
    np.testing.assert_array_equal(a["shape"], b["shape"], err_msg=a["name"])
    np.testing.assert_array_equal(a["shape_signature"], b["shape_signature"], err_msg=a["name"])
    assert a["quantization"][1] == b["quantization"][1]
    np.testing.assert_allclose(a["quantization"][0], b["quantization"][0], rtol=1e-7)
    qa, qb = a["quantization_parameters"], b["quantization_parameters"]
    np.testing.assert_array_equal(qa["scales"], qb["scales"])
    np.testing.assert_array_equal(qa["zero_points"], qb["zero_points"])
    assert qa["quantized_dimension"] == qb["quantized_dimension"]


def compare_all_tensors(ours: Interpreter, ref: LiteRTInterpreter, rng: np.random.Generator) -> int:
    """Invokes both on the same random inputs and compares every tensor; returns how many intermediates."""
    for d in ours.get_input_details():
        x = _feed(d, rng)
        ours.set_tensor(d["index"], x)
        ref.set_tensor(d["index"], x)
    ours.invoke()
    ref.invoke()
    theirs = {d["index"]: d for d in ref.get_tensor_details()}
    io = {d["index"] for d in ours.get_input_details() + ours.get_output_details()}
    intermediates = 0
    for d in ours.get_tensor_details():
        assert d["index"] in theirs, d["name"]
        _same_details(d, theirs[d["index"]])
        ours_value = ours.get_tensor(d["index"])
        assert_outputs_match([ours_value], [ref.get_tensor(d["index"])])
        intermediates += d["index"] not in io
    return intermediates


@pytest.mark.parametrize("name", MODELS)
def test_every_intermediate_equals_litert(name: str) -> None:
    path = str(DATA / name)
    ours = Interpreter(path, experimental_preserve_all_tensors=True)
    ref = LiteRTInterpreter(path, experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
                            experimental_preserve_all_tensors=True)
    if "dynamic" in name:  # and after a resize, which re-plans the arena with every tensor apart
        shape = [3, 12, 12, 3] if "cnn" in name else [2, 9, 13, 3]
        for it in (ours, ref):
            it.resize_tensor_input(it.get_input_details()[0]["index"], shape)
    ours.allocate_tensors()
    ref.allocate_tensors()
    assert compare_all_tensors(ours, ref, np.random.default_rng(0)) > 3


def test_without_the_flag_tensors_share_bytes_and_with_it_none_do() -> None:
    path = str(DATA / "small_cnn_float32.tflite")
    shared, apart = Interpreter(path), Interpreter(path, experimental_preserve_all_tensors=True)
    plan = apart.memory_plan()
    assert plan["arena_bytes"] > shared.memory_plan()["arena_bytes"]
    sizes = {d["index"]: int(np.prod(d["shape"])) * np.dtype(d["dtype"]).itemsize for d in apart.get_tensor_details()}
    placed = sorted((offset, sizes[i]) for i, offset in enumerate(plan["offsets"]) if offset >= 0)
    assert len(placed) > 5
    for (a, size), (b, _) in zip(placed, placed[1:], strict=False):
        assert a + size <= b, placed  # no two tensors share a byte


def test_the_flag_after_allocate_is_refused() -> None:
    from ember.runtime._native import NativeInterpreter

    native = NativeInterpreter((DATA / "small_cnn_float32.tflite").read_bytes())
    native.allocate_tensors()
    with pytest.raises(RuntimeModelError, match="before allocate_tensors"):
        native.set_preserve_all_tensors(True)


@pytest.mark.parametrize("name", ["mobilenet_v2", "transformer_classifier"])
def test_zoo_int8_intermediates_are_bit_exact(tmp_path, name: str) -> None:
    import ember
    import ember.export
    from ember.vision import models

    model = models.MODELS[name].build().eval()
    path = tmp_path / f"{name}.tflite"
    calibration = [models.example_input(name, seed=s) for s in range(2)]
    ember.export.to_tflite(model, ember.tensor(models.example_input(name)), path, quantize="int8",
                           calibration=calibration)
    ours = Interpreter(str(path), experimental_preserve_all_tensors=True)
    ref = LiteRTInterpreter(str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
                            experimental_preserve_all_tensors=True)
    ours.allocate_tensors()
    ref.allocate_tensors()
    rng = np.random.default_rng(1)
    for d in ours.get_input_details():
        shape = [int(s) for s in d["shape"]]
        x = rng.integers(0, 8, shape, dtype=np.int32) if d["dtype"] == np.int32 else _feed(d, rng)
        ours.set_tensor(d["index"], x)
        ref.set_tensor(d["index"], x)
    ours.invoke()
    ref.invoke()
    compared = 0
    theirs = {d["index"]: d for d in ref.get_tensor_details()}
    for d in ours.get_tensor_details():
        _same_details(d, theirs[d["index"]])
        if d["dtype"] in (np.int8, np.int32):
            np.testing.assert_array_equal(ours.get_tensor(d["index"]), ref.get_tensor(d["index"]), err_msg=d["name"])
            compared += 1
    assert compared > 20
