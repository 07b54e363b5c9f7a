"""`dynamic_batch=True`: the batch dim is -1 in the `.tflite` shape signature (and the symbolic 'batch' in ONNX),
the constants inside are batch-free, so one file runs at any batch. Oracles: LiteRT BUILTIN_REF after
`resize_tensor_input(i, [n, ...])` against Ember's forward at batch n (float32, rtol 1e-5), the int8 file resized
to n against the same file run one sample at a time (bit-exact: every op is per sample), ember.runtime against
LiteRT at the traced batch (and at n when ember.runtime can resize), onnxruntime at batch 1, 3, 8."""

from __future__ import annotations

import numpy as np
import pytest
import tflite
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from engines import ATOL, NCHW_TO_NHWC, NHWC_TO_NCHW, RTOL, assert_close, ember_runtime, litert, metadata, reference

import ember
import ember.export
import ember.runtime
from ember import nn
from ember.export.quantize.qparams import quantize_array
from ember.vision import models

# unet_transposed: TRANSPOSE_CONV's output shape computed in the file from the input's batch (SHAPE, STRIDED_SLICE,
# CONCATENATION), as TensorFlow's converter writes it.
ZOO = ["mlp", "lenet5", "mobilenet_v2", "tiny_encoder", "unet_transposed"]
BATCHES = (1, 3, 8)
RUNTIME_RESIZES = hasattr(ember.runtime.Interpreter, "resize_tensor_input")


def _calibrated(name: str) -> nn.Module:
    """The zoo model with realistic BatchNorm statistics (a few training-mode batches)."""
    model = models.MODELS[name].build()
    model.train()
    with ember.no_grad():
        for seed in range(3):
            model(ember.tensor(models.example_input(name, batch=4, seed=100 + seed)))
    return model.eval()


def _run_resized(interpreter, path, inputs: list[np.ndarray]) -> np.ndarray:
    """Resize every input to the given arrays' shapes, allocate, invoke; NCHW in and out as Ember's model."""
    meta = metadata(path)
    details = interpreter.get_input_details()
    feeds = [x.transpose(NCHW_TO_NHWC) if info["layout"] == "NHWC" else x
             for x, info in zip(inputs, meta["inputs"], strict=True)]
    for detail, x in zip(details, feeds, strict=True):
        interpreter.resize_tensor_input(detail["index"], list(x.shape), strict=True)
    interpreter.allocate_tensors()
    for detail, x in zip(details, feeds, strict=True):
        interpreter.set_tensor(detail["index"], np.ascontiguousarray(x.astype(detail["dtype"])))
    interpreter.invoke()
    (out,) = interpreter.get_output_details()
    y = np.array(interpreter.get_tensor(out["index"]))
    return y.transpose(NHWC_TO_NCHW) if meta["outputs"][0]["layout"] == "NHWC" else y


def _reference_interpreter(path) -> Interpreter:
    return Interpreter(model_path=str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_REF)


@pytest.fixture(scope="module")
def zoo(tmp_path_factory):
    cache = {}

    def get(name):
        if name not in cache:
            d = tmp_path_factory.mktemp(name)
            model = _calibrated(name)
            x = models.example_input(name, batch=1)
            calibration = [models.example_input(name, batch=1, seed=200 + s) for s in range(8)]
            graphs = {
                "float32": ember.export.to_tflite(model, x, d / "f32.tflite", dynamic_batch=True),
                "int8": ember.export.to_tflite(model, x, d / "int8.tflite", quantize="int8",
                                               calibration=calibration, dynamic_batch=True),
            }
            ember.export.to_onnx(model, x, d / "m.onnx", dynamic_batch=True)
            cache[name] = (model, d, graphs)
        return cache[name]

    return get


@pytest.mark.parametrize("name", ZOO)
def test_signature_is_minus_one_on_batch_tensors(zoo, name):
    model, d, graphs = zoo(name)
    for kind in ("float32", "int8"):
        path = d / f"{'f32' if kind == 'float32' else 'int8'}.tflite"
        it = _reference_interpreter(path)
        for detail in (*it.get_input_details(), *it.get_output_details()):
            assert detail["shape"][0] == 1 and detail["shape_signature"][0] == -1, detail
            assert list(detail["shape_signature"][1:]) == list(detail["shape"][1:])
        assert metadata(path)["dynamic_batch"] is True
        # every tensor with a -1 has the batch there; each RESHAPE's shape constant is batch-free
        m = tflite.Model.GetRootAs(path.read_bytes(), 0)
        sg = m.Subgraphs(0)
        for i in range(sg.OperatorsLength()):
            op = sg.Operators(i)
            code = m.OperatorCodes(op.OpcodeIndex()).BuiltinCode()
            if code == tflite.BuiltinOperator.RESHAPE:
                shape = sg.Tensors(op.Inputs(1))
                data = m.Buffers(shape.Buffer()).DataAsNumpy().view(np.int32)
                out = sg.Tensors(op.Outputs(0))
                signature = list(out.ShapeSignatureAsNumpy()) if not out.ShapeSignatureIsNone() else None
                assert signature is not None and -1 in signature and list(data) == signature


