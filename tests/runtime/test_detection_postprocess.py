"""TFLite_Detection_PostProcess, the custom op of SSD detectors that the runtime registers itself (as LiteRT does):
hand-built one-op models with random boxes, anchors and scores (float32 and uint8 inputs, the types LiteRT
takes; fast and regular NMS; with and without a background class; several thresholds) against LiteRT's
BUILTIN_REF and default kernels, and refusals of malformed custom_options, shapes and types with their reason.

LiteRT leaves output rows beyond the detections unwritten, so the comparison covers the first num_detections rows.
Equal scores (common in uint8 models) come out in LiteRT's order too: stable sorts where LiteRT's are, and
libstdc++'s partial_sort order where LiteRT ranks an anchor's classes with it (test_equal_scores_...)."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from flatbuffers import flexbuffers
from tflite_builder import OpSpec, TensorSpec, build_model

import ember.runtime
from ember.runtime import RuntimeModelError

CODE = "TFLite_Detection_PostProcess"


def attributes(**overrides) -> dict:
    a = {"max_detections": 10, "max_classes_per_detection": 1, "detections_per_class": 100, "use_regular_nms": False,
         "nms_score_threshold": 0.3, "nms_iou_threshold": 0.5, "num_classes": 3, "y_scale": 10.0, "x_scale": 10.0,
         "h_scale": 5.0, "w_scale": 5.0}
    a.update(overrides)
    return a


def dpp_model(rng: np.random.Generator, anchors_n: int, attrs: dict, background: bool = True,
              box_dtype: str = "float32", class_dtype: str = "float32", options: bytes | None = None,
              outputs: list[list[int]] | None = None, stride: int = 4) -> tuple[bytes, list[np.ndarray]]:
    """The model and its feeds (box encodings, class predictions); anchors are constants, as converters write."""
    n, classes = anchors_n, attrs["num_classes"] + (1 if background else 0)
    anchors = np.stack([rng.uniform(0, 1, n), rng.uniform(0, 1, n), rng.uniform(0.05, 0.5, n),
                        rng.uniform(0.05, 0.5, n)], axis=1).astype(np.float32)
    boxes = (rng.standard_normal((1, n, stride)) * 2).astype(np.float32)
    # Distinct scores in [0, 1): a permutation of a fine grid.
    scores = (rng.permutation(n * classes).reshape(1, n, classes) / (n * classes)).astype(np.float32)
    box_spec = TensorSpec("box_encodings", [1, n, stride])
    class_spec = TensorSpec("class_predictions", [1, n, classes])
    anchor_spec = TensorSpec("anchors", [n, 4], data=anchors)
    if box_dtype == "uint8":
        box_spec = TensorSpec("box_encodings", [1, n, stride], "uint8", scales=[0.08], zero_points=[128])
        boxes = rng.integers(0, 256, (1, n, stride), dtype=np.uint8)
        q = np.clip(np.round(anchors / (1 / 255)), 1, 255).astype(np.uint8)
        anchor_spec = TensorSpec("anchors", [n, 4], "uint8", data=q, scales=[1 / 255], zero_points=[0])
    if class_dtype == "uint8":
        assert n * classes <= 256, "distinct uint8 scores"
        class_spec = TensorSpec("class_predictions", [1, n, classes], "uint8", scales=[1 / 256], zero_points=[0])
        scores = rng.permutation(256)[: n * classes].reshape(1, n, classes).astype(np.uint8)
    d = attrs["max_detections"] * attrs["max_classes_per_detection"]
    shapes = outputs or [[1, d, 4], [1, d], [1, d], [1]]
    tensors = [box_spec, class_spec, anchor_spec] + [TensorSpec(name, shape) for name, shape in
                                                     zip(["boxes", "classes", "scores", "count"], shapes, strict=True)]
    op = OpSpec("CUSTOM", [0, 1, 2], [3, 4, 5, 6], custom_code=CODE,
                custom_options=flexbuffers.Dumps(attrs) if options is None else options)
    return build_model(tensors, [op], [0, 1], [3, 4, 5, 6]), [boxes, scores]


def seed_models() -> list[bytes]:
    """Small models of the op for the fuzz corpus (test_fuzz.write_seeds): fast and regular NMS, float32 and uint8."""
    rng = np.random.default_rng(11)
    return [dpp_model(rng, 6, attributes(use_regular_nms=regular), True, dtype, dtype)[0]
            for regular in (False, True) for dtype in ("float32", "uint8")]


def _run(it, feeds):
    it.allocate_tensors()
    for detail, value in zip(it.get_input_details(), feeds, strict=True):
        it.set_tensor(detail["index"], value)
    it.invoke()
    return [it.get_tensor(d["index"]) for d in it.get_output_details()]


def _compare(model: bytes, feeds: list[np.ndarray], attrs: dict) -> int:
    ours = _run(ember.runtime.Interpreter(model_content=model), feeds)
    for resolver in (OpResolverType.BUILTIN_REF, OpResolverType.BUILTIN):
        ref = _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=resolver), feeds)
        count = int(ref[3][0])
        assert ours[3][0] == ref[3][0], (resolver, ours[3], ref[3])
        rows = count * attrs["max_classes_per_detection"] if not attrs["use_regular_nms"] else count
        np.testing.assert_array_equal(ours[1][0, :rows], ref[1][0, :rows])
        np.testing.assert_allclose(ours[2][0, :rows], ref[2][0, :rows], rtol=1e-6, atol=0)
        np.testing.assert_allclose(ours[0][0, :rows], ref[0][0, :rows], rtol=1e-5, atol=1e-6)
    # Unwritten rows are zero here.
    assert not ours[0][0, rows:].any() and not ours[2][0, rows:].any()
    return count


CASES = [
    ("fast", {}, True),
    ("fast_no_background", {}, False),
    ("fast_3_classes_per_detection", {"max_classes_per_detection": 3}, True),
    ("fast_more_classes_per_detection_than_classes", {"max_classes_per_detection": 2, "num_classes": 2}, True),
    ("fast_low_iou", {"nms_iou_threshold": 0.1, "nms_score_threshold": 0.0}, True),
    ("regular", {"use_regular_nms": True}, True),
    ("regular_2_per_class", {"use_regular_nms": True, "detections_per_class": 2}, True),
    ("regular_no_background_many", {"use_regular_nms": True, "max_detections": 40, "num_classes": 5,
                                    "nms_score_threshold": 0.05}, False),
    ("regular_iou_1", {"use_regular_nms": True, "nms_iou_threshold": 1.0}, True),
]


@pytest.mark.parametrize("name,overrides,background", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("anchors_n", [1, 17, 60])
def test_float32_matches_litert(name: str, overrides: dict, background: bool, anchors_n: int) -> None:
    rng = np.random.default_rng(anchors_n * 1000 + len(name))
    attrs = attributes(**overrides)
    counts = []
    for _ in range(3):
        model, feeds = dpp_model(rng, anchors_n, attrs, background)
        counts.append(_compare(model, feeds, attrs))
    if anchors_n > 1:
        assert max(counts) > 1  # the cases select something, so the comparison is not vacuous


@pytest.mark.parametrize("box_dtype,class_dtype", [("uint8", "uint8"), ("float32", "uint8"), ("uint8", "float32")])
@pytest.mark.parametrize("regular", [False, True])
def test_uint8_inputs_match_litert(box_dtype: str, class_dtype: str, regular: bool) -> None:
    rng = np.random.default_rng(7 + regular)
    attrs = attributes(use_regular_nms=regular, nms_score_threshold=0.2, num_classes=4)
    for n in (5, 40):
        model, feeds = dpp_model(rng, n, attrs, True, box_dtype, class_dtype, stride=6 if n == 5 else 4)
        _compare(model, feeds, attrs)


@pytest.mark.parametrize("regular,per_detection,num_classes", [(True, 1, 6), (False, 1, 6), (False, 3, 6),
                                                               (False, 6, 6), (False, 5, 40)])
@pytest.mark.parametrize("class_dtype", ["float32", "uint8"])
def test_equal_scores_come_out_in_litert_order(regular: bool, per_detection: int, num_classes: int,
                                               class_dtype: str) -> None:
    attrs = attributes(use_regular_nms=regular, max_classes_per_detection=per_detection, num_classes=num_classes,
                       nms_score_threshold=0.2, max_detections=15, detections_per_class=5)
    for seed in range(6):
        rng = np.random.default_rng(seed)
        model, feeds = dpp_model(rng, 50, attrs, True)
        levels = rng.integers(0, 6, feeds[1].shape)  # six score levels: many ties within and across anchors
        if class_dtype == "uint8":
            model, feeds = _uint8_scores_model(rng, attrs, levels)
        else:
            feeds[1] = (levels / 5).astype(np.float32)
        _compare(model, feeds, attrs)


def _uint8_scores_model(rng: np.random.Generator, attrs: dict, levels: np.ndarray) -> tuple[bytes, list[np.ndarray]]:
    """dpp_model's float32 boxes with uint8 class predictions of the given levels (scale 0.2)."""
    n, classes = levels.shape[1], levels.shape[2]
    model, feeds = dpp_model(rng, n, attrs, True)
    anchors = np.stack([rng.uniform(0, 1, n), rng.uniform(0, 1, n), rng.uniform(0.05, 0.5, n),
                        rng.uniform(0.05, 0.5, n)], axis=1).astype(np.float32)
    d = attrs["max_detections"] * attrs["max_classes_per_detection"]
    tensors = [TensorSpec("box_encodings", [1, n, 4]),
               TensorSpec("class_predictions", [1, n, classes], "uint8", scales=[0.2], zero_points=[0]),
               TensorSpec("anchors", [n, 4], data=anchors), TensorSpec("boxes", [1, d, 4]),
               TensorSpec("classes", [1, d]), TensorSpec("scores", [1, d]), TensorSpec("count", [1])]
    op = OpSpec("CUSTOM", [0, 1, 2], [3, 4, 5, 6], custom_code=CODE, custom_options=flexbuffers.Dumps(attrs))
    return build_model(tensors, [op], [0, 1], [3, 4, 5, 6]), [feeds[0], levels.astype(np.uint8)]


