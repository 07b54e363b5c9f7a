"""16x8 models written by TensorFlow's converter (tests/data/tf/int16x8/, make_int16x8_models.py): a small CNN
(CONV_2D with int64 biases and dilation, DEPTHWISE_CONV_2D with a depth multiplier, CONCATENATION behind a
requantising QUANTIZE int16 -> int16, RESHAPE, FULLY_CONNECTED) and a model of the elementwise, pooling and
activation ops (MAX_POOL_2D, AVERAGE_POOL_2D, ADD, SUB, MUL, LOGISTIC, TANH, SOFTMAX), each with float32 input and
output (QUANTIZE float32 -> int16 and DEQUANTIZE at the edges) and with int16 input and output, against LiteRT's
reference kernels: bit-exact (the float-edged files' float outputs are one DEQUANTIZE of int16 codes, so they must
be equal too), intermediates included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

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


MIXED = ["mixed16x8_float_io.tflite", "mixed16x8_int16_io.tflite"]
MIXED_OPS = {"CONV_2D", "AVERAGE_POOL_2D", "MAX_POOL_2D", "ADD", "SUB", "MUL", "LOGISTIC", "TANH", "RESHAPE",
             "FULLY_CONNECTED", "SOFTMAX"}


@pytest.mark.parametrize("name", MIXED)
def test_tf_16x8_elementwise_and_pooling_model_matches_litert(name: str) -> None:
    """ADD, SUB, MUL, the pools, LOGISTIC, TANH and SOFTMAX in 16x8 (TensorFlow's mixed16x8 files), bit-exact with
    LiteRT's reference kernels on random feeds past the calibrated range, the int16 extremes included."""
    ours, theirs = _pair(name)
    detail = ours.get_input_details()[0]
    assert detail["dtype"] == (np.int16 if "int16_io" in name else np.float32)
    assert MIXED_OPS <= set(_ops(DATA / name))
    rng = np.random.default_rng(17)
    shape = tuple(detail["shape"])
    for k in range(16):
        if detail["dtype"] == np.int16:
            x = rng.integers(-32768, 32768, size=shape, dtype=np.int16) >> (k % 8)  # large to small activations
            if k == 0:
                x[:] = -32768
            elif k == 1:
                x[:] = 32767
        else:
            x = (rng.standard_normal(shape) * (1 + k)).astype(np.float32)
        got, expected = _run(ours, x), _run(theirs, x)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("name", MIXED)
def test_tf_16x8_mixed_every_intermediate_matches_litert(name: str) -> None:
    """Every int16 tensor between the ops (pool, ADD, SUB, LOGISTIC, TANH, MUL, FC, SOFTMAX outputs) equals
    LiteRT's, read with experimental_preserve_all_tensors."""
    from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
    from ai_edge_litert.interpreter import OpResolverType

    path = DATA / name
    ours = Interpreter(model_path=path, experimental_preserve_all_tensors=True)
    theirs = LiteRTInterpreter(model_path=str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
                               experimental_preserve_all_tensors=True)
    ours.allocate_tensors()
    theirs.allocate_tensors()
    detail = ours.get_input_details()[0]
    rng = np.random.default_rng(18)
    for k in range(4):
        if detail["dtype"] == np.int16:
            x = rng.integers(-32768, 32768, size=tuple(detail["shape"]), dtype=np.int16)
        else:
            x = (rng.standard_normal(tuple(detail["shape"])) * (1 + 2 * k)).astype(np.float32)
        _run(ours, x), _run(theirs, x)
        compared = 0
        for d in ours.get_tensor_details():
            if d["dtype"] == np.int16:
                np.testing.assert_array_equal(ours.get_tensor(d["index"]), theirs.get_tensor(d["index"]),
                                              err_msg=d["name"])
                compared += 1
        assert compared >= 10
