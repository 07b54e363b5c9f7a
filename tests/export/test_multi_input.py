"""Models with several inputs: `to_tflite(model, (x, mask), path)` and `to_onnx(model, (x, mask), path)` write one
graph input per forward() argument, in order and named after its parameter (integer token ids and bool masks
too). Oracles: Ember's own forward (float32 within 1e-5 relative, on LiteRT's reference kernels, ember.runtime and
onnxruntime), the float32 file with float16-rounded weights (float16), LiteRT BUILTIN_REF bit-exact (int8, PTQ and
QAT)."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from engines import ATOL, RTOL, assert_close, ember_runtime, litert, onnxruntime, reference

import ember
import ember.export
from ember import nn
from ember.export.quantize import convert, prepare_qat
from ember.export.quantize.qparams import quantize_array

BATCH, FRAMES, FEATURES, VOCAB = 2, 6, 8, 20


class MaskedPool(nn.Module):
    """Linear(x) * mask, mean over frames, a linear head: padding frames (mask 0) contribute nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Linear(FEATURES, 16)
        self.head = nn.Linear(16, 4)

    def forward(self, x, mask):
        h = self.embed(x).relu() * mask.unsqueeze(-1)
        return self.head(h.mean(dim=1))


class TokensAndFeatures(nn.Module):
    """Token ids (int32) embedded and added to projected float features."""

    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, 16)
        self.project = nn.Linear(FEATURES, 16)
        self.head = nn.Linear(16, 3)

    def forward(self, tokens, x):
        return self.head((self.embedding(tokens) + self.project(x)).mean(dim=1))


class PaddedAttention(nn.Module):
    """nn.MultiheadAttention with a bool key padding mask (True = padding, torch's convention)."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Linear(FEATURES, 16)
        self.attention = nn.MultiheadAttention(16, 2, batch_first=True)
        self.head = nn.Linear(16, 3)

    def forward(self, x, key_padding_mask):
        x = self.embed(x)
        y, _ = self.attention(x, x, x, key_padding_mask=key_padding_mask, need_weights=False)
        return self.head(y.mean(dim=1))


class IgnoresSecond(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(FEATURES, 4)

    def forward(self, x, unused):
        return self.fc(x)


def _inputs(name: str, seed: int, batch: int = BATCH) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, FRAMES, FEATURES)).astype(np.float32)
    lengths = rng.integers(2, FRAMES + 1, batch)
    valid = np.arange(FRAMES)[None, :] < lengths[:, None]
    if name == "masked_pool":
        return x, valid.astype(np.float32)
    if name == "tokens":
        return rng.integers(0, VOCAB, (batch, FRAMES)).astype(np.int32), x
    return x, ~valid  # padded_attention


MODELS = {"masked_pool": MaskedPool, "tokens": TokensAndFeatures, "padded_attention": PaddedAttention}
INPUT_NAMES = {"masked_pool": ["x", "mask"], "tokens": ["tokens", "x"], "padded_attention": ["x", "key_padding_mask"]}
INT8_MODELS = ["masked_pool", "tokens"]  # SELECT_V2 (the bool mask) has no int8 rule


def _model(name: str) -> nn.Module:
    ember.manual_seed(0)
    return MODELS[name]().eval()


def _calibration(name: str) -> list[tuple[np.ndarray, ...]]:
    return [_inputs(name, 100 + s) for s in range(6)]


@pytest.mark.parametrize("name", list(MODELS))
def test_float32_file_has_one_input_per_argument_and_agrees(tmp_path, name):
    model, xs = _model(name), _inputs(name, 0)
    tfl, onx = tmp_path / "m.tflite", tmp_path / "m.onnx"
    graph = ember.export.to_tflite(model, xs, tfl)
    ember.export.to_onnx(model, tuple(ember.tensor(x) for x in xs), onx)
    details = Interpreter(model_path=str(tfl)).get_input_details()
    assert [d["name"] for d in details] == INPUT_NAMES[name] == [v.name for v in graph.inputs]
    assert [np.dtype(d["dtype"]) for d in details] == [x.dtype for x in xs]
    assert [list(d["shape"]) for d in details] == [list(x.shape) for x in xs]
    import onnxruntime as ort

    session = ort.InferenceSession(str(onx), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == INPUT_NAMES[name]
    for seed in (1, 2):
        feed = _inputs(name, seed)
        (expected,) = reference(model, list(feed))
        for engine, (got,) in (("LiteRT BUILTIN_REF", litert(tfl, feed)), ("ember.runtime", ember_runtime(tfl, feed)),
                               ("onnxruntime", onnxruntime(onx, feed))):
            assert_close(got, expected, RTOL, ATOL, f"{name} float32 on {engine}")


@pytest.mark.parametrize("name", list(MODELS))
def test_float16_file_runs_like_the_rounded_model(tmp_path, name):
    from ember.export.api import to_graph
    from ember.export.tflite import write_model

    model, xs = _model(name), _inputs(name, 0)
    ember.export.to_tflite(model, xs, tmp_path / "f16.tflite", quantize="float16")
    rounded = to_graph(model, xs)
    for v in rounded.values():
        if v.is_constant and v.dtype == np.float32:
            v.data = v.data.astype(np.float16).astype(np.float32)
    write_model(rounded, tmp_path / "rounded.tflite")
    feed = _inputs(name, 3)
    (expected,) = litert(tmp_path / "rounded.tflite", feed)
    for got in (litert(tmp_path / "f16.tflite", feed)[0], ember_runtime(tmp_path / "f16.tflite", feed)[0]):
        assert_close(got, expected, RTOL, 1e-7, f"{name} float16")


def _quantized_feed(graph, feed):
    """An int8-edged file's inputs as a device gives them: float inputs quantised, integer ones as they are."""
    return [quantize_array(x, v.quant).astype(np.float32) if v.quant is not None else x
            for v, x in zip(graph.inputs, feed, strict=True)]


