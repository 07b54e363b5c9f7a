"""`ember quickstart --android-assets DIR`'s writer: the committed assets are what it writes from the model's
"ember" metadata (labels, input normalisation), and a model without labels is refused with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from jvm_build import DIGITS_INT8, ROOT

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


def test_quickstart_writes_the_assets(tmp_path: Path) -> None:
    import subprocess
    import sys

    assets = tmp_path / "assets"
    result = subprocess.run([sys.executable, "-m", "ember.tools.cli", "quickstart", "--out", str(tmp_path / "qs"),
                             "--epochs", "1", "--android-assets", str(assets)], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert f"android assets: {assets / 'digits_cnn_int8.tflite'}" in result.stdout
    assert (assets / "digits_cnn_int8.tflite").read_bytes() == (tmp_path / "qs" / "digits_cnn_int8.tflite").read_bytes()
    meta = read_metadata((assets / "digits_cnn_int8.tflite").read_bytes())
    assert f"label.9={meta['labels'][9]}" in (assets / "digits_cnn_int8.properties").read_text()