def test_a_wider_box_encoding_uses_its_first_four_values() -> None:
    rng = np.random.default_rng(3)
    attrs = attributes()
    model, feeds = dpp_model(rng, 30, attrs, stride=10)
    assert _compare(model, feeds, attrs) > 0


def _refused(model: bytes, match: str) -> None:
    with pytest.raises(RuntimeModelError, match=match):
        it = ember.runtime.Interpreter(model_content=model)
        it.allocate_tensors()


def test_malformed_options_shapes_and_types_are_refused_with_the_reason() -> None:
    rng = np.random.default_rng(0)
    attrs = attributes()
    good = flexbuffers.Dumps(attrs)
    for options, why in [(b"", "not a flexbuffer map: shorter than"), (good[:-3], "not a flexbuffer map"),
                         (flexbuffers.Dumps([1, 2]), "the root is not a map"),
                         (good[:-1] + b"\x03", "bad root byte width"),
                         (good[:-3] + b"\xff" + good[-2:], "not a flexbuffer map: the map's .* leave the buffer"),
                         (flexbuffers.Dumps(attributes(nms_iou_threshold=0.0)), "nms_iou_threshold 0 in \\(0, 1\\]"),
                         (flexbuffers.Dumps(attributes(max_detections=0)), "max_detections is 0"),
                         (flexbuffers.Dumps(attributes(x_scale=0.0)), "x_scale is 0"),
                         (flexbuffers.Dumps(attributes(num_classes="3")), "'num_classes': a value is not a number")]:
        model, _ = dpp_model(rng, 8, attrs, options=options)
        _refused(model, f"{CODE} 0: .*({why})")
    model, _ = dpp_model(rng, 8, attrs, outputs=[[1, 5, 4], [1, 10], [1, 10], [1]])
    _refused(model, r"output 0 \(boxes\) 'boxes' is float32 \[1,5,4\]; it must be float32 \[1, 10, 4\]")
    # Predictions for 3 classes + background, options saying 1 class.
    model, _ = dpp_model(rng, 8, attrs, options=flexbuffers.Dumps(attributes(num_classes=1)))
    _refused(model, "class predictions have 4 classes for num_classes 1")
    model, _ = dpp_model(rng, 8, attrs, stride=3)
    _refused(model, r"box encodings \[1,8,3\], class predictions \[1,8,4\] and anchors \[8,4\] must be")


