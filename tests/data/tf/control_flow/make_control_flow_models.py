"""Regenerates the control-flow .tflite files in this folder with TensorFlow's own converter (not part of the
test run; tests/runtime/test_tf_control_flow.py reads the committed files).

    /tmp/tfvenv/bin/python tests/data/tf/control_flow/make_control_flow_models.py

- while_float32: tf.while_loop over (i, x) running `x = tanh(x @ w) + x * 0.5` until i reaches the int32 input
  `n` (WHILE with a cond subgraph (LESS) and a body subgraph).
- cond_float32: tf.cond on a bool input choosing `tanh(2 x) + 1` or `relu(x) * 3` (IF with two branch subgraphs).
Each also as int8 when the converter quantises it (representative data, float input and output kept)."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

HERE = Path(__file__).resolve().parent
RNG = np.random.default_rng(3)
W = tf.constant(RNG.normal(0, 0.4, (6, 6)).astype(np.float32))


@tf.function(input_signature=[tf.TensorSpec([1, 6], tf.float32, name="x"), tf.TensorSpec([], tf.int32, name="n")])
def loop(x: tf.Tensor, n: tf.Tensor) -> tf.Tensor:
    def body(i, v):
        return i + 1, tf.tanh(tf.matmul(v, W)) + v * 0.5

    _, y = tf.while_loop(lambda i, v: i < n, body, (tf.constant(0), x))
    return y


@tf.function(input_signature=[tf.TensorSpec([1, 6], tf.float32, name="x"), tf.TensorSpec([], tf.bool, name="p")])
def branch(x: tf.Tensor, p: tf.Tensor) -> tf.Tensor:
    return tf.cond(p, lambda: tf.tanh(x * 2.0) + 1.0, lambda: tf.nn.relu(x) * 3.0)


def convert(fn, name: str, representative) -> None:
    for suffix in ("float32", "int8"):
        converter = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()], fn)
        if suffix == "int8":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.representative_dataset = representative
        try:
            data = converter.convert()
        except Exception as e:  # noqa: BLE001 - the converter may refuse to quantise control flow
            print(name, suffix, "not converted:", str(e).splitlines()[0][:200])
            continue
        path = HERE / f"{name}_{suffix}.tflite"
        path.write_bytes(data)
        print(path.name, len(data), "bytes")


def loop_data():
    for k in range(16):
        yield [RNG.normal(0, 1, (1, 6)).astype(np.float32), np.array(k % 5, np.int32)]


def branch_data():
    for k in range(16):
        yield [RNG.normal(0, 1, (1, 6)).astype(np.float32), np.array(k % 2 == 0)]


def main() -> None:
    convert(loop, "while", loop_data)
    convert(branch, "cond", branch_data)


if __name__ == "__main__":
    main()
