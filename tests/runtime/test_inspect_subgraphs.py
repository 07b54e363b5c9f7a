"""`ember inspect` on models with several subgraphs and SignatureDefs (TensorFlow-converted files): each subgraph
with its ops, the calls of WHILE in its options, and the signatures as LiteRT lists them."""

from __future__ import annotations

from pathlib import Path

from ember.tools.inspect_model import format_report, inspect_model

DATA = Path(__file__).resolve().parents[1] / "data" / "tf"


def test_inspect_lists_subgraphs_and_calls() -> None:
    r = inspect_model(DATA / "control_flow" / "while_float32.tflite")
    assert [g["name"] for g in r["subgraphs"]] == ["main", "while_cond", "while_body"]
    assert r["subgraphs"][1]["ops"] == ["LESS"]
    assert r["operators"][0]["op"] == "WHILE" and r["operators"][0]["options"] == {"cond": 1, "body": 2}
    assert r["totals"]["arena_bytes"] is not None  # the runtime runs it
    text = format_report(r)
    assert "subgraphs:" in text and "2 'while_body': 5 ops (ADD FULLY_CONNECTED TANH MUL ADD)" in text


def test_inspect_lists_signatures_like_litert() -> None:
    from ai_edge_litert.interpreter import Interpreter

    path = DATA / "signatures" / "codec_int8.tflite"
    r = inspect_model(path)
    listed = {s["key"]: {"inputs": sorted(s["inputs"]), "outputs": sorted(s["outputs"])} for s in r["signatures"]}
    assert listed == Interpreter(model_path=str(path)).get_signature_list()
    assert {s["key"]: s["subgraph"] for s in r["signatures"]} == {"decode": 0, "encode": 1}
    assert "'encode' (subgraph 1): inputs ['x'], outputs ['code']" in format_report(r)


def test_single_subgraph_report_is_unchanged() -> None:
    r = inspect_model(DATA / "small_cnn_float32.tflite")
    assert len(r["subgraphs"]) == 1 and "subgraphs:" not in format_report(r)
