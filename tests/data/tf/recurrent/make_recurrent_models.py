"""Regenerates the recurrent .tflite files in this folder with TensorFlow's own converter (not part of the test
run; tests/runtime/test_tf_recurrent.py reads the committed files).

    pip install tf-keras  # Keras 2: Keras 3 layers convert to WHILE loops, never to the fused ops
    TF_USE_LEGACY_KERAS=1 /work/tfvenv/bin/python tests/data/tf/recurrent/make_recurrent_models.py

Small Keras models with a fixed batch of 2 (weights seeded):
- lstm_seq: LSTM(4, return_sequences=True); lstm_last: LSTM(4) (the last step only);
- gru: GRU(4, return_sequences=True); rnn: SimpleRNN(4, return_sequences=True);
- bilstm: Bidirectional(LSTM(3, return_sequences=True)) (outputs concatenated).
Each in float32 (5 time steps, 3 features, 4 units; bilstm 3 units) and dynamic-range (`optimizations =
[Optimize.DEFAULT]`, no representative data: int8 weights, float activations). The converter quantises only
weights of 1024 elements or more, so the dynamic-range files have 32 features and 32 units (3 steps).
tf.keras LSTM becomes UNIDIRECTIONAL_SEQUENCE_LSTM (Bidirectional: two of them, REVERSE_V2 and
CONCATENATION); GRU and SimpleRNN become WHILE loops of FULLY_CONNECTED and elementwise ops."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.keras is tf_keras (Keras 2), whose LSTM the converter fuses

import tensorflow as tf  # noqa: E402

HERE = Path(__file__).resolve().parent
BATCH = 2
SIZES = {"float32": (5, 3, 4), "dynamic": (3, 32, 32)}  # steps, features, units


def models(steps: int, features: int, units: int) -> dict[str, tf.keras.Model]:
    tf.keras.utils.set_random_seed(7)
    layers = {
        "lstm_seq": lambda: tf.keras.layers.LSTM(units, return_sequences=True),
        "lstm_last": lambda: tf.keras.layers.LSTM(units),
        "gru": lambda: tf.keras.layers.GRU(units, return_sequences=True),
        "rnn": lambda: tf.keras.layers.SimpleRNN(units, return_sequences=True),
        "bilstm": lambda: tf.keras.layers.Bidirectional(
            tf.keras.layers.LSTM(units if units > 4 else 3, return_sequences=True)
        ),
    }
    out = {}
    for name, make in layers.items():
        inputs = tf.keras.Input((steps, features), batch_size=BATCH, name="x")
        out[name] = tf.keras.Model(inputs, make()(inputs))
    return out


def main() -> None:
    for suffix, sizes in SIZES.items():
        for name, model in models(*sizes).items():
            converter = tf.lite.TFLiteConverter.from_keras_model(model)
            if suffix == "dynamic":
                converter.optimizations = [tf.lite.Optimize.DEFAULT]
            data = converter.convert()
            path = HERE / f"{name}_{suffix}.tflite"
            path.write_bytes(data)
            print(path.name, len(data), "bytes")


if __name__ == "__main__":
    main()
