"""Published models nobody here made: the .tflite files Google ships inside the MediaPipe 0.10.14 wheel (face and
palm detection, face/hand/pose/iris landmarks, selfie segmentation; float32 with float16 or sparse weights, up to
6 MB), fetched with `pip download` into ~/.cache/ember (EMBER_PUBLISHED_CACHE overrides) and never committed.
Each must load in ember.runtime and give LiteRT's reference kernels' (BUILTIN_REF) outputs on random inputs
within 1e-4 relative; the three with MediaPipe's own custom ops (which LiteRT does not have either) must be
refused at load with the custom op's name and how to register it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from single_op import run_litert

from ember.runtime import Interpreter

WHEEL = "mediapipe==0.10.14"
CACHE = Path(os.environ.get("EMBER_PUBLISHED_CACHE", Path.home() / ".cache" / "ember" / "mediapipe-0.10.14"))
# Custom ops of MediaPipe's own calculators: registered by MediaPipe's C++, not by LiteRT.
CUSTOM = {"face_landmark_with_attention.tflite": "Landmarks2TransformMatrix",
          "selfie_segmentation.tflite": "Convolution2DTransposeBias",
          "selfie_segmentation_landscape.tflite": "Convolution2DTransposeBias"}
NAMES = ["face_detection_full_range_sparse", "face_detection_short_range", "face_landmark",
         "face_landmark_with_attention", "hand_landmark_full", "hand_landmark_lite", "hand_recrop", "iris_landmark",
         "palm_detection_full", "palm_detection_lite", "pose_detection", "pose_landmark_full",
         "selfie_segmentation", "selfie_segmentation_landscape"]


@pytest.fixture(scope="module")
def models() -> Path:
    """The wheel's mediapipe/modules/*/*.tflite, flattened into CACHE (downloaded once)."""
    if not all((CACHE / f"{n}.tflite").exists() for n in NAMES):
        CACHE.mkdir(parents=True, exist_ok=True)
        result = subprocess.run([sys.executable, "-m", "pip", "download", WHEEL, "--no-deps", "--only-binary=:all:",
                                 "--python-version", "3.11", "--platform", "manylinux2014_x86_64", "-d", str(CACHE)],
                                capture_output=True, text=True, timeout=600)
        wheels = sorted(CACHE.glob("mediapipe-0.10.14-*.whl"))
        if result.returncode != 0 or not wheels:
            pytest.skip(f"cannot download {WHEEL} from the package index: {result.stderr[-300:]}")
        with zipfile.ZipFile(wheels[0]) as wheel:
            for member in wheel.namelist():
                if member.startswith("mediapipe/modules/") and member.endswith(".tflite"):
                    (CACHE / Path(member).name).write_bytes(wheel.read(member))
        for w in wheels:
            w.unlink()
    return CACHE


def _feeds(interpreter: Interpreter, rng: np.random.Generator) -> list[np.ndarray]:
    feeds = []
    for d in interpreter.get_input_details():
        if d["dtype"] == np.float32:
            feeds.append(rng.random(d["shape"]).astype(np.float32))  # images in [0, 1], as MediaPipe feeds them
        else:
            info = np.iinfo(d["dtype"])
            feeds.append(rng.integers(info.min, info.max, size=d["shape"], endpoint=True).astype(d["dtype"]))
    return feeds


@pytest.mark.parametrize("name", [n for n in NAMES if f"{n}.tflite" not in CUSTOM])
def test_published_model_matches_litert_reference(models: Path, name: str) -> None:
    model = (models / f"{name}.tflite").read_bytes()
    interpreter = Interpreter(model_content=model)
    interpreter.allocate_tensors()
    for seed in range(2):
        feeds = _feeds(interpreter, np.random.default_rng(seed))
        for d, x in zip(interpreter.get_input_details(), feeds, strict=True):
            interpreter.set_tensor(d["index"], x)
        interpreter.invoke()
        ours = [interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()]
        theirs = run_litert(model, feeds)
        assert len(ours) == len(theirs)
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert a.shape == b.shape and a.dtype == b.dtype, (i, a.shape, b.shape)
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * max(float(np.max(np.abs(b), initial=0)), 1e-6),
                                       err_msg=f"{name} output {i}")


@pytest.mark.parametrize("file, op", sorted(CUSTOM.items()))
def test_mediapipe_custom_ops_are_refused_by_name(models: Path, file: str, op: str) -> None:
    with pytest.raises(Exception, match=op) as refused:
        Interpreter(model_content=(models / file).read_bytes()).allocate_tensors()
    assert "custom" in str(refused.value)