def test_an_inverted_anchor_fails_at_invoke_like_litert() -> None:
    rng = np.random.default_rng(5)
    attrs = attributes()
    n = 6
    anchors = np.tile(np.array([[0.5, 0.5, -0.2, 0.3]], np.float32), (n, 1))
    tensors = [TensorSpec("box_encodings", [1, n, 4]), TensorSpec("class_predictions", [1, n, 4]),
               TensorSpec("anchors", [n, 4], data=anchors), TensorSpec("boxes", [1, 10, 4]),
               TensorSpec("classes", [1, 10]), TensorSpec("scores", [1, 10]), TensorSpec("count", [1])]
    model = build_model(tensors, [OpSpec("CUSTOM", [0, 1, 2], [3, 4, 5, 6], custom_code=CODE,
                                         custom_options=flexbuffers.Dumps(attrs))], [0, 1], [3, 4, 5, 6])
    feeds = [rng.standard_normal((1, n, 4)).astype(np.float32), rng.uniform(0, 1, (1, n, 4)).astype(np.float32)]
    with pytest.raises(RuntimeError):
        _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF), feeds)
    with pytest.raises(RuntimeModelError, match=f"{CODE} 0: decoded box 0 has ymin > ymax"):
        _run(ember.runtime.Interpreter(model_content=model), feeds)
