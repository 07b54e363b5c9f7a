"""Recurrent layers written by TensorFlow's converter (tests/data/tf/recurrent/, make_recurrent_models.py):
tf.keras LSTM (UNIDIRECTIONAL_SEQUENCE_LSTM) and Bidirectional(LSTM) (two of them, REVERSE_V2 and
CONCATENATION), float32 and dynamic-range (int8 weights, the hybrid kernel with asymmetric input quantisation, as
the converter writes it), against LiteRT's reference kernels within 1e-5 relative. The LSTM's output and cell
states are variable tensors, which LiteRT keeps from one invoke to the next: both runtimes are invoked several
times in a row on different inputs, so a state that is dropped, reset or shared with another tensor shows.

The GRU / SimpleRNN files are a WHILE whose body writes step t's output into a [T, B, H] list as
CONCATENATION(SLICE(list, 0, [t, -1, -1]), h_t, SLICE(list, [t + 1, 0, 0], -1)), the SLICEs' shapes computed
from the loop counter at run time (test_runtime_slice.py), and, dynamic-range, hybrid FULLY_CONNECTED
(version 12): against LiteRT over several invokes, exactly (the same float operations in the same order)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ember.runtime import Interpreter

DATA = Path(__file__).resolve().parents[1] / "data" / "tf" / "recurrent"


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
    return it.get_tensor(it.get_output_details()[0]["index"]).copy()


@pytest.mark.parametrize(
    ("name", "ops"),
    [
        ("lstm_seq_float32.tflite", ["UNIDIRECTIONAL_SEQUENCE_LSTM"]),
        ("lstm_last_float32.tflite", ["UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE"]),
        ("lstm_seq_dynamic.tflite", ["UNIDIRECTIONAL_SEQUENCE_LSTM"]),
        ("lstm_last_dynamic.tflite", ["UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE"]),
        (
            "bilstm_dynamic.tflite",
            [
                "REVERSE_V2",
                "UNIDIRECTIONAL_SEQUENCE_LSTM",
                "REVERSE_V2",
                "UNIDIRECTIONAL_SEQUENCE_LSTM",
                "CONCATENATION",
            ],
        ),
        (
            "bilstm_float32.tflite",
            [
                "REVERSE_V2",
                "UNIDIRECTIONAL_SEQUENCE_LSTM",
                "REVERSE_V2",
                "UNIDIRECTIONAL_SEQUENCE_LSTM",
                "CONCATENATION",
            ],
        ),
    ],
)
def test_keras_lstm_matches_litert_across_invokes(name: str, ops: list[str]) -> None:
    ours, theirs = _pair(name)
    assert ours.get_subgraphs()[0]["ops"] == ops
    shape = tuple(ours.get_input_details()[0]["shape"])
    rng = np.random.default_rng(5)
    for _ in range(4):
        x = rng.standard_normal(shape).astype(np.float32)
        np.testing.assert_allclose(_run(ours, x), _run(theirs, x), rtol=1e-5, atol=1e-6)
    # the state carried over: the same input twice gives two different outputs (in both runtimes alike)
    x = rng.standard_normal(shape).astype(np.float32)
    first, second = _run(ours, x), _run(ours, x)
    np.testing.assert_allclose(first, _run(theirs, x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(second, _run(theirs, x), rtol=1e-5, atol=1e-6)
    assert not np.allclose(first, second)


def test_state_is_zero_after_allocate() -> None:
    """A fresh interpreter starts from zero state: its first invoke equals a fresh LiteRT's first invoke."""
    x = np.random.default_rng(6).standard_normal((2, 5, 3)).astype(np.float32)
    ours, theirs = _pair("lstm_seq_float32.tflite")
    _run(ours, x)
    again, _ = _pair("lstm_seq_float32.tflite")
    np.testing.assert_allclose(_run(again, x), _run(theirs, x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["lstm_seq_float32.tflite", "lstm_seq_dynamic.tflite"])
def test_reset_all_variables_zeroes_the_state_as_litert(name: str) -> None:
    """reset_all_variables() zeroes the LSTM's variable tensors, as LiteRT's: after a few invokes and a reset on
    both, the next invoke of each is the first invoke of a fresh interpreter again."""
    ours, theirs = _pair(name)
    rng = np.random.default_rng(5)
    shape = tuple(ours.get_input_details()[0]["shape"])
    for _ in range(3):
        x = rng.standard_normal(shape).astype(np.float32)
        _run(ours, x), _run(theirs, x)
    ours.reset_all_variables()
    theirs.reset_all_variables()
    x = rng.standard_normal(shape).astype(np.float32)
    got, expected = _run(ours, x), _run(theirs, x)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    fresh, _ = _pair(name)
    np.testing.assert_allclose(got, _run(fresh, x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["gru_float32.tflite", "rnn_float32.tflite", "gru_dynamic.tflite",
                                  "rnn_dynamic.tflite"])
def test_keras_gru_and_simple_rnn_while_loops_match_litert(name: str) -> None:
    ours, theirs = _pair(name)
    assert ours.get_subgraphs()[0]["ops"] == ["TRANSPOSE", "WHILE", "TRANSPOSE"]
    body = ours.get_subgraphs()[2]["ops"]
    assert body.count("SLICE") == 2 and body[-1 if "rnn" in name else -2] == "CONCATENATION"
    shape = tuple(ours.get_input_details()[0]["shape"])
    rng = np.random.default_rng(11)
    outputs = []
    for scale in (1.0, 0.1, 4.0, 1.0):
        x = (rng.standard_normal(shape) * scale).astype(np.float32)
        got = _run(ours, x)
        np.testing.assert_array_equal(got, _run(theirs, x))
        outputs.append(got)
    # every step's row was written: no output row is left at the list's initial zeros
    assert np.all(np.abs(outputs[0]).max(axis=-1) > 0)
