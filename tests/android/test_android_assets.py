"""`ember quickstart --android-assets DIR`'s writer: the committed assets are what it writes from the model's
"ember" metadata (labels, input normalisation), and a model without labels is refused with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DIGITS_INT8, ROOT

from ember.export.evaluate import read_metadata
from ember.tools.android_assets import write_android_assets


def test_committed_assets_are_what_the_writer_makes(tmp_path: Path) -> None:
    model, props = write_android_assets(DIGITS_INT8, tmp_path)
    assert model.read_bytes() == DIGITS_INT8.read_bytes()
    assert props.read_text() == DIGITS_INT8.with_suffix(".properties").read_text()
    meta = read_metadata(DIGITS_INT8.read_bytes())
    lines = dict(line.split("=", 1) for line in props.read_text().splitlines() if not line.startswith("#"))
    assert [lines[f"label.{i}"] for i in range(int(lines["labels"]))] == meta["labels"]
    for key, value in meta["input_normalization"].items():
        assert float(lines[f"normalization.{key}"]) == value


def test_a_model_without_labels_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no labels in its \"ember\" metadata: export it with"):
        write_android_assets(ROOT / "tests" / "data" / "tf" / "small_cnn_int8.tflite", tmp_path)
