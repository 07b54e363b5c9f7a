"""`ember inspect`: counts checked against closed forms for LeNet-5 (parameters and MACs by hand)."""

from __future__ import annotations

import json

import ember
import ember.export
from ember.tools.cli import main
from ember.tools.inspect_model import inspect_model
from ember.vision import models


def lenet_file(tmp_path):
    path = tmp_path / "lenet5.tflite"
    ember.export.to_tflite(models.lenet5().eval(), ember.tensor(models.example_input("lenet5")), path, name="lenet5")
    return path


def test_inspect_counts_parameters_and_macs(tmp_path):
    path = lenet_file(tmp_path)
    r = inspect_model(path)
    assert r["inputs"][0]["shape"] == [1, 32, 32, 1] and r["inputs"][0]["dtype"] == "float32"
    assert r["inputs"][0]["quantization"] is None and r["outputs"][0]["shape"] == [1, 10]
    assert [o["op"] for o in r["operators"]] == ["CONV_2D", "MAX_POOL_2D", "CONV_2D", "MAX_POOL_2D", "RESHAPE",
                                                 "FULLY_CONNECTED", "FULLY_CONNECTED", "FULLY_CONNECTED"]
    conv1 = 28 * 28 * 6 * 5 * 5 * 1
    conv2 = 10 * 10 * 16 * 5 * 5 * 6
    fcs = 400 * 120 + 120 * 84 + 84 * 10
    assert r["totals"]["macs"] == conv1 + conv2 + fcs
    assert r["totals"]["parameters"] == sum(p.numel() for p in models.lenet5().parameters())
    assert r["totals"]["file_bytes"] == path.stat().st_size
    assert r["operators"][0]["options"] == {"activation": "RELU", "stride": [1, 1], "padding": "VALID"}


def test_inspect_reports_the_runtime_arena(tmp_path):
    r = inspect_model(lenet_file(tmp_path))
    assert r["arena_error"] is None, r["arena_error"]
    # The arena holds at least the largest activation, conv1's 28x28x6 float32 output.
    assert r["totals"]["arena_bytes"] >= 28 * 28 * 6 * 4


def test_cli_prints_table_and_json(tmp_path, capsys):
    path = lenet_file(tmp_path)
    assert main(["inspect", str(path)]) == 0
    text = capsys.readouterr().out
    assert "CONV_2D" in text and "MACs" in text and "total: 8 ops" in text
    assert main(["inspect", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["metadata"]["model_name"] == "lenet5" and report["totals"]["operators"] == 8
