"""Empty tensors whose other dimensions are huge ([0, 65536, 65536], [65536, 65536, 0]): the loader accepts them
(0 bytes; the non-zero dims are bounded as a whole, EMBER_MAX_TENSOR_SPAN), the kernels compute strides and
partial products in 64 bits (kernels/operands.c) and run them producing empty outputs, or, for a reduction over an
empty axis, LiteRT's value (MEAN NaN, SUM 0, REDUCE_MAX the lowest float). LiteRT (BUILTIN_REF) runs every one of
these models and is the oracle; the same models run under AddressSanitizer + UBSan through ember-bench, and seed
the fuzzer (test_fuzz.write_seeds)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from native_build import build, require, run
from single_op import assert_outputs_match, one_op_model, run_ember, run_litert
from test_sanitizers import SANITIZE
from tflite_builder import TensorSpec

import ember.runtime

Z1, Z2 = [0, 65536, 65536], [65536, 65536, 0]


def _t(name, shape, dtype="float32", data=None):
    if dtype == "int8":
        return TensorSpec(name, shape, "int8", data=data, scales=[0.05], zero_points=[3])
    return TensorSpec(name, shape, dtype, data=data)


def _axes(*v):
    return _t("axes", [len(v)], "int32", np.array(v, np.int32))


def zero_size_models() -> dict[str, bytes]:
    """name -> one-op model over an empty tensor with huge other dims (float32 and int8 where the op has it)."""
    models = {}
    for dt in ("float32", "int8"):
        models[f"add_broadcast_scalar_{dt}_z1"] = one_op_model("ADD", [_t("a", Z1, dt), _t("b", [1], dt)],
                                                               [_t("y", Z1, dt)])
        models[f"add_broadcast_rows_{dt}_z2"] = one_op_model("ADD", [_t("a", Z2, dt), _t("b", [65536, 1, 1], dt)],
                                                             [_t("y", Z2, dt)])
        models[f"mul_broadcast_{dt}_z1"] = one_op_model("MUL", [_t("a", Z1, dt), _t("b", [65536], dt)],
                                                        [_t("y", Z1, dt)])
        models[f"mean_kept_empty_{dt}_z1"] = one_op_model("MEAN", [_t("a", Z1, dt), _axes(1, 2)],
                                                          [_t("y", [0, 1, 1], dt)], {"keep_dims": True})
        models[f"mean_kept_empty_{dt}_z2"] = one_op_model("MEAN", [_t("a", Z2, dt), _axes(0, 1)],
                                                          [_t("y", [1, 1, 0], dt)], {"keep_dims": True})
        models[f"transpose_{dt}_z1"] = one_op_model("TRANSPOSE", [_t("a", Z1, dt), _t("p", [3], "int32",
                                                                                    np.array([2, 0, 1], np.int32))],
                                                    [_t("y", [65536, 0, 65536], dt)])
        models[f"concat_{dt}_z1"] = one_op_model("CONCATENATION", [_t("a", Z1, dt), _t("b", Z1, dt)],
                                                 [_t("y", [0, 65536, 131072], dt)], {"axis": 2})
        paddings = _t("p", [3, 2], "int32", np.array([[0, 0], [1, 0], [0, 1]], np.int32))
        models[f"pad_{dt}_z1"] = one_op_model("PAD", [_t("a", Z1, dt), paddings], [_t("y", [0, 65537, 65537], dt)])
        models[f"maximum_broadcast_{dt}_z2"] = one_op_model("MAXIMUM", [_t("a", Z2, dt), _t("b", [1, 65536, 1], dt)],
                                                            [_t("y", Z2, dt)])
        models[f"reduce_max_{dt}_z1"] = one_op_model("REDUCE_MAX", [_t("a", Z1, dt), _axes(2)],
                                                     [_t("y", [0, 65536], dt)])
    # Reductions over an empty axis into non-empty outputs: LiteRT's fill values.
    models["mean_all_float32_z2"] = one_op_model("MEAN", [_t("a", Z2), _axes(0, 1, 2)], [_t("y", [])])
    models["sum_all_float32_z2"] = one_op_model("SUM", [_t("a", Z2), _axes(0, 1, 2)], [_t("y", [])])
    models["reduce_max_all_float32_z1"] = one_op_model("REDUCE_MAX", [_t("a", Z1), _axes(0, 1, 2)],
                                                       [_t("y", [1, 1, 1])], {"keep_dims": True})
    models["reduce_min_all_int8_z2"] = one_op_model("REDUCE_MIN", [_t("a", Z2, "int8"), _axes(0, 1, 2)],
                                                    [_t("y", [], "int8")])
    return models


MODELS = zero_size_models()


def _feeds(model: bytes) -> list[np.ndarray]:
    return [np.zeros(d["shape"], d["dtype"]) for d in LiteRTInterpreter(model_content=model).get_input_details()]


@pytest.mark.parametrize("name", list(MODELS))
def test_zero_sized_model_runs_like_litert(name):
    model = MODELS[name]
    feeds = _feeds(model)
    ours = run_ember(model, feeds)
    ref = run_litert(model, feeds)
    # NaN (MEAN of nothing) compares equal to NaN here.
    assert_outputs_match(ours, ref)


def test_empty_tensor_with_huge_trailing_dims_is_accepted_and_holds_no_bytes():
    it = ember.runtime.Interpreter(model_content=MODELS["add_broadcast_rows_float32_z2"])
    it.allocate_tensors()
    assert [tuple(d["shape"]) for d in it.get_input_details()] == [tuple(Z2), (65536, 1, 1)]


def test_non_empty_tensor_over_2_gib_is_still_refused():
    model = one_op_model("ADD", [_t("a", [65536, 65536, 1]), _t("b", [1])], [_t("y", [65536, 65536, 1])])
    with pytest.raises(Exception, match="needs more than 2 GiB"):
        ember.runtime.Interpreter(model_content=model)


def test_empty_tensor_whose_other_dims_overflow_64_bits_is_refused():
    shape = [0, 2**31 - 1, 2**31 - 1, 2**31 - 1]
    model = one_op_model("ADD", [_t("a", shape), _t("b", [1])], [_t("y", shape)])
    with pytest.raises(Exception, match="span more than 2\\^62 bytes"):
        ember.runtime.Interpreter(model_content=model)


def test_zero_sized_models_under_asan_and_ubsan(tmp_path: Path) -> None:
    require("gcc")
    out = build(tmp_path / "build", "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_C_COMPILER=gcc",
                f"-DCMAKE_C_FLAGS={SANITIZE}", f"-DCMAKE_EXE_LINKER_FLAGS={SANITIZE}")
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1", UBSAN_OPTIONS="print_stacktrace=1")
    for name, model in MODELS.items():
        path = tmp_path / f"{name}.tflite"
        path.write_bytes(model)
        log = run([str(out / "ember-bench"), f"--graph={path}", "--num_runs=2"], tmp_path, env=env)
        assert "runtime error" not in log and "AddressSanitizer" not in log, f"{name}:\n{log}"
