"""Two-signature files written by TensorFlow's converter (tests/data/tf/signatures/, make_signature_models.py):
get_signature_list, get_signature_runner and the runner's details against LiteRT with its reference kernels,
int8 bit-exact and float32 within 1e-5 relative; and the errors a caller gets for a wrong key or wrong inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ember.runtime import Interpreter, RuntimeModelError

DATA = Path(__file__).resolve().parents[1] / "data" / "tf" / "signatures"
MODELS = ["codec_float32.tflite", "codec_int8.tflite"]


def _litert(path: Path):
    from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
    from ai_edge_litert.interpreter import OpResolverType

    return LiteRTInterpreter(model_path=str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_REF)


def _feeds(details: dict, rng: np.random.Generator) -> dict[str, np.ndarray]:
    feeds = {}
    for name, d in details.items():
        if d["dtype"] == np.int8:
            feeds[name] = rng.integers(-128, 128, d["shape"], dtype=np.int8)
        else:
            feeds[name] = rng.standard_normal(d["shape"]).astype(np.float32)
    return feeds


def _same(ours: np.ndarray, theirs: np.ndarray) -> None:
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    if ours.dtype == np.float32:
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("name", MODELS)
def test_signature_list_matches_litert(name: str) -> None:
    ours, theirs = Interpreter(model_path=DATA / name), _litert(DATA / name)
    assert ours.get_signature_list() == theirs.get_signature_list()
    assert set(ours.get_signature_list()) == {"encode", "decode"}
    # Each signature is a subgraph of its own, as the converter writes them.
    assert len(ours.get_subgraphs()) == 2


@pytest.mark.parametrize("name", MODELS)
def test_signature_runners_match_litert(name: str) -> None:
    ours, theirs = Interpreter(model_path=DATA / name), _litert(DATA / name)
    rng = np.random.default_rng(14)
    for key in ("encode", "decode", "encode"):  # interleaved: each runner keeps to its own subgraph's tensors
        mine, ref = ours.get_signature_runner(key), theirs.get_signature_runner(key)
        for details in ("get_input_details", "get_output_details"):
            a, b = getattr(mine, details)(), getattr(ref, details)()
            assert a.keys() == b.keys()
            for n in a:
                for field in ("name", "dtype", "quantization"):
                    assert a[n][field] == b[n][field], (key, n, field)
                np.testing.assert_array_equal(a[n]["shape"], b[n]["shape"])
                np.testing.assert_array_equal(a[n]["quantization_parameters"]["scales"],
                                              b[n]["quantization_parameters"]["scales"])
        for _ in range(3):
            feeds = _feeds(ref.get_input_details(), rng)
            out, expected = mine(**feeds), ref(**feeds)
            assert out.keys() == expected.keys()
            for n in expected:
                _same(out[n], expected[n])


def test_encode_then_decode_chains_like_litert() -> None:
    ours, theirs = Interpreter(model_path=DATA / MODELS[0]), _litert(DATA / MODELS[0])
    x = np.random.default_rng(3).standard_normal((1, 8)).astype(np.float32)
    code = ours.get_signature_runner("encode")(x=x)["code"]
    np.testing.assert_array_equal(code, theirs.get_signature_runner("encode")(x=x)["code"])
    out = ours.get_signature_runner("decode")(code=code)
    expected = theirs.get_signature_runner("decode")(code=code)
    for n in expected:
        _same(out[n], expected[n])


def test_plain_invoke_still_runs_subgraph_0() -> None:
    # LiteRT's invoke() runs subgraph 0, here the 'decode' signature's.
    ours, theirs = Interpreter(model_path=DATA / MODELS[0]), _litert(DATA / MODELS[0])
    code = np.random.default_rng(5).uniform(0, 2, (1, 4)).astype(np.float32)
    for it in (ours, theirs):
        it.allocate_tensors()
        it.set_tensor(it.get_input_details()[0]["index"], code)
        it.invoke()
    for a, b in zip(ours.get_output_details(), theirs.get_output_details(), strict=True):
        _same(ours.get_tensor(a["index"]), theirs.get_tensor(b["index"]))


def test_runner_errors_name_the_problem() -> None:
    it = Interpreter(model_path=DATA / MODELS[0])
    with pytest.raises(ValueError, match="None is only allowed when the model has 1 SignatureDef"):
        it.get_signature_runner()
    with pytest.raises(ValueError, match='Invalid signature_key provided: "train"'):
        it.get_signature_runner("train")
    encode = it.get_signature_runner("encode")
    with pytest.raises(ValueError, match="expected 1 vs provided 0"):
        encode()
    with pytest.raises(ValueError, match=r"Invalid Input name \(y\)"):
        encode(y=np.zeros((1, 8), np.float32))
    with pytest.raises(ValueError, match=r"input 'x': expected float32 \[1, 8\], got float64 \[1, 8\]"):
        encode(x=np.zeros((1, 8)))


def test_model_without_signatures() -> None:
    model = Path(__file__).resolve().parents[1] / "data" / "tf" / "small_cnn_float32.tflite"
    it = Interpreter(model_path=model)
    assert it.get_signature_list() == _litert(model).get_signature_list()
    assert len(it.get_subgraphs()) == 1


def test_signature_with_bad_subgraph_index_is_refused() -> None:
    import tflite

    data = bytearray((DATA / MODELS[0]).read_bytes())
    model = tflite.Model.GetRootAsModel(data, 0)
    sig = model.SignatureDefs(1)
    # Patch subgraph_index in place: field 4 of the SignatureDef table (present, since it is 1 here).
    pos = sig._tab.Offset(12)
    assert pos and sig.SubgraphIndex() == 1
    at = sig._tab.Pos + pos
    data[at:at + 4] = (7).to_bytes(4, "little")
    with pytest.raises(RuntimeModelError, match="subgraph_index 7 is out of range"):
        Interpreter(model_content=bytes(data))


def test_c_api_lookups_by_name_and_their_errors() -> None:
    # The native layer is the C API one to one: ember_interpreter_find_signature, ..._signature_input_tensor,
    # ..._signature_output_tensor and ..._invoke_signature.
    it = Interpreter(model_path=DATA / MODELS[0])
    native = it._native
    table = {key: (ins, outs) for key, _, ins, outs in native.signatures()}
    for key, (ins, outs) in table.items():
        k = native.find_signature(key)
        assert [native.signature_tensor(k, n, False) for n, _ in ins] == [t for _, t in ins]
        assert [native.signature_tensor(k, n, True) for n, _ in outs] == [t for _, t in outs]
    with pytest.raises(RuntimeModelError, match="the model has no signature 'train' \\(it has 2\\)"):
        native.find_signature("train")
    with pytest.raises(RuntimeModelError, match="signature 'decode' has no output named 'code'"):
        native.signature_tensor(native.find_signature("decode"), "code", True)
    with pytest.raises(RuntimeModelError, match="signature 5 does not exist"):
        native.invoke_signature(5)
    with pytest.raises(RuntimeModelError, match="before allocate_tensors"):
        native.invoke_signature(0)