@pytest.mark.parametrize("io", ["int8", "float"])
@pytest.mark.parametrize("name", INT8_MODELS)
def test_int8_runtime_is_bit_exact_with_litert_reference(tmp_path, name, io):
    model = _model(name)
    path = tmp_path / "int8.tflite"
    graph = ember.export.to_tflite(model, _inputs(name, 0), path, quantize="int8", calibration=_calibration(name),
                                   io=io)
    assert [v.name for v in graph.inputs] == INPUT_NAMES[name]
    float_inputs = [v for v in graph.inputs if v.dtype != np.int32]
    assert all(v.dtype == (np.int8 if io == "int8" else np.float32) for v in float_inputs)
    for seed in (300, 301):
        feed = _inputs(name, seed)
        if io == "int8":
            feed = _quantized_feed(graph, feed)
        (expected,), (got,) = litert(path, feed), ember_runtime(path, feed)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected, err_msg=f"{name} int8 (io={io})")


def test_calibration_samples_may_be_tuples_pairs_or_flat_batches(tmp_path):
    model, xs = _model("masked_pool"), _inputs("masked_pool", 0)
    samples = _calibration("masked_pool")
    labels = np.zeros(BATCH, np.int64)
    forms = {"tuples": samples, "pairs": [(s, labels) for s in samples],
             "flat": [(*s, labels) for s in samples], "lists": [list(s) for s in samples]}
    files = {}
    for form, data in forms.items():
        ember.export.to_tflite(model, xs, tmp_path / f"{form}.tflite", quantize="int8", calibration=data)
        files[form] = (tmp_path / f"{form}.tflite").read_bytes()
    assert len(set(files.values())) == 1


@pytest.mark.parametrize("bad, needle", [
    ("one", "got one array of shape [2, 6, 8]"),
    ("swapped", "got ([2, 6], [2, 6, 8])"),
    ("short", "got ([2, 6, 8], [2, 5])"),
])
def test_a_calibration_sample_that_does_not_fit_is_refused(tmp_path, bad, needle):
    model, xs = _model("masked_pool"), _inputs("masked_pool", 0)
    x, mask = xs
    sample = {"one": x, "swapped": (mask, x), "short": (x, mask[:, :5])}[bad]
    with pytest.raises(ember.export.ExportError) as info:
        ember.export.to_tflite(model, xs, tmp_path / "m.tflite", quantize="int8", calibration=[sample])
    assert "does not fit the model's 2 inputs ([N, 6, 8], [N, 6])" in str(info.value)
    assert needle in str(info.value)


