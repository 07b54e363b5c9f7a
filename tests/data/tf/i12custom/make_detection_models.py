"""Makes the TFLite_Detection_PostProcess files of tests/runtime/test_tf_detection_postprocess.py with TensorFlow's
own converter, the way TensorFlow's Object Detection API exports SSD models: a tf.function whose
`experimental_implements` signature names the op and its attributes, which the converter fuses into the custom op
(its attributes written as a flexbuffer). A LOGISTIC on the class logits and a small box-encoding head before it,
anchors as a constant. Run with a Python that has TensorFlow (/tmp/tfvenv/bin/python):

    /tmp/tfvenv/bin/python tests/data/tf/i12custom/make_detection_models.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import tensorflow as tf

OUT = Path(__file__).resolve().parent

# name -> (anchors, classes without background, attributes)
CASES = {
    "ssd_fast_nms": (48, 3, {"max_detections": 10, "max_classes_per_detection": 1, "use_regular_nms": False,
                             "nms_score_threshold": 0.3, "nms_iou_threshold": 0.6, "detections_per_class": 100}),
    "ssd_fast_nms_2_classes_per_detection": (
        40, 4, {"max_detections": 6, "max_classes_per_detection": 2, "use_regular_nms": False,
                "nms_score_threshold": 0.2, "nms_iou_threshold": 0.5, "detections_per_class": 100}),
    "ssd_regular_nms": (48, 5, {"max_detections": 12, "max_classes_per_detection": 1, "use_regular_nms": True,
                                "nms_score_threshold": 0.25, "nms_iou_threshold": 0.45, "detections_per_class": 4}),
}
SCALES = {"y_scale": 10.0, "x_scale": 10.0, "h_scale": 5.0, "w_scale": 5.0}


def implements(num_classes: int, attrs: dict) -> str:
    parts = ['name: "TFLite_Detection_PostProcess"']
    for key in ("max_detections", "max_classes_per_detection", "detections_per_class"):
        parts.append(f'attr {{ key: "{key}" value {{ i: {attrs[key]} }} }}')
    parts.append(f'attr {{ key: "use_regular_nms" value {{ b: {str(attrs["use_regular_nms"]).lower()} }} }}')
    for key in ("nms_score_threshold", "nms_iou_threshold"):
        parts.append(f'attr {{ key: "{key}" value {{ f: {attrs[key]:f} }} }}')
    for key, value in SCALES.items():
        parts.append(f'attr {{ key: "{key}" value {{ f: {value:f} }} }}')
    parts.append(f'attr {{ key: "num_classes" value {{ i: {num_classes} }} }}')
    return " ".join(parts)


def make(name: str, anchors_n: int, num_classes: int, attrs: dict) -> bytes:
    rng = np.random.default_rng(len(name))
    anchors = np.stack([rng.uniform(0, 1, anchors_n), rng.uniform(0, 1, anchors_n),
                        rng.uniform(0.05, 0.4, anchors_n), rng.uniform(0.05, 0.4, anchors_n)], 1).astype(np.float32)
    head = rng.standard_normal((8, 4)).astype(np.float32) * 0.5

    @tf.function(experimental_implements=implements(num_classes, attrs))
    def postprocess(box_encodings, class_predictions, anchor_boxes):
        del box_encodings, class_predictions, anchor_boxes  # replaced by the custom op
        d = attrs["max_detections"] * attrs["max_classes_per_detection"]
        return (tf.zeros([1, d, 4]), tf.zeros([1, d]), tf.zeros([1, d]), tf.zeros([1]))

    @tf.function(input_signature=[tf.TensorSpec([1, anchors_n, 8], tf.float32),
                                  tf.TensorSpec([1, anchors_n, num_classes + 1], tf.float32)])
    def detect(features, class_logits):
        box_encodings = tf.reshape(tf.matmul(tf.reshape(features, [anchors_n, 8]), head), [1, anchors_n, 4])
        return postprocess(box_encodings, tf.sigmoid(class_logits), tf.constant(anchors))

    # Through a SavedModel, as the Object Detection API exports: the converter then sees the annotated function
    # before inlining and fuses it.
    module = tf.Module()
    module.detect = detect
    with tempfile.TemporaryDirectory() as saved:
        tf.saved_model.save(module, saved, signatures={"serving_default": detect.get_concrete_function()})
        converter = tf.lite.TFLiteConverter.from_saved_model(saved)
        converter.allow_custom_ops = True
        return converter.convert()


def main() -> None:
    for name, (anchors_n, num_classes, attrs) in CASES.items():
        model = make(name, anchors_n, num_classes, attrs)
        (OUT / f"{name}.tflite").write_bytes(model)
        print(f"{name}.tflite: {len(model)} bytes")


if __name__ == "__main__":
    main()
