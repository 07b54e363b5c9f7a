"""16x8 models written by TensorFlow's converter (tests/data/tf/int16x8/, make_int16x8_models.py): a small CNN
(CONV_2D with int64 biases and dilation, DEPTHWISE_CONV_2D with a depth multiplier, CONCATENATION behind a
requantising QUANTIZE int16 -> int16, RESHAPE, FULLY_CONNECTED) with float32 input and output (QUANTIZE float32 ->
int16 and DEQUANTIZE at the edges) and with int16 input and output, against LiteRT's reference kernels: bit-exact
(the float-edged file's float outputs are one DEQUANTIZE of int16 codes, so they must be equal too)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tflite

from ember.runtime import Interpreter

DATA = Path(__file__).resolve().parents[1] / "data" / "tf" / "int16x8"
MODELS = ["cnn16x8_float_io.tflite", "cnn16x8_int16_io.tflite"]


def _pair(name: str):
    from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
    from ai_edge_litert.interpreter import OpResolverType

    path = DATA / name
    ours = Interpreter(model_path=path)
    theirs = LiteRTInterpreter(model_path=str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    ours.allocate_tensors()
    theirs.allocate_tensors()
    return ours, theirs


def _run(it, x: np.ndarray) -> np.ndarray:
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    return it.get_tensor(it.get_output_details()[0]["index"])


def _ops(path: Path) -> list[str]:
    return Interpreter(model_path=path).get_subgraphs()[0]["ops"]


@pytest.mark.parametrize("name", MODELS)
def test_tf_16x8_cnn_matches_litert_bit_exact(name: str) -> None:
    ours, theirs = _pair(name)
    detail = ours.get_input_details()[0]
    assert detail["dtype"] == (np.int16 if "int16_io" in name else np.float32)
    ops = _ops(DATA / name)
    assert {"CONV_2D", "DEPTHWISE_CONV_2D", "CONCATENATION", "RESHAPE", "FULLY_CONNECTED", "QUANTIZE"} <= set(ops)
    rng = np.random.default_rng(16)
    shape = tuple(detail["shape"])
    for k in range(12):
        if detail["dtype"] == np.int16:
            x = rng.integers(-32768, 32768, size=shape, dtype=np.int16)
            if k == 0:
                x[:] = -32768
        else:
            x = (rng.standard_normal(shape) * (1 + k)).astype(np.float32)  # past the calibrated range too
        got, expected = _run(ours, x), _run(theirs, x)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)


def test_tf_16x8_tensors_are_what_the_converter_writes() -> None:
    """The facts the int16 kernels rely on, read back from the converter's file: int16 activations with zero
    point 0, int8 per-channel weights, int64 biases."""
    it = Interpreter(model_path=DATA / "cnn16x8_float_io.tflite")
    details = it.get_tensor_details()
    int16 = [d for d in details if d["dtype"] == np.int16]
    assert int16 and all(d["quantization_parameters"]["zero_points"].tolist() == [0] for d in int16)
    assert any(d["dtype"] == np.int64 for d in details)
    weights = [d for d in details if d["dtype"] == np.int8]
    assert weights and all(len(d["quantization_parameters"]["scales"]) > 1 for d in weights)


def _ops_without_int16(path: Path) -> list[str]:
    """The ops of a file whose kernel in this runtime's registry does not take int16 yet."""
    from ember.runtime import op_registry

    model = tflite.Model.GetRootAs(path.read_bytes(), 0)
    names = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
    graph = model.Subgraphs(0)
    ops = {names[model.OperatorCodes(graph.Operators(i).OpcodeIndex()).BuiltinCode()]
           for i in range(graph.OperatorsLength())}
    types = {e["name"]: e["types"] for e in op_registry()}
    return sorted(op for op in ops if "int16" not in types.get(op, []))


def test_tf_16x8_elementwise_and_pooling_model_matches_litert() -> None:
    """ADD, SUB, MUL, the pools, LOGISTIC, TANH and SOFTMAX in 16x8 (TensorFlow's mixed16x8_float_io): runs
    bit-exact once every op's kernel takes int16; until then the load is refused naming an op without one
    (the type check of the loader, never a wrong result)."""
    from ember.runtime import RuntimeModelError

    path = DATA / "mixed16x8_float_io.tflite"
    missing = _ops_without_int16(path)
    if missing:
        with pytest.raises(RuntimeModelError, match=rf"({'|'.join(missing)}) \d+: .* is int16, a type this kernel"):
            Interpreter(model_path=path).allocate_tensors()
        return
    ours, theirs = _pair(path.name)
    rng = np.random.default_rng(17)
    shape = tuple(ours.get_input_details()[0]["shape"])
    for k in range(12):
        x = (rng.standard_normal(shape) * (1 + k)).astype(np.float32)
        np.testing.assert_array_equal(_run(ours, x), _run(theirs, x))
