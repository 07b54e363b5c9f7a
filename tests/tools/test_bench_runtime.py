"""tools/bench_runtime.py's contract: on tiny models it prints the machine line and the table, and its JSON holds
every engine's median/min/p90 per model and thread count, ratios that are the quotients of the medians it
reports, the correctness column, and no ember figure at two threads unless the runtime says it uses them.
No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import ember.runtime
from ember.tools import bench_runtime

SCRIPT = Path(bench_runtime.__file__)
ENGINES = ("ember", "litert_builtin", "litert_xnnpack", "litert_ref")


@pytest.fixture(scope="module")
def run() -> tuple[str, dict]:
    result = subprocess.run([sys.executable, str(SCRIPT), "--json", "--rounds", "3", "--invokes-per-round", "2",
                             "--warmup", "1", "--threads", "1,2", "--ref-timing", "mlp", "tf:small_cnn_int8"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout, json.loads(result.stdout.strip().splitlines()[-1])


def test_machine_and_config(run):
    stdout, report = run
    m = report["machine"]
    assert m["cpu"] and m["cores"] >= 1 and isinstance(m["isa"], list)
    assert m["ember"] and m["ai_edge_litert"] and m["numpy"]
    assert stdout.splitlines()[0] == bench_runtime.machine_line(m)
    assert report["config"]["threads"] == [1, 2] and report["config"]["rounds"] == 3
    assert set(report["ember_threads"]) == {"supported", "reason"}


def test_every_figure_and_consistent_ratios(run):
    stdout, report = run
    assert [(m["model"], m["dtype"]) for m in report["models"]] == [
        ("mlp", "float32"), ("mlp", "int8"), ("tf:small_cnn", "int8")]
    two_threads = report["ember_threads"]["supported"]
    for m in report["models"]:
        assert "error" not in m, m
        assert [row["threads"] for row in m["results"]] == [1, 2]
        for row in m["results"]:
            for engine in ENGINES:
                s = row[engine]
                if engine == "ember" and row["threads"] == 2 and not two_threads:
                    assert s is None and row["ember_vs_ref"] is None and row["ratio_ember_builtin"] is None
                    continue
                assert s["rounds"] == 3 and s["invokes_per_round"] == 2
                assert 0 < s["min_us"] <= s["median_us"] <= s["p90_us"]
                metric = "max_lsb" if m["dtype"] == "int8" else "max_abs"
                assert row[f"{engine}_vs_ref"]["metric"] == metric and row[f"{engine}_vs_ref"]["value"] >= 0
            if row["ember"] is not None:
                for ratio, other in (("ratio_ember_builtin", "litert_builtin"),
                                     ("ratio_ember_xnnpack", "litert_xnnpack")):
                    assert row[ratio] == pytest.approx(row["ember"]["median_us"] / row[other]["median_us"], abs=6e-4)
    table = [line for line in stdout.splitlines() if line.startswith("| ")]
    assert "ember/builtin" in table[0] and "LiteRT XNNPACK us" in table[0] and "ember vs LiteRT ref" in table[0]
    assert len(table) == 1 + 3 * 2
    if not two_threads:
        assert all(" | 2 | n/a |" in line for line in table if " | 2 | " in line)


def test_threads_reported_only_when_the_runtime_says_so(monkeypatch):
    model = Path(__file__).parents[1] / "data" / "tf" / "small_cnn_float32.tflite"

    class NoArgument:
        def __init__(self, model_path=None, model_content=None):
            pass

    class Ignores(NoArgument):
        def __init__(self, model_path=None, model_content=None, num_threads=None):
            pass

    class Reports(NoArgument):
        def __init__(self, model_path=None, model_content=None, num_threads=None):
            self.num_threads = num_threads

    for cls, supported, trusted in ((NoArgument, False, False), (Ignores, False, True), (Reports, True, True)):
        monkeypatch.setattr(ember.runtime, "Interpreter", cls)
        assert bench_runtime.ember_thread_support(model, trust=False)["supported"] is supported, cls
        assert bench_runtime.ember_thread_support(model, trust=True)["supported"] is trusted, cls
