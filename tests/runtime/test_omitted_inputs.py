"""An operator input given as tensor -1 ("omitted") is refused by the loader with the op, its index and the input,
unless the op lets it be omitted (a bias, RESHAPE's shape), in which case the model runs. Oracle: closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from tflite_builder import OpSpec, TensorSpec, build_model

from ember.runtime import Interpreter, RuntimeModelError


def _refusal(model: bytes) -> str:
    with pytest.raises(RuntimeModelError) as info:
        Interpreter(model_content=model).allocate_tensors()
    assert info.value.status == "invalid model"
    return str(info.value)


@pytest.mark.parametrize("op, inputs, shapes, omitted", [
    ("RELU", [-1], [[1, 4], [1, 4]], 0),
    ("LOGISTIC", [-1], [[1, 4], [1, 4]], 0),
    ("CONCATENATION", [0, -1], [[1, 4], [1, 8]], 1),
    ("ADD", [0, -1], [[1, 4], [1, 4]], 1),
], ids=["relu", "logistic", "concatenation", "add"])
def test_omitted_required_input_is_named(op, inputs, shapes, omitted):
    tensors = [TensorSpec("x", shapes[0]), TensorSpec("y", shapes[1])]
    options = {"axis": 1} if op == "CONCATENATION" else {}
    message = _refusal(build_model(tensors, [OpSpec(op, inputs, [1], options)], [0], [1]))
    assert f"{op} 0: input {omitted} is omitted (-1) but required" in message, message


def test_fully_connected_may_omit_its_bias_but_not_its_weights():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((3, 4)).astype(np.float32)
    tensors = [TensorSpec("x", [1, 4]), TensorSpec("w", [3, 4], data=w), TensorSpec("y", [1, 3])]
    it = Interpreter(model_content=build_model(tensors, [OpSpec("FULLY_CONNECTED", [0, 1, -1], [2])], [0], [2]))
    it.allocate_tensors()
    x = rng.standard_normal((1, 4)).astype(np.float32)
    it.set_tensor(0, x)
    it.invoke()
    np.testing.assert_allclose(it.get_tensor(2), x @ w.T, rtol=1e-5, atol=1e-6)

    hollow = build_model(tensors, [OpSpec("FULLY_CONNECTED", [0, -1, -1], [2])], [0], [2])
    assert "FULLY_CONNECTED 0: input 1 is omitted (-1) but required" in _refusal(hollow)


def test_transpose_conv_may_omit_its_bias():
    # Closed form: a 1x1 transposed convolution with stride 1 is x @ W^T per pixel; LiteRT accepts bias -1 too.
    rng = np.random.default_rng(1)
    w = rng.standard_normal((3, 1, 1, 2)).astype(np.float32)  # OHWI
    tensors = [TensorSpec("s", [4], "int32", data=np.array([1, 2, 2, 3], np.int32)), TensorSpec("w", [3, 1, 1, 2],
               data=w), TensorSpec("x", [1, 2, 2, 2]), TensorSpec("y", [1, 2, 2, 3])]
    ops = [OpSpec("TRANSPOSE_CONV", [0, 1, 2, -1], [3], {"padding": "VALID", "stride_w": 1, "stride_h": 1}, 3)]
    it = Interpreter(model_content=build_model(tensors, ops, [2], [3]))
    it.allocate_tensors()
    x = rng.standard_normal((1, 2, 2, 2)).astype(np.float32)
    it.set_tensor(2, x)
    it.invoke()
    np.testing.assert_allclose(it.get_tensor(3), x @ w.reshape(3, 2).T, rtol=1e-5, atol=1e-6)
