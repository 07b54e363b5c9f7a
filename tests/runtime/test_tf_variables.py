"""Stateful files written by TensorFlow's converter with resource variables (tests/data/tf/variables/,
make_variables_models.py): VAR_HANDLE / READ_VARIABLE / ASSIGN_VARIABLE with a CALL_ONCE initialiser, invoked
many times in a row against LiteRT with its reference kernels after every invoke (float32 within 1e-5 relative,
int8 bit-exact), through invoke and through signature runners (two signatures sharing variables), then
reset_all_variables() against a new LiteRT interpreter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ember.runtime import Interpreter

DATA = Path(__file__).resolve().parents[1] / "data" / "tf" / "variables"
STREAMS = ["stream_float32.tflite", "stream_int8.tflite", "stream_int8io.tflite"]
STEPS = 8


def _litert(path: Path):
    from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
    from ai_edge_litert.interpreter import OpResolverType

    it = LiteRTInterpreter(model_path=str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    return it


def _ours(path: Path) -> Interpreter:
    it = Interpreter(model_path=path)
    it.allocate_tensors()
    return it


def _same(ours: np.ndarray, theirs: np.ndarray) -> None:
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    if ours.dtype == np.float32:
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_array_equal(ours, theirs)


def _input(details: dict, rng: np.random.Generator) -> np.ndarray:
    if details["dtype"] == np.int8:
        return rng.integers(-128, 128, details["shape"], dtype=np.int8)
    return rng.standard_normal(details["shape"]).astype(np.float32)


def _step(its: list, rng: np.random.Generator) -> list[list[np.ndarray]]:
    """One invoke of every interpreter on the same input; their outputs."""
    x = _input(its[0].get_input_details()[0], rng)
    results = []
    for it in its:
        it.set_tensor(it.get_input_details()[0]["index"], x)
        it.invoke()
        results.append([it.get_tensor(d["index"]) for d in it.get_output_details()])
    return results


@pytest.mark.parametrize("name", STREAMS)
def test_stream_matches_litert_after_every_invoke(name: str) -> None:
    ours, theirs = _ours(DATA / name), _litert(DATA / name)
    rng = np.random.default_rng(14)
    history = []
    for _ in range(STEPS):
        mine, ref = _step([ours, theirs], rng)
        for a, b in zip(mine, ref, strict=True):
            _same(a, b)
        history.append(mine[0])
    # The state is real: the same input twice in a row gives two different outputs.
    x = _input(ours.get_input_details()[0], rng)
    outs = []
    for _ in range(2):
        ours.set_tensor(ours.get_input_details()[0]["index"], x)
        ours.invoke()
        outs.append(ours.get_tensor(ours.get_output_details()[0]["index"]))
    assert not np.array_equal(outs[0], outs[1])


@pytest.mark.parametrize("name", STREAMS)
def test_reset_all_variables_starts_a_new_stream(name: str) -> None:
    ours, theirs = _ours(DATA / name), _litert(DATA / name)
    rng = np.random.default_rng(3)
    for _ in range(5):
        _step([ours, theirs], rng)
    ours.reset_all_variables()
    fresh = _litert(DATA / name)
    for _ in range(4):
        mine, ref = _step([ours, fresh], rng)
        for a, b in zip(mine, ref, strict=True):
            _same(a, b)
    ours.reset_all_variables()
    ours.reset_all_variables()  # twice is once
    again = _litert(DATA / name)
    mine, ref = _step([ours, again], rng)
    for a, b in zip(mine, ref, strict=True):
        _same(a, b)


def test_litert_reset_keeps_its_resource_variables() -> None:
    """What the README says of LiteRT's reset_all_variables: it zeroes is_variable tensors only, so its resource
    variables go on where they were, while ours start afresh (test above)."""
    path = DATA / "stream_float32.tflite"
    theirs, fresh = _litert(path), _litert(path)
    rng = np.random.default_rng(5)
    for _ in range(3):
        _step([theirs], rng)
    theirs.reset_all_variables()
    after_reset, first = _step([theirs, fresh], rng)
    assert not np.allclose(after_reset[0], first[0])


@pytest.mark.parametrize("name", STREAMS)
def test_stream_through_the_signature_runner(name: str) -> None:
    ours, theirs = _ours(DATA / name), _litert(DATA / name)
    assert ours.get_signature_list() == theirs.get_signature_list()
    mine, ref = ours.get_signature_runner(), theirs.get_signature_runner()
    rng = np.random.default_rng(9)
    (input_name, details), = mine.get_input_details().items()
    for k in range(STEPS):
        feed = {input_name: _input(details, rng)}
        a, b = mine(**feed), {key: v.copy() for key, v in ref(**feed).items()}  # LiteRT's are views
        assert a.keys() == b.keys()
        for key in a:
            _same(a[key], b[key])
        if k == 3:  # our invoke runs the runner's subgraph and moves the same variables on (LiteRT: its runner)
            ours.set_tensor(ours.get_input_details()[0]["index"], feed[input_name])
            ours.invoke()
            ref(**feed)


@pytest.mark.parametrize("order", [["step", "step", "scale", "step", "scale", "scale", "step"],
                                   ["scale", "step", "scale", "step", "step", "scale"]])
def test_two_signatures_share_their_variables(order: list[str]) -> None:
    """counter_float32: 'step' adds to total and count, 'scale' reads total; each signature its own subgraph with
    its own CALL_ONCE of one initialiser, which must run once for both (else 'step' after 'scale' would restart)."""
    path = DATA / "counter_float32.tflite"
    ours, theirs = _ours(path), _litert(path)
    assert ours.get_signature_list() == theirs.get_signature_list()
    rng = np.random.default_rng(21)

    def run(key: str, its: list) -> list[dict[str, np.ndarray]]:
        x = rng.standard_normal((1, 3)).astype(np.float32)
        return [{name: v.copy() for name, v in it.get_signature_runner(key)(x=x).items()} for it in its]

    for key in order:
        a, b = run(key, [ours, theirs])
        for name in a:
            _same(a[name], b[name])
    ours.reset_all_variables()
    fresh = _litert(path)
    for key in order[::-1]:
        a, b = run(key, [ours, fresh])
        for name in a:
            _same(a[name], b[name])


def test_resource_tensors_in_the_details() -> None:
    path = DATA / "stream_float32.tflite"
    ours, theirs = _ours(path), _litert(path)
    mine = ours.get_tensor_details()
    ref = theirs.get_tensor_details()
    assert [(d["name"], d["dtype"], list(d["shape"])) for d in mine] == \
        [(d["name"], d["dtype"], list(d["shape"])) for d in ref]
    handles = [d for d in mine if d["dtype"] is np.object_]
    assert {d["name"] for d in handles} == {"state", "avg"}
    with pytest.raises(ValueError, match="is a resource handle"):
        ours.get_tensor(handles[0]["index"])
    with pytest.raises(ValueError, match="is a resource handle"):
        ours.set_tensor(handles[0]["index"], np.zeros((), np.int32))
    assert {"VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE"} <= set(ours.get_subgraphs()[0]["ops"])


def test_reset_before_allocate_and_reallocation() -> None:
    path = DATA / "stream_float32.tflite"
    ours = Interpreter(model_path=path)
    ours.reset_all_variables()  # nothing to reset yet
    ours.allocate_tensors()
    ours.allocate_tensors()  # allocating again keeps the state: a no-op once allocated
    theirs = _litert(path)
    rng = np.random.default_rng(2)
    for _ in range(3):
        mine, ref = _step([ours, theirs], rng)
        ours.allocate_tensors()
        for a, b in zip(mine, ref, strict=True):
            _same(a, b)


def test_var_handle_writes_litert_s_resource_ids() -> None:
    """LiteRT numbers variables by (container, shared_name) in the order its VAR_HANDLEs are created, subgraph by
    subgraph (var_handle.cc), and writes the id into the handle; its Python API cannot read resource tensors, so
    the rule is checked on ours through the native layer: in counter_float32, 'total' (first in subgraph 0) is 0
    and 'count' (first in subgraph 1) is 1, in every subgraph."""
    ours = Interpreter(model_path=DATA / "counter_float32.tflite", experimental_preserve_all_tensors=True)
    ours.allocate_tensors()
    x = np.ones((1, 3), np.float32)
    for key in ("scale", "step"):
        ours.get_signature_runner(key)(x=x)
    ids = {}
    for index in range(ours._native.tensor_count() + sum(s["tensor_count"] for s in ours.get_subgraphs()[1:])):
        info = ours._any_tensor_details(index)
        if info["dtype"] is np.object_:
            ids.setdefault(info["name"].rstrip("0123456789"), set()).add(
                int(np.frombuffer(ours._native.get_tensor(index), np.int32)[0]))
    assert ids == {"total": {0}, "count": {1}}, ids