@pytest.mark.parametrize("n", BATCHES)
@pytest.mark.parametrize("name", ZOO)
def test_float32_resized_agrees_with_the_model(zoo, name, n):
    model, d, _ = zoo(name)
    x = models.example_input(name, batch=n, seed=n)
    (expected,) = reference(model, [x])
    got = _run_resized(_reference_interpreter(d / "f32.tflite"), d / "f32.tflite", [x])
    assert_close(got, expected, RTOL, ATOL, f"{name} float32 at batch {n} on LiteRT BUILTIN_REF")
    if RUNTIME_RESIZES:
        got = _run_resized(ember.runtime.Interpreter(model_path=str(d / "f32.tflite")), d / "f32.tflite", [x])
        assert_close(got, expected, RTOL, ATOL, f"{name} float32 at batch {n} on ember.runtime")


@pytest.mark.parametrize("n", BATCHES)
@pytest.mark.parametrize("name", ZOO)
def test_int8_resized_equals_one_sample_at_a_time(zoo, name, n):
    model, d, graphs = zoo(name)
    path = d / "int8.tflite"
    x = quantize_array(models.example_input(name, batch=n, seed=n), graphs["int8"].inputs[0].quant)
    x = x.astype(np.float32)
    got = _run_resized(_reference_interpreter(path), path, [x])
    rows = np.concatenate([litert(path, [x[i:i + 1]])[0] for i in range(n)])
    assert got.dtype == np.int8
    np.testing.assert_array_equal(got, rows, err_msg=f"{name} int8 at batch {n} vs one sample at a time")
    if RUNTIME_RESIZES:
        got = _run_resized(ember.runtime.Interpreter(model_path=str(path)), path, [x])
        np.testing.assert_array_equal(got, rows, err_msg=f"{name} int8 at batch {n} on ember.runtime")


@pytest.mark.parametrize("kind", ["f32", "int8"])
@pytest.mark.parametrize("name", ZOO)
def test_runtime_runs_the_dynamic_file_at_the_traced_batch(zoo, name, kind):
    model, d, graphs = zoo(name)
    path = d / f"{kind}.tflite"
    x = models.example_input(name, batch=1, seed=7)
    if kind == "int8":
        x = quantize_array(x, graphs["int8"].inputs[0].quant).astype(np.float32)
    (expected,), (got,) = litert(path, [x]), ember_runtime(path, [x])
    if kind == "int8":
        np.testing.assert_array_equal(got, expected)
    else:
        assert_close(got, expected, 1e-5, 1e-7, f"{name}: ember.runtime vs LiteRT")


@pytest.mark.parametrize("n", BATCHES)
@pytest.mark.parametrize("name", ZOO)
def test_onnx_has_a_symbolic_batch(zoo, name, n):
    import onnxruntime as ort

    model, d, _ = zoo(name)
    session = ort.InferenceSession(str(d / "m.onnx"), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].shape[0] == "batch" and session.get_outputs()[0].shape[0] == "batch"
    x = models.example_input(name, batch=n, seed=n)
    (expected,) = reference(model, [x])
    (got,) = session.run(None, {session.get_inputs()[0].name: x})
    assert_close(got, expected, RTOL, ATOL, f"{name} ONNX at batch {n}")


