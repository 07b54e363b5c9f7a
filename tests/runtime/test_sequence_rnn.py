"""UNIDIRECTIONAL_SEQUENCE_RNN (float32), hand-built (TensorFlow's converter writes tf.keras SimpleRNN as a WHILE
loop instead): batch-major and time-major, the fused activations, batch > 1, against LiteRT's reference kernels
within 1e-5 relative over several invokes (the hidden state, a variable tensor, carries over); malformed files
refused."""

from __future__ import annotations

import numpy as np
import pytest
from tflite_builder import OpSpec, TensorSpec, build_model

from ember.runtime import Interpreter


def rnn_model(
    batch: int = 2,
    time: int = 4,
    n_input: int = 3,
    units: int = 5,
    *,
    time_major: bool = False,
    activation: str = "TANH",
    bias_shape: tuple[int, ...] | None = None,
    constant_state: bool = False,
    seed: int = 0,
) -> bytes:
    rng = np.random.default_rng(seed)
    x_shape = (time, batch, n_input) if time_major else (batch, time, n_input)
    y_shape = (time, batch, units) if time_major else (batch, time, units)
    bias_shape = bias_shape or (units,)
    tensors = [
        TensorSpec("x", x_shape),
        TensorSpec("w", (units, n_input), data=rng.normal(0, 0.6, (units, n_input)).astype(np.float32)),
        TensorSpec("r", (units, units), data=rng.normal(0, 0.4, (units, units)).astype(np.float32)),
        TensorSpec("b", bias_shape, data=rng.normal(0, 0.3, bias_shape).astype(np.float32)),
        TensorSpec(
            "h",
            (batch, units),
            data=np.zeros((batch, units), np.float32) if constant_state else None,
            is_variable=True,
        ),
        TensorSpec("y", y_shape),
    ]
    op = OpSpec(
        "UNIDIRECTIONAL_SEQUENCE_RNN", [0, 1, 2, 3, 4], [5], {"time_major": time_major, "activation": activation}
    )
    return build_model(tensors, [op], [0], [5])


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"batch": 1},
        {"time_major": True, "batch": 3},
        {"activation": "RELU"},
        {"activation": "NONE", "time": 3},
        {"activation": "RELU6", "batch": 3, "n_input": 7, "units": 9, "time": 6},
        {"activation": "RELU_N1_TO_1", "time_major": True},
    ],
)
def test_rnn_matches_litert_across_invokes(kwargs: dict) -> None:
    from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
    from ai_edge_litert.interpreter import OpResolverType

    model = rnn_model(**kwargs)
    ours = Interpreter(model_content=model)
    theirs = LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    ours.allocate_tensors()
    theirs.allocate_tensors()
    shape = tuple(ours.get_input_details()[0]["shape"])
    rng = np.random.default_rng(1)
    for _ in range(3):
        x = rng.normal(0, 1.0, shape).astype(np.float32)
        for it in (ours, theirs):
            it.set_tensor(it.get_input_details()[0]["index"], x)
            it.invoke()
        np.testing.assert_allclose(
            ours.get_tensor(ours.get_output_details()[0]["index"]),
            theirs.get_tensor(theirs.get_output_details()[0]["index"]),
            rtol=1e-5,
            atol=1e-6,
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"bias_shape": (6,)}, "bias"), ({"constant_state": True}, "variable tensor")],
)
def test_malformed_rnn_is_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(Exception) as info:  # noqa: PT011 - the binding's error type
        Interpreter(model_content=rnn_model(**kwargs)).allocate_tensors()
    assert message in str(info.value), str(info.value)
