"""A bad tensor index in `ember.runtime.Interpreter` raises what LiteRT raises (the oracle): TypeError for a
non-integer, ValueError for a negative or out-of-range one, with a message naming the method and the index."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRT
from tflite_builder import mlp_model

from ember.runtime import Interpreter

MODEL = mlp_model(np.random.default_rng(0), reshape_output=True).model


def _call(it, method: str, index):
    if method == "set_tensor":
        d = it.get_input_details()[0]
        return it.set_tensor(index, np.zeros(tuple(d["shape"]), d["dtype"]))
    return it.get_tensor(index)


@pytest.mark.parametrize("method", ["get_tensor", "set_tensor"])
@pytest.mark.parametrize("index, expected", [
    ("0", r"a tensor index must be an int, got str '0'"),
    (1.0, r"a tensor index must be an int, got float 1\.0"),
    (None, r"a tensor index must be an int, got NoneType None"),
    (-1, r"invalid tensor index -1, out of range: the model has \d+ tensors"),
    (10**6, r"invalid tensor index 1000000, out of range: the model has \d+ tensors"),
], ids=["str", "float", "none", "negative", "too-large"])
def test_bad_tensor_index_is_refused_like_litert(method, index, expected):
    oracle = LiteRT(model_content=MODEL)
    oracle.allocate_tensors()
    with pytest.raises(Exception) as litert_error:
        _call(oracle, method, index)
    it = Interpreter(model_content=MODEL)
    it.allocate_tensors()
    with pytest.raises(litert_error.type, match=rf"Interpreter\.{method}: {expected}"):
        _call(it, method, index)


def test_numpy_integer_index_works_like_litert():
    it = Interpreter(model_content=MODEL)
    it.allocate_tensors()
    d = it.get_input_details()[0]
    x = np.arange(int(np.prod(d["shape"])), dtype=d["dtype"]).reshape(tuple(d["shape"]))
    it.set_tensor(np.int64(d["index"]), x)
    np.testing.assert_array_equal(it.get_tensor(np.int32(d["index"])), x)
    with pytest.raises(TypeError, match=r"Interpreter\.get_tensor: a tensor index must be an int, got bool"):
        it.get_tensor(True)
