"""`ember inspect --trace MODEL INPUT.npy` (issue 14): each op's output statistics from Ember and from LiteRT's
reference kernels, the first divergence marked. On zoo models the LiteRT column must be what LiteRT itself holds
(an interpreter run here with experimental_preserve_all_tensors), Ember's must agree (int8 bit-exact), and a
perturbed tensor must be reported as the first divergence."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType

from ember.tools import cli, trace_model


def _ember(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(list(argv))
        except SystemExit as e:  # argparse errors
            status = int(e.code)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def zoo_model(tmp_path_factory):
    import ember
    import ember.export
    from ember.vision import models

    def make(name: str, kind: str) -> tuple[Path, Path]:
        folder = tmp_path_factory.mktemp(f"{name}_{kind}")
        model = models.MODELS[name].build().eval()
        x = models.example_input(name)
        path = folder / f"{name}_{kind}.tflite"
        if kind == "int8":
            calibration = [models.example_input(name, seed=s) for s in range(2)]
            ember.export.to_tflite(model, ember.tensor(x), path, quantize="int8", calibration=calibration)
        else:
            ember.export.to_tflite(model, ember.tensor(x), path)
        details = LiteRTInterpreter(str(path)).get_input_details()[0]
        image = models.example_input(name, seed=5)
        if image.ndim == 4 and list(image.shape) != list(details["shape"]):
            image = image.transpose(0, 2, 3, 1)  # NCHW -> the file's NHWC
        np.save(folder / "input.npy", image.astype(np.float32))
        return path, folder / "input.npy"

    return make


def _litert_tensors(path: Path, x: np.ndarray) -> tuple[LiteRTInterpreter, list[dict]]:
    ref = LiteRTInterpreter(str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
                            experimental_preserve_all_tensors=True)
    ref.allocate_tensors()
    d = ref.get_input_details()[0]
    if d["dtype"] == np.int8:
        scale, zero_point = d["quantization"]
        x = np.clip(np.round(x / scale) + zero_point, -128, 127).astype(np.int8)
    ref.set_tensor(d["index"], x)
    ref.invoke()
    return ref, ref.get_tensor_details()


@pytest.mark.parametrize(("name", "kind"), [("mobilenet_v2", "int8"), ("mobilenet_v2", "float32"),
                                            ("lenet5", "int8")])
def test_trace_of_a_zoo_model_matches_litert_and_finds_no_divergence(zoo_model, name: str, kind: str) -> None:
    path, x_path = zoo_model(name, kind)
    status, out, err = _ember("inspect", "--trace", str(path), str(x_path), "--json")
    assert status == 0, err
    report = json.loads(out)
    assert report["compared_with_litert"] and report["first_divergence"] is None, report["first_divergence"]
    ref, details = _litert_tensors(path, np.load(x_path))
    by_index = {d["index"]: d for d in details}
    ops = ref._get_ops_details()
    assert [r["tensor"] for r in report["rows"]] == [t for op in ops for t in op["outputs"]]
    for row in report["rows"]:
        d = by_index[row["tensor"]]
        value = ref.get_tensor(row["tensor"]).astype(np.float64)
        scales = d["quantization_parameters"]["scales"]
        if len(scales) == 1 and d["dtype"] != np.int32:
            value = (value - d["quantization_parameters"]["zero_points"][0]) * scales[0]
        assert row["shape"] == list(value.shape)
        want = {"min": value.min(), "max": value.max(), "mean": value.mean()}
        for key in want:
            np.testing.assert_allclose(row["litert"][key], want[key], rtol=1e-12, err_msg=(row["name"], key))
            np.testing.assert_allclose(row["ember"][key], want[key], rtol=1e-5, atol=1e-6, err_msg=(row["name"], key))
        if kind == "int8" and row["max_lsb_diff"] is not None:
            assert row["max_lsb_diff"] == 0
    status, text, _ = _ember("inspect", "--trace", str(path), str(x_path))
    assert status == 0 and "no divergence: every output agrees with LiteRT" in text
    assert len(text.splitlines()) == len(report["rows"]) + 3


def test_a_perturbed_tensor_is_the_first_divergence(zoo_model) -> None:
    path, x_path = zoo_model("lenet5", "int8")
    ref, details = _litert_tensors(path, np.load(x_path))
    ops = [{"index": op["index"], "op": op["op_name"], "outputs": list(op["outputs"])} for op in ref._get_ops_details()]
    outputs = [t for op in ops for t in op["outputs"]]
    theirs = {t: ref.get_tensor(t) for t in outputs}
    ours = {t: v.copy() for t, v in theirs.items()}
    bad = outputs[2]
    ours[bad].flat[0] = ours[bad].flat[0] + (1 if ours[bad].flat[0] < 100 else -1)  # one step off
    later = outputs[4]
    ours[later].flat[:] = 0
    report = trace_model.compare_rows(ops, {d["index"]: d for d in details}, ours, theirs)
    row = report["rows"][report["first_divergence"]]
    assert row["tensor"] == bad and row["max_lsb_diff"] == 1
    report.update({"model": str(path), "input": str(x_path), "litert_missing": None})
    text = trace_model.format_trace(report)
    marked = [line for line in text.splitlines() if "<-- first divergence" in line]
    assert len(marked) == 1 and marked[0].split()[1] == row["op"]
    assert f"first divergence: op {row['op_index']} ({row['op']})" in text


def test_trace_arguments_are_checked(zoo_model, tmp_path: Path) -> None:
    path, x_path = zoo_model("lenet5", "int8")
    status, _, err = _ember("inspect", "--trace", str(path))
    assert status == 2 and "give the input too" in err
    status, _, err = _ember("inspect", str(path), str(x_path))
    assert status == 2 and "with --trace only" in err
    np.save(tmp_path / "wrong.npy", np.zeros((1, 2, 2, 2), np.float32))
    status, _, err = _ember("inspect", "--trace", str(path), str(tmp_path / "wrong.npy"))
    assert status == 2 and "resized to [1,2,2,2]" in err, err


def test_trace_of_a_stateful_model_skips_the_resource_handles(tmp_path: Path) -> None:
    """VAR_HANDLE's output is a variable's id, not a value (get_tensor refuses it): the trace lists every other
    op's output, READ_VARIABLE's among them, and agrees with LiteRT on the first invoke."""
    model = Path(__file__).resolve().parents[1] / "data" / "tf" / "variables" / "stream_float32.tflite"
    x = tmp_path / "x.npy"
    np.save(x, np.linspace(-1, 1, 4, dtype=np.float32).reshape(1, 4))
    report = trace_model.trace(model, x)
    ops = [row["op"] for row in report["rows"]]
    assert "VAR_HANDLE" not in ops and ops.count("READ_VARIABLE") == 2
    assert report["compared_with_litert"] and report["first_divergence"] is None
