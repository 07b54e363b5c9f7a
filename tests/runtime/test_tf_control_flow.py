"""Control flow written by TensorFlow's converter (tests/data/tf/control_flow/, make_control_flow_models.py):
a tf.while_loop (WHILE with cond and body subgraphs) and a tf.cond (IF with two branches), float32 and with
int8 kernels inside, against LiteRT's reference kernels (float32 within 1e-5 relative, int8 bit-exact: the
int8 files keep float inputs and outputs, so a mismatched int8 step shows as a different float)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ember.runtime import Interpreter

DATA = Path(__file__).resolve().parents[1] / "data" / "tf" / "control_flow"


def _pair(name: str):
    from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
    from ai_edge_litert.interpreter import OpResolverType

    path = DATA / name
    ours = Interpreter(model_path=path)
    theirs = LiteRTInterpreter(model_path=str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    ours.allocate_tensors()
    theirs.allocate_tensors()
    return ours, theirs


def _run(it, x: np.ndarray, second: np.ndarray) -> np.ndarray:
    for d in it.get_input_details():
        it.set_tensor(d["index"], x if d["dtype"] == np.float32 else second.astype(d["dtype"]))
    it.invoke()
    return it.get_tensor(it.get_output_details()[0]["index"])


def _match(ours: np.ndarray, theirs: np.ndarray, int8: bool) -> None:
    if int8:
        np.testing.assert_array_equal(ours, theirs)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("suffix", ["float32", "int8"])
def test_while_loop_matches_litert(suffix: str) -> None:
    ours, theirs = _pair(f"while_{suffix}.tflite")
    assert [s["ops"] for s in ours.get_subgraphs()][0] == ["WHILE"]
    rng = np.random.default_rng(0)
    for n in [0, 1, 2, 5, 3, 0, 9]:  # 0: the body never runs; the order checks no state leaks between invokes
        x = rng.standard_normal((1, 6)).astype(np.float32)
        got, expected = _run(ours, x, np.array(n, np.int32)), _run(theirs, x, np.array(n, np.int32))
        _match(got, expected, suffix == "int8")
        if n == 0:
            np.testing.assert_array_equal(got, x)  # closed form: zero iterations return the input


@pytest.mark.parametrize("suffix", ["float32", "int8"])
def test_cond_matches_litert(suffix: str) -> None:
    ours, theirs = _pair(f"cond_{suffix}.tflite")
    assert ours.get_subgraphs()[0]["ops"] == ["IF"]
    rng = np.random.default_rng(1)
    for p in [True, False, False, True]:
        x = rng.standard_normal((1, 6)).astype(np.float32)
        got, expected = _run(ours, x, np.array(p)), _run(theirs, x, np.array(p))
        _match(got, expected, suffix == "int8")
        if suffix == "float32":  # closed form of the two branches
            np.testing.assert_allclose(got, np.tanh(2 * x) + 1 if p else np.maximum(x, 0) * 3, rtol=1e-5,
                                       atol=1e-6)


def test_each_subgraph_has_its_own_arena_region() -> None:
    ours, _ = _pair("while_float32.tflite")
    subgraphs = ours.get_subgraphs()
    assert [s["name"] for s in subgraphs] == ["main", "while_cond", "while_body"]
    # The tensors of the called subgraphs follow subgraph 0's; the public tensor list is subgraph 0's (as LiteRT).
    assert subgraphs[1]["tensor_base"] == subgraphs[0]["tensor_count"]
    assert len(ours.get_tensor_details()) == subgraphs[0]["tensor_count"]
