"""Regenerates the stateful (resource variable) .tflite files in this folder with TensorFlow's own converter (not
part of the test run; tests/runtime/test_tf_variables.py reads the committed files).

    /work/tfvenv/bin/python tests/data/tf/variables/make_variables_models.py

All are converted with ``experimental_enable_resource_variables = True``: each tf.Variable becomes a VAR_HANDLE
read by READ_VARIABLE and set by ASSIGN_VARIABLE, and an init subgraph, run by CALL_ONCE, assigns the initial
values.

- stream_*: a streaming cell with two variables, ``state`` [1, 4] (``state = tanh(state @ w * 0.5 + x @ u)``) and
  ``avg`` [1, 4] (``avg = 0.75 avg + 0.25 state``), one signature (x -> y, avg). float32; int8 (full-integer ops,
  float input and output: TensorFlow keeps the variables float32, quantising around READ and ASSIGN); int8io (int8
  input and output and, with ``_experimental_variable_quantization``, int8 variables; one output, y + avg).
- counter_float32: two signatures sharing two variables of two types: ``step`` (x [1, 3] -> mean: ``total += x``,
  ``count += 1`` (int32), the running mean) and ``scale`` (x -> y = x * total, reading only); each signature is its
  own subgraph with its own CALL_ONCE of the one initialiser."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

HERE = Path(__file__).resolve().parent


class Stream(tf.Module):
    def __init__(self) -> None:
        super().__init__()
        rng = np.random.default_rng(14)
        self.w = tf.constant(rng.normal(0, 0.5, (4, 4)).astype(np.float32))
        self.u = tf.constant(rng.normal(0, 0.5, (4, 4)).astype(np.float32))
        self.state = tf.Variable(np.full((1, 4), 0.25, np.float32), name="state")
        self.avg = tf.Variable(np.zeros((1, 4), np.float32), name="avg")

    def update(self, x: tf.Tensor) -> dict[str, tf.Tensor]:
        s = tf.tanh(tf.matmul(self.state, self.w) * 0.5 + tf.matmul(x, self.u))
        self.state.assign(s)
        a = self.avg * 0.75 + s * 0.25
        self.avg.assign(a)
        return {"y": s * 2.0, "avg": a}

    @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32, name="x")])
    def step(self, x: tf.Tensor) -> dict[str, tf.Tensor]:
        return self.update(x)

    # TensorFlow 2.21's quantiser fails on two int8 outputs of a stateful function: int8io returns y + avg in one.
    @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32, name="x")])
    def step_one_output(self, x: tf.Tensor) -> dict[str, tf.Tensor]:
        out = self.update(x)
        return {"y": out["y"] + out["avg"]}


class Counter(tf.Module):
    def __init__(self) -> None:
        super().__init__()
        self.total = tf.Variable(np.zeros((1, 3), np.float32), name="total")
        self.count = tf.Variable(0, dtype=tf.int32, name="count")

    @tf.function(input_signature=[tf.TensorSpec([1, 3], tf.float32, name="x")])
    def step(self, x: tf.Tensor) -> dict[str, tf.Tensor]:
        self.total.assign_add(x)
        self.count.assign_add(1)
        return {"mean": self.total / tf.cast(self.count, tf.float32)}

    @tf.function(input_signature=[tf.TensorSpec([1, 3], tf.float32, name="x")])
    def scale(self, x: tf.Tensor) -> dict[str, tf.Tensor]:
        return {"y": x * self.total}


def stream_data():
    rng = np.random.default_rng(1)
    for _ in range(64):
        yield [rng.normal(0, 1, (1, 4)).astype(np.float32)]


def write(name: str, converter: tf.lite.TFLiteConverter) -> None:
    converter.experimental_enable_resource_variables = True
    path = HERE / f"{name}.tflite"
    path.write_bytes(converter.convert())
    print(path.name, path.stat().st_size, "bytes")


def main() -> None:
    stream = Stream()
    for suffix in ("float32", "int8", "int8io"):
        fn = stream.step_one_output if suffix == "int8io" else stream.step
        converter = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()], stream)
        if suffix != "float32":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.representative_dataset = stream_data
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        if suffix == "int8io":
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
            converter._experimental_variable_quantization = True
        write(f"stream_{suffix}", converter)
    counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        tf.saved_model.save(counter, tmp, signatures={"step": counter.step, "scale": counter.scale})
        write("counter_float32", tf.lite.TFLiteConverter.from_saved_model(tmp, signature_keys=["step", "scale"]))


if __name__ == "__main__":
    main()
