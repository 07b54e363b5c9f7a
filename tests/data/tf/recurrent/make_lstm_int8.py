"""Regenerates the full-integer LSTM .tflite files in this folder with TensorFlow's converter (not part of the test
run; tests/runtime/test_lstm_int8.py reads the committed files).

    pip install tf-keras  # Keras 2: its LSTM converts to the fused UNIDIRECTIONAL_SEQUENCE_LSTM
    TF_USE_LEGACY_KERAS=1 /work/tfvenv/bin/python tests/data/tf/recurrent/make_lstm_int8.py

Keras LSTM(return_sequences=True) models with a fixed batch of 2 (weights seeded), converted with a
representative dataset, TFLITE_BUILTINS_INT8 and int8 input and output: int8 weights and activations, int32
biases, an int16 cell state (scale 2^-15), the five intermediates of the 8x8_16 kernel (the hidden one with a
non-zero zero point).
- lstm_int8_small: 5 steps, 3 features, 4 units;
- lstm_int8_wide: 7 steps, 6 features, 16 units;
- lstm_int8_time_major: LSTM(12, time_major=True) on [6 steps, batch 3, 4 features] (time_major in the
  options);
- bilstm_int8: Bidirectional(LSTM(3, return_sequences=True)) on [2, 5, 3]: two int8 UNIDIRECTIONAL_SEQUENCE_LSTMs,
  REVERSE_V2 and CONCATENATION.

What TensorFlow 2.21's converter cannot write (tried with this script's settings): 16x8 LSTMs ("Quantization to
16x8-bit not yet supported for op: 'UNIDIRECTIONAL_SEQUENCE_LSTM'"), and int8 or 16x8 GRU / SimpleRNN (the
converter crashes with a segmentation fault on their WHILE loops)."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

HERE = Path(__file__).resolve().parent
BATCH = 2
SIZES = {"small": (5, 3, 4, False), "wide": (7, 6, 16, False), "time_major": (6, 4, 12, True)}
# steps, features, units, time_major (then batch 3 is the second dimension)


def convert(steps: int, features: int, units: int, time_major: bool) -> bytes:
    tf.keras.utils.set_random_seed(7)
    if time_major:
        shape = (steps, 3, features)
        inputs = tf.keras.Input(shape[1:], batch_size=steps, name="x")
    else:
        shape = (BATCH, steps, features)
        inputs = tf.keras.Input(shape[1:], batch_size=BATCH, name="x")
    layer = tf.keras.layers.LSTM(units, return_sequences=True, time_major=time_major)
    model = tf.keras.Model(inputs, layer(inputs))

    def representative():
        rng = np.random.default_rng(0)
        for _ in range(32):
            yield [rng.normal(0, 1, shape).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


def convert_bidirectional() -> bytes:
    tf.keras.utils.set_random_seed(7)
    inputs = tf.keras.Input((5, 3), batch_size=BATCH, name="x")
    layer = tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(3, return_sequences=True))
    model = tf.keras.Model(inputs, layer(inputs))

    def representative():
        rng = np.random.default_rng(0)
        for _ in range(32):
            yield [rng.normal(0, 1, (BATCH, 5, 3)).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


def main() -> None:
    files = {f"lstm_int8_{name}": lambda sizes=sizes: convert(*sizes) for name, sizes in SIZES.items()}
    files["bilstm_int8"] = convert_bidirectional
    for name, make in files.items():
        path = HERE / f"{name}.tflite"
        data = make()
        path.write_bytes(data)
        print(path.name, len(data), "bytes")


if __name__ == "__main__":
    main()
