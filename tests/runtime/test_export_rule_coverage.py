"""Every export rule runs on the C runtime: for each traced op of the TFLite rule table
(`ember.export.lowering.registry.RULES`) a tiny model producing it (`ember.export.rule_examples.CASES`) is exported
as float32 and, when every op it lowers to has an int8 rule (`ptq.INT8_OPS`), as int8 with int8 and with float
edges, and when they all have a 16x8 rule (`ptq.INT16X8_OPS`), as 16x8 with int16 and with float edges;
`ember.runtime` must load and run each file and agree with LiteRT's reference kernels (float32 within rtol 1e-5,
atol 1e-7, int8 and int16 bit-exact). The table drives the test: a rule without a case, or an int8 or 16x8 rule no
case reaches, fails, so the exporter cannot again write an op its own runtime refuses."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tflite
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from single_op import ATOL, RTOL

import ember
import ember.export
import ember.runtime
from ember.export import rule_examples
from ember.export.lowering.registry import RULES
from ember.export.quantize import ptq
from ember.export.quantize.qparams import quantize_array
from ember.export.rule_examples import CASES

LOWERED = {name: rule_examples.lowered_ops(name) for name in CASES}
INT8_CASES = [name for name in CASES if LOWERED[name] <= ptq.INT8_OPS]
INT16X8_CASES = [name for name in CASES if LOWERED[name] <= ptq.INT16X8_OPS]
_example, _model = rule_examples.example, rule_examples.model


# int8 rules for ops no lowering rule writes (they come from the TFLite converter's files, and SHAPE from
# dynamic_batch's TRANSPOSE_CONV output shape, tests/export/test_dynamic_batch.py); kernel tests cover them.
NOT_WRITTEN_BY_RULES = {"PACK", "SQUEEZE", "SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND", "SHAPE"}


def test_every_rule_has_a_case():
    traced = {name.split("/")[0] for name in CASES}
    missing, stale = set(RULES) - traced, traced - set(RULES)
    assert not missing, f"export rules without a case in CASES (add a tiny model for each): {sorted(missing)}"
    assert not stale, f"CASES for traced ops that have no export rule: {sorted(stale)}"


def test_every_int8_rule_is_reached():
    # QUANTIZE and DEQUANTIZE come from io="float", which every int8 case also runs.
    reached = set().union(*(LOWERED[name] for name in INT8_CASES)) | {"QUANTIZE", "DEQUANTIZE"}
    missing = ptq.INT8_OPS - reached - NOT_WRITTEN_BY_RULES
    assert not missing, f"int8 rules no int8 case exercises (add a case lowering to them): {sorted(missing)}"
    written = set().union(*LOWERED.values()) & NOT_WRITTEN_BY_RULES
    assert not written, f"{sorted(written)} are written by a rule now: drop them from NOT_WRITTEN_BY_RULES"


def test_every_int16x8_rule_is_reached():
    reached = set().union(*(LOWERED[name] for name in INT16X8_CASES)) | {"QUANTIZE", "DEQUANTIZE"}
    missing = ptq.INT16X8_OPS - reached - NOT_WRITTEN_BY_RULES
    assert not missing, f"16x8 rules no 16x8 case exercises (add a case lowering to them): {sorted(missing)}"


def _run(it, path, x: np.ndarray) -> np.ndarray:
    m = tflite.Model.GetRootAs(open(path, "rb").read(), 0)
    entries = {m.Metadata(i).Name().decode(): m.Metadata(i).Buffer() for i in range(m.MetadataLength())}
    meta = json.loads(m.Buffers(entries["ember"]).DataAsNumpy().tobytes())
    it.allocate_tensors()
    (detail,) = it.get_input_details()
    x = x.transpose(0, 2, 3, 1) if meta["inputs"][0]["layout"] == "NHWC" else x
    it.set_tensor(detail["index"], np.ascontiguousarray(x.astype(detail["dtype"])))
    it.invoke()
    y = np.array(it.get_tensor(it.get_output_details()[0]["index"]))
    return y.transpose(0, 3, 1, 2) if meta["outputs"][0]["layout"] == "NHWC" else y


# Ops LiteRT's reference resolver does not register (its optimised kernels do): those files are checked against
# LiteRT's default kernels instead.
NOT_IN_BUILTIN_REF = {"ELU"}


def _both(path, x):
    ops_in_file = {tflite.BuiltinOperator.__dict__.get(n) for n in NOT_IN_BUILTIN_REF}
    m = tflite.Model.GetRootAs(open(path, "rb").read(), 0)
    codes = {max(m.OperatorCodes(i).BuiltinCode(), m.OperatorCodes(i).DeprecatedBuiltinCode())
             for i in range(m.OperatorCodesLength())}
    resolver = OpResolverType.AUTO if codes & ops_in_file else OpResolverType.BUILTIN_REF
    expected = _run(Interpreter(model_path=str(path), experimental_op_resolver_type=resolver), path, x)
    got = _run(ember.runtime.Interpreter(model_path=str(path)), path, x)
    return got, expected


def export_float32(name: str, path) -> object:
    """The float32 export of case `name` at `path` (also the fuzzer's seeds); returns the graph."""
    return ember.export.to_tflite(_model(name), ember.tensor(_example(name, 0)), path)


@pytest.mark.parametrize("name", list(CASES))
def test_float32_export_runs_on_the_runtime_like_litert(tmp_path, name):
    path = tmp_path / f"{name}.tflite"
    graph = export_float32(name, path)
    got, expected = _both(path, _example(name, 1))
    assert got.shape == expected.shape and got.dtype == expected.dtype, str(graph)
    # single_op.py's bounds: rtol 1e-5, and an absolute floor for results that are 0 up to rounding
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL, err_msg=f"{name}\n{graph}")


@pytest.mark.parametrize("io", ["int8", "float"])
@pytest.mark.parametrize("name", INT8_CASES)
def test_int8_export_runs_on_the_runtime_bit_exact(tmp_path, name, io):
    path = tmp_path / f"{name}.tflite"
    calibration = [_example(name, s) for s in range(8)]
    graph = ember.export.to_tflite(_model(name), ember.tensor(calibration[0]), path, quantize="int8",
                                   calibration=calibration, io=io)
    for seed in (100, 101):
        x = _example(name, seed)
        if io == "int8" and x.dtype == np.float32:
            x = quantize_array(x, graph.inputs[0].quant).astype(np.float32)
        got, expected = _both(path, x)
        assert got.dtype == expected.dtype, str(graph)
        np.testing.assert_array_equal(got, expected, err_msg=str(graph))


@pytest.mark.parametrize("io", ["int16", "float"])
@pytest.mark.parametrize("name", INT16X8_CASES)
def test_int16x8_export_runs_on_the_runtime_bit_exact(tmp_path, name, io):
    path = tmp_path / f"{name}.tflite"
    calibration = [_example(name, s) for s in range(8)]
    graph = ember.export.to_tflite(_model(name), ember.tensor(calibration[0]), path, quantize="int16x8",
                                   calibration=calibration, io=io)
    for seed in (100, 101):
        x = _example(name, seed)
        if io == "int16" and x.dtype == np.float32:
            x = quantize_array(x, graph.inputs[0].quant, np.int16)
        got, expected = _both(path, x)
        assert got.dtype == expected.dtype, str(graph)
        np.testing.assert_array_equal(got, expected, err_msg=str(graph))
