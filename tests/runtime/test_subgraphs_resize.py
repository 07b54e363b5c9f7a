"""Dynamic shapes and preserve_all_tensors on models with several subgraphs (tests/runtime/subgraph_builder.py):
a resize of subgraph 0's inputs that stays out of the calls runs as LiteRT BUILTIN_REF does; one that changes a
shape passed across a call (called subgraphs keep the file's shapes) is refused at allocate_tensors naming the
call, and the interpreter keeps invoking at its previous shapes; preserve_all_tensors keeps every tensor of
subgraph 0 as LiteRT's does; signature runners given another batch resize their subgraph's input (0 or another),
as LiteRT's runner does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from single_op import assert_outputs_match
from subgraph_builder import call_once_then_add, counted_loop, two_branches

from ember.runtime import Interpreter, RuntimeModelError


def _litert(model: bytes, **kwargs) -> LiteRTInterpreter:
    return LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF, **kwargs)


def _run(it, feeds: list[np.ndarray]) -> list[np.ndarray]:
    for d, x in zip(it.get_input_details(), feeds, strict=True):
        it.set_tensor(d["index"], x)
    it.invoke()
    return [it.get_tensor(d["index"]) for d in it.get_output_details()]


def test_resize_outside_the_calls_matches_litert() -> None:
    # CALL_ONCE passes nothing across its call, so the ADD after it takes any shape.
    model = call_once_then_add("float32")
    x = np.random.default_rng(0).standard_normal(5).astype(np.float32)
    results = []
    for it in (Interpreter(model_content=model), _litert(model)):
        it.allocate_tensors()
        it.resize_tensor_input(it.get_input_details()[0]["index"], [5])
        it.allocate_tensors()
        results.append(_run(it, [x]))
    assert_outputs_match(results[0], results[1])
    np.testing.assert_array_equal(results[0][0], x + x)


@pytest.mark.parametrize(("build", "feeds", "resized"), [
    (counted_loop, lambda rng: [np.array(3, np.int32), rng.standard_normal((2, 3)).astype(np.float32)], (1, [3, 3])),
    (two_branches, lambda rng: [np.array(True), rng.standard_normal(4).astype(np.float32)], (1, [6])),
])
def test_resize_across_a_call_is_refused_and_the_old_shapes_stay(build, feeds, resized) -> None:
    model = build("float32")
    data = feeds(np.random.default_rng(1))
    it = Interpreter(model_content=model)
    it.allocate_tensors()
    position, shape = resized
    it.resize_tensor_input(it.get_input_details()[position]["index"], shape)
    with pytest.raises(RuntimeModelError) as info:
        it.allocate_tensors()
    message = str(info.value)
    assert "resized to" in message and "subgraph 0 operator 0" in message, message
    assert "shapes that change across a call are not supported" in message, message
    assert "keeps its previous shapes" in message, message
    assert list(it.get_input_details()[position]["shape"]) != shape
    it.allocate_tensors()
    assert_outputs_match(_run(it, data), _litert_run(model, data))


def _litert_run(model: bytes, feeds: list[np.ndarray]) -> list[np.ndarray]:
    it = _litert(model)
    it.allocate_tensors()
    return _run(it, feeds)


@pytest.mark.parametrize("dtype", ["float32", "int8"])
def test_preserve_all_tensors_keeps_subgraph_0_like_litert(dtype: str) -> None:
    rng = np.random.default_rng(2)
    for model, feeds in (
        (counted_loop(dtype), [np.array(4, np.int32),
                               rng.integers(-128, 128, (2, 3), dtype=np.int8) if dtype == "int8"
                               else rng.standard_normal((2, 3)).astype(np.float32)]),
        (two_branches(dtype), [np.array(False),
                               rng.integers(-20, 20, 4, dtype=np.int8) if dtype == "int8"
                               else rng.standard_normal(4).astype(np.float32)]),
    ):
        ours = Interpreter(model_content=model, experimental_preserve_all_tensors=True)
        theirs = _litert(model, experimental_preserve_all_tensors=True)
        plain = Interpreter(model_content=model)
        for it in (ours, theirs, plain):
            it.allocate_tensors()
        assert ours.arena_bytes() >= plain.arena_bytes()
        assert_outputs_match(_run(ours, feeds), _run(theirs, feeds))
        compared = 0
        for d in ours.get_tensor_details():
            try:
                want = theirs.get_tensor(d["index"])
            except ValueError:  # LiteRT allocates no memory for a tensor nothing reads (a WHILE's unused output)
                continue
            assert_outputs_match([ours.get_tensor(d["index"])], [want])
            compared += 1
        assert compared >= len(ours.get_input_details()) + len(ours.get_output_details())


SIGNATURES = Path(__file__).resolve().parents[1] / "data" / "tf" / "signatures"


@pytest.mark.parametrize("name", ["codec_float32.tflite", "codec_int8.tflite"])
def test_signature_runners_resize_like_litert(name: str) -> None:
    # encode runs subgraph 1 and decode subgraph 0: a new batch resizes either, as LiteRT's runner does.
    rng = np.random.default_rng(3)
    ours, theirs = Interpreter(model_path=SIGNATURES / name), _litert((SIGNATURES / name).read_bytes())
    dtype = ours.get_signature_runner("encode").get_input_details()["x"]["dtype"]
    for batch in (3, 1, 5):
        x = (rng.integers(-128, 128, (batch, 8), dtype=np.int8) if dtype == np.int8
             else rng.standard_normal((batch, 8)).astype(np.float32))
        results = []
        for it in (ours, theirs):
            code = it.get_signature_runner("encode")(x=x)["code"]
            decoded = it.get_signature_runner("decode")(code=code)
            results.append([code] + [decoded[k] for k in sorted(decoded)])
        assert results[0][0].shape == (batch, 4)
        assert_outputs_match(results[0], results[1])


def test_signature_resize_the_graph_cannot_take_is_refused() -> None:
    it = Interpreter(model_path=SIGNATURES / "codec_float32.tflite")
    encode = it.get_signature_runner("encode")
    x = np.random.default_rng(4).standard_normal((2, 8)).astype(np.float32)
    with pytest.raises(ValueError, match=r"input 'x': expected float32 \[1, 8\], got float32 \[8\]"):
        encode(x=x[0])
    with pytest.raises(RuntimeModelError) as info:
        encode(x=np.zeros((2, 7), np.float32))
    assert "resized to [2,7]" in str(info.value) and "keeps its previous shapes" in str(info.value), str(info.value)
    want = _litert((SIGNATURES / "codec_float32.tflite").read_bytes()).get_signature_runner("encode")(x=x)
    assert_outputs_match([encode(x=x)["code"]], [want["code"]])