class MaskedPool(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Linear(8, 16)
        self.head = nn.Linear(16, 4)

    def forward(self, x, mask):
        return self.head((self.embed(x).relu() * mask.unsqueeze(-1)).mean(dim=1))


class SliceAndReshape(nn.Module):
    """A slice over dim 0 and a reshape that keep the batch in a dim of its own (-1 and the end mask), and a
    transpose that moves it to dim 1 (time-major, as an LSTM's input)."""

    def forward(self, x):
        n = x.shape[0]
        return (x[:, 1:5].reshape(n, 2, 2, 3) * 2.0).permute(1, 0, 2, 3)


def test_multi_input_resized_together(tmp_path):
    ember.manual_seed(0)
    model = MaskedPool().eval()
    rng = np.random.default_rng(0)

    def inputs(n):
        return (rng.standard_normal((n, 6, 8)).astype(np.float32), (rng.random((n, 6)) > 0.3).astype(np.float32))

    path = tmp_path / "m.tflite"
    ember.export.to_tflite(model, inputs(2), path, dynamic_batch=True)
    details = _reference_interpreter(path).get_input_details()
    assert [list(d["shape_signature"]) for d in details] == [[-1, 6, 8], [-1, 6]]
    for n in BATCHES:
        feed = inputs(n)
        (expected,) = reference(model, list(feed))
        got = _run_resized(_reference_interpreter(path), path, list(feed))
        assert_close(got, expected, RTOL, ATOL, f"(x, mask) at batch {n}")


def test_batch_moved_by_a_transpose_and_sliced(tmp_path):
    model = SliceAndReshape()
    x = np.random.default_rng(0).standard_normal((2, 6, 3)).astype(np.float32)
    path, onx = tmp_path / "m.tflite", tmp_path / "m.onnx"
    graph = ember.export.to_tflite(model, x, path, dynamic_batch=True)
    ember.export.to_onnx(model, x, onx, dynamic_batch=True)
    assert any(v.batch_dim == 1 for v in graph.values())
    import onnxruntime as ort

    session = ort.InferenceSession(str(onx), providers=["CPUExecutionProvider"])
    for n in BATCHES:
        xn = np.random.default_rng(n).standard_normal((n, 6, 3)).astype(np.float32)
        (expected,) = reference(model, [xn])
        assert_close(_run_resized(_reference_interpreter(path), path, [xn]), expected, RTOL, ATOL, f"batch {n}")
        assert_close(session.run(None, {"input": xn})[0], expected, RTOL, ATOL, f"ONNX batch {n}")


class FoldsBatch(nn.Module):
    def forward(self, x):
        return x.reshape(x.shape[0] * x.shape[1], x.shape[2]).relu()


class PerSampleConstant(nn.Module):
    def forward(self, x):
        return x * ember.tensor(np.arange(x.shape[0], dtype=np.float32).reshape(-1, 1))


class ConcatenatedZeros(nn.Module):
    def forward(self, x):
        return ember.cat([x, ember.zeros(x.shape[0], 2)], dim=1)


class AddedZeros(nn.Module):
    """A zero state built from the batch size (as an LSTM's): the same for every sample, so it broadcasts."""

    def forward(self, x):
        return (x + ember.zeros(x.shape[0], x.shape[1]) + 1.0) * ember.ones(x.shape[0], 1)


@pytest.mark.parametrize("to", ["tflite", "onnx"])
def test_refuses_mixing_the_batch_into_another_dim(tmp_path, to):
    x = np.ones((2, 3, 4), np.float32)
    export = ember.export.to_tflite if to == "tflite" else ember.export.to_onnx
    with pytest.raises(ember.export.ExportError, match="dynamic_batch=True") as info:
        export(FoldsBatch(), x, tmp_path / f"m.{to}", dynamic_batch=True)
    if to == "tflite":
        assert "has shape [6, 4] at batch 2 and [9, 4] at batch 3: the graph mixes the batch into dim 0" in str(
            info.value)
    export(FoldsBatch(), x, tmp_path / f"fixed.{to}")  # a fixed batch exports


@pytest.mark.parametrize("model, needle", [
    (PerSampleConstant(), r"has shape \[2, 1\] at batch 2 and \[3, 1\] at batch 3: a tensor is built from the batch"),
    (ConcatenatedZeros(), r"operand of CONCATENATION .* has the batch size 2 in dim 0: .* cannot broadcast"),
])
def test_refuses_a_constant_shaped_by_the_batch(tmp_path, model, needle):
    with pytest.raises(ember.export.ExportError, match=needle):
        ember.export.to_tflite(model, np.ones((2, 3), np.float32), tmp_path / "m.tflite", dynamic_batch=True)


def test_a_constant_the_same_for_every_sample_broadcasts(tmp_path):
    model = AddedZeros()
    x = np.random.default_rng(0).standard_normal((1, 3)).astype(np.float32)
    path, onx = tmp_path / "m.tflite", tmp_path / "m.onnx"
    graph = ember.export.to_tflite(model, x, path, dynamic_batch=True)
    ember.export.to_onnx(model, x, onx, dynamic_batch=True)
    assert all(v.shape[0] == 1 for v in graph.values() if v.is_constant and v.data.ndim == 2)
    import onnxruntime as ort

    session = ort.InferenceSession(str(onx), providers=["CPUExecutionProvider"])
    for n in BATCHES:
        xn = np.random.default_rng(n).standard_normal((n, 3)).astype(np.float32)
        (expected,) = reference(model, [xn])
        assert_close(_run_resized(_reference_interpreter(path), path, [xn]), expected, RTOL, ATOL, f"batch {n}")
        assert_close(session.run(None, {"input": xn})[0], expected, RTOL, ATOL, f"ONNX batch {n}")


def test_refuses_inputs_with_different_batches(tmp_path):
    with pytest.raises(ember.export.ExportError, match="different batch sizes"):
        ember.export.to_tflite(MaskedPool(), (np.ones((2, 6, 8), np.float32), np.ones((3, 6), np.float32)),
                               tmp_path / "m.tflite", dynamic_batch=True)


def test_fixed_batch_files_have_no_signature_change(tmp_path):
    model = _calibrated("mlp")
    path = tmp_path / "m.tflite"
    ember.export.to_tflite(model, models.example_input("mlp", batch=2), path)
    detail = _reference_interpreter(path).get_input_details()[0]
    assert list(detail["shape_signature"]) == list(detail["shape"]) == [2, 1, 8, 8]
    assert metadata(path)["dynamic_batch"] is False


@pytest.mark.parametrize("name", [n for n in models.MODELS if n not in ZOO])
def test_rest_of_the_zoo_exports_dynamic(tmp_path, name):
    model = _calibrated(name)
    path = tmp_path / "m.tflite"
    x = models.example_input(name, batch=1)
    ember.export.to_tflite(model, x, path, dynamic_batch=True)
    ember.export.to_onnx(model, x, tmp_path / "m.onnx", dynamic_batch=True)
    x3 = models.example_input(name, batch=3, seed=3)
    (expected,) = reference(model, [x3])
    assert_close(_run_resized(_reference_interpreter(path), path, [x3]), expected, 1e-4, ATOL, f"{name} at batch 3")
    import onnxruntime as ort

    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {session.get_inputs()[0].name: x3})
    assert_close(got, expected, 1e-4, ATOL, f"{name} ONNX at batch 3")


