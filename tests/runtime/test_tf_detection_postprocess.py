"""TFLite_Detection_PostProcess in files made by TensorFlow's own converter (tests/data/tf/i12custom, from
make_detection_models.py: the Object Detection API's way, an `experimental_implements` function fused into the
custom op, after LOGISTIC and FULLY_CONNECTED heads): random inputs against LiteRT's BUILTIN_REF and default
kernels. LiteRT leaves output rows past the detections unwritten, so the first num_detections rows compare."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType

import ember.runtime

DATA = Path(__file__).resolve().parents[1] / "data" / "tf" / "i12custom"
# file -> max_classes_per_detection, use_regular_nms (make_detection_models.CASES)
FILES = {"ssd_fast_nms": (1, False), "ssd_fast_nms_2_classes_per_detection": (2, False),
         "ssd_regular_nms": (1, True)}


def _run(it, feeds):
    it.allocate_tensors()
    for detail, value in zip(it.get_input_details(), feeds, strict=True):
        it.set_tensor(detail["index"], value)
    it.invoke()
    # By name: boxes, classes, scores, count are PartitionedCall:0..3 in the converter's naming.
    return {d["name"]: it.get_tensor(d["index"]) for d in it.get_output_details()}


@pytest.mark.parametrize("name", sorted(FILES))
def test_converter_files_match_litert(name: str) -> None:
    model = (DATA / f"{name}.tflite").read_bytes()
    per_detection, regular = FILES[name]
    ours_it = ember.runtime.Interpreter(model_content=model)
    counts = []
    for seed in range(4):
        rng = np.random.default_rng(seed)
        feeds = [(rng.standard_normal(tuple(d["shape"])) * 1.5).astype(np.float32)
                 for d in ours_it.get_input_details()]
        ours = _run(ours_it, feeds)
        for resolver in (OpResolverType.BUILTIN_REF, OpResolverType.BUILTIN):
            ref = _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=resolver), feeds)
            assert ours.keys() == ref.keys()
            count_name = next(k for k, v in ref.items() if v.shape == (1,))
            count = int(ref[count_name][0])
            assert ours[count_name][0] == count, (resolver, ours[count_name], count)
            rows = count if regular else count * per_detection
            for key, value in ref.items():
                if key != count_name:
                    np.testing.assert_allclose(ours[key][0, :rows], value[0, :rows], rtol=1e-5, atol=1e-6,
                                               err_msg=f"{name} {key} ({resolver})")
        counts.append(count)
    assert max(counts) >= 2, counts  # something is detected, so the comparison is not vacuous