@pytest.mark.parametrize("name", INT8_MODELS)
def test_qat_multi_input_model_converts_bit_exact(tmp_path, name):
    model = prepare_qat(_model(name))
    optimizer = ember.optim.SGD(model.parameters(), lr=0.01)
    model.train()
    for seed in range(4):
        feed = [ember.tensor(x) for x in _inputs(name, 500 + seed, batch=4)]
        loss = (model(*feed) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    path = tmp_path / "qat.tflite"
    # the functional add and mean of forward() have no fake quantisation: calibration covers just those
    graph = convert(model, _inputs(name, 0), path, calibration=_calibration(name))
    x = next(v for v in graph.inputs if v.name == "x")
    fq = model.input_fake_quant_x if name == "tokens" else model.input_fake_quant
    assert x.quant.scale[0] == np.float32(fq.scale.data[0])  # the float input's grid is the one training used
    for seed in (600, 601):
        feed = _quantized_feed(graph, _inputs(name, seed))
        (expected,), (got,) = litert(path, feed), ember_runtime(path, feed)
        np.testing.assert_array_equal(got, expected, err_msg=f"{name} QAT int8")


def test_evaluate_takes_several_inputs(tmp_path):
    model, xs = _model("masked_pool"), _inputs("masked_pool", 0)
    path = tmp_path / "m.tflite"
    ember.export.to_tflite(model, xs, path)
    batches = [_inputs("masked_pool", 700 + s) for s in range(3)]
    labels = [np.random.default_rng(s).integers(0, 4, BATCH) for s in range(3)]
    expected = np.mean([reference(model, list(b))[0].argmax(1) == y for b, y in zip(batches, labels, strict=True)])
    for data in ([(b, y) for b, y in zip(batches, labels, strict=True)],
                 [(*b, y) for b, y in zip(batches, labels, strict=True)]):
        for engine in ("ember", "litert"):
            result = ember.export.evaluate(path, data, engine=engine)
            assert result["samples"] == 3 * BATCH and result["accuracy"] == pytest.approx(expected)
    runner = ember.export.TFLiteRunner(path)
    np.testing.assert_array_equal(runner.run(*batches[0]), runner.run(batches[0]))
    with pytest.raises(ember.export.ExportError, match=r"takes 2 input\(s\) \(x, mask\), 1 were given"):
        runner.run(batches[0][0])


def test_an_unused_input_is_kept(tmp_path):
    ember.manual_seed(0)
    model = IgnoresSecond().eval()
    x = np.random.default_rng(0).standard_normal((BATCH, FEATURES)).astype(np.float32)
    unused = np.ones((BATCH, 3), np.float32)
    tfl, onx = tmp_path / "m.tflite", tmp_path / "m.onnx"
    with pytest.warns(UserWarning, match="input 'unused' of IgnoresSecond is not used by the exported graph"):
        ember.export.to_tflite(model, (x, unused), tfl)
    with pytest.warns(UserWarning, match="input 'unused'"):
        ember.export.to_onnx(model, (x, unused), onx)
    (expected,) = reference(model, [x, unused])
    details = Interpreter(model_path=str(tfl)).get_input_details()
    assert [(d["name"], list(d["shape"])) for d in details] == [("x", [BATCH, FEATURES]), ("unused", [BATCH, 3])]
    for got in (litert(tfl, [x, unused])[0], ember_runtime(tfl, [x, unused])[0], onnxruntime(onx, [x, unused])[0]):
        assert_close(got, expected, RTOL, ATOL, "unused input")
    int8 = tmp_path / "int8.tflite"
    with pytest.warns(UserWarning, match="input 'unused'"):
        graph = ember.export.to_tflite(model, (x, unused), int8, quantize="int8", calibration=[(x, unused)])
    feed = _quantized_feed(graph, [x, unused])
    np.testing.assert_array_equal(ember_runtime(int8, feed)[0], litert(int8, feed)[0])


def test_int8_onnx_of_a_multi_input_model_is_close_to_the_int8_tflite(tmp_path):
    model = _model("masked_pool")
    calibration = _calibration("masked_pool")
    graph = ember.export.to_tflite(model, _inputs("masked_pool", 0), tmp_path / "m.tflite", quantize="int8",
                                   calibration=calibration, io="float")
    ember.export.to_onnx(model, _inputs("masked_pool", 0), tmp_path / "m.onnx", quantize="int8",
                         calibration=calibration)
    feed = _inputs("masked_pool", 800)
    (tflite_out,), (onnx_out,) = litert(tmp_path / "m.tflite", feed), onnxruntime(tmp_path / "m.onnx", feed)
    step = float(next(n for n in graph.nodes if n.op == "DEQUANTIZE").inputs[0].quant.scale[0])
    assert np.abs(onnx_out - tflite_out).max() <= 3 * step + 1e-6


def test_every_input_is_used_by_the_graph():
    """The bool key padding mask reaches the graph as an input (no value of the example frozen as a constant)."""
    model, xs = _model("padded_attention"), _inputs("padded_attention", 0)
    graph = ember.export.to_graph(model, xs)
    mask = graph.inputs[1]
    assert any(mask in n.inputs for n in graph.nodes)
    assert not any(v.is_constant and v.dtype == np.bool_ for v in graph.values())


def test_a_list_of_numbers_is_still_one_input(tmp_path):
    model = nn.Sequential(nn.Linear(3, 2))
    graph = ember.export.to_tflite(model, [[1.0, 2.0, 3.0]], tmp_path / "m.tflite")
    assert [(v.name, v.shape) for v in graph.inputs] == [("input", (1, 3))]


def test_litert_default_kernels_agree_too(tmp_path):
    model, xs = _model("tokens"), _inputs("tokens", 0)
    ember.export.to_tflite(model, xs, tmp_path / "m.tflite")
    (expected,) = reference(model, list(xs))
    (got,) = litert(tmp_path / "m.tflite", xs, OpResolverType.AUTO)
    assert_close(got, expected, 1e-4, ATOL, "tokens on LiteRT's default kernels")