@pytest.mark.parametrize("name", ["mlp", "lenet5"])
def test_int8_onnx_with_a_symbolic_batch_equals_the_fixed_file_per_sample(tmp_path, name):
    import onnxruntime as ort

    model = _calibrated(name)
    x = models.example_input(name, batch=1)
    calibration = [models.example_input(name, batch=1, seed=200 + s) for s in range(8)]
    ember.export.to_onnx(model, x, tmp_path / "dyn.onnx", quantize="int8", calibration=calibration,
                         dynamic_batch=True)
    ember.export.to_onnx(model, x, tmp_path / "fixed.onnx", quantize="int8", calibration=calibration)
    dynamic, fixed = (ort.InferenceSession(str(tmp_path / f), providers=["CPUExecutionProvider"])
                      for f in ("dyn.onnx", "fixed.onnx"))
    assert dynamic.get_inputs()[0].shape[0] == "batch"
    for n in BATCHES:
        xn = models.example_input(name, batch=n, seed=n)
        rows = np.concatenate([fixed.run(None, {"input": xn[i:i + 1]})[0] for i in range(n)])
        np.testing.assert_array_equal(dynamic.run(None, {"input": xn})[0], rows)


def test_qat_convert_with_a_dynamic_batch(tmp_path):
    from ember.export.quantize import convert, prepare_qat

    model = prepare_qat(_calibrated("lenet5"))
    model.train()
    with ember.no_grad():
        for seed in range(3):
            model(ember.tensor(models.example_input("lenet5", batch=4, seed=400 + seed)))
    path = tmp_path / "qat.tflite"
    graph = convert(model, models.example_input("lenet5", batch=1), path, dynamic_batch=True)
    assert list(_reference_interpreter(path).get_input_details()[0]["shape_signature"]) == [-1, 32, 32, 1]
    x = quantize_array(models.example_input("lenet5", batch=3, seed=3), graph.inputs[0].quant).astype(np.float32)
    rows = np.concatenate([litert(path, [x[i:i + 1]])[0] for i in range(3)])
    np.testing.assert_array_equal(_run_resized(_reference_interpreter(path), path, [x]), rows)
    np.testing.assert_array_equal(ember_runtime(path, [x[:1]])[0], rows[:1])


def test_int8_with_float_edges_keeps_the_batch_free(tmp_path):
    """io="float": the QUANTIZE/DEQUANTIZE quantisation adds at the edges carry the -1 too."""
    model = _calibrated("lenet5")
    calibration = [models.example_input("lenet5", batch=1, seed=200 + s) for s in range(8)]
    path = tmp_path / "m.tflite"
    ember.export.to_tflite(model, models.example_input("lenet5", batch=1), path, quantize="int8",
                           calibration=calibration, io="float", dynamic_batch=True)
    it = _reference_interpreter(path)
    assert it.get_input_details()[0]["dtype"] == np.float32
    assert it.get_input_details()[0]["shape_signature"][0] == it.get_output_details()[0]["shape_signature"][0] == -1
    x = models.example_input("lenet5", batch=3, seed=3)
    rows = np.concatenate([litert(path, [x[i:i + 1]])[0] for i in range(3)])
    np.testing.assert_array_equal(_run_resized(it, path, [x]), rows)
