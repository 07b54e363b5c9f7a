"""int8 post-training quantisation: every zoo model exports, loads in LiteRT, and Ember's C runtime computes
bit-identical outputs to LiteRT's reference kernels (the oracle). Errors name what is missing."""

from __future__ import annotations

import numpy as np
import pytest
import tflite
from ai_edge_litert.interpreter import OpResolverType
from engines import ember_runtime, litert

import ember
import ember.export
from ember import nn
from ember.data import DataLoader
from ember.data.datasets import Digits
from ember.vision import models

ZOO = list(models.MODELS)


def export_int8(name, path, io):
    model = models.MODELS[name].build().eval()
    calibration = [models.example_input(name, seed=s) for s in range(8)]
    graph = ember.export.to_tflite(model, ember.tensor(calibration[0]), path, quantize="int8",
                                   calibration=calibration, io=io)
    return model, graph


@pytest.mark.parametrize("io", ["int8", "float"])
@pytest.mark.parametrize("name", ZOO)
def test_zoo_int8_is_bit_exact_with_litert_reference(tmp_path, name, io):
    path = tmp_path / f"{name}.tflite"
    model, graph = export_int8(name, path, io)
    for seed in (100, 101):
        x = models.example_input(name, seed=seed)
        if io == "int8" and x.dtype == np.float32:  # the model's own int8 input: quantise with its parameters
            x = ember.export.quantize.qparams.quantize_array(x, graph.inputs[0].quant).astype(np.float32)
        expected = litert(path, [x])[0]
        got = ember_runtime(path, [x])[0]
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
    litert(path, [x], OpResolverType.AUTO)  # LiteRT's default (optimised) kernels load and run it too


def test_int8_file_layout(tmp_path):
    path = tmp_path / "lenet.tflite"
    _, graph = export_int8("lenet5", path, "int8")
    m = tflite.Model.GetRootAs(path.read_bytes(), 0)
    sg = m.Subgraphs(0)
    tensors = {sg.Tensors(i).Name().decode(): sg.Tensors(i) for i in range(sg.TensorsLength())}
    for v in graph.values():
        t = tensors[v.name]
        if v.quant is None:
            continue
        q = t.Quantization()
        np.testing.assert_array_equal(q.ScaleAsNumpy(), v.quant.scale)
        np.testing.assert_array_equal(q.ZeroPointAsNumpy(), v.quant.zero_point)
    convs = [n for n in graph.nodes if n.op == "CONV_2D"]
    w, b = convs[0].inputs[1], convs[0].inputs[2]
    assert w.dtype == np.int8 and w.quant.scale.size == w.shape[0] and np.abs(w.data).max() == 127
    assert b.dtype == np.int32
    np.testing.assert_allclose(b.quant.scale, convs[0].inputs[0].quant.scale[0] * w.quant.scale, rtol=1e-6)
    softmax_free = [n for n in graph.nodes if n.op == "SOFTMAX"]
    assert not softmax_free  # lenet5 ends in logits


def test_fixed_output_parameters_and_shared_pool_parameters(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(36, 5),
                          nn.Softmax(dim=1)).eval()
    calib = [np.random.default_rng(s).standard_normal((1, 1, 8, 8)).astype(np.float32) for s in range(4)]
    graph = ember.export.to_tflite(model, ember.tensor(calib[0]), tmp_path / "m.tflite", quantize="int8",
                                   calibration=calib)
    by_op = {n.op: n for n in graph.nodes}
    out = by_op["SOFTMAX"].outputs[0].quant
    assert float(out.scale[0]) == 1 / 256 and int(out.zero_point[0]) == -128
    pool = by_op["MAX_POOL_2D"]
    assert pool.outputs[0].quant == pool.inputs[0].quant


def test_digits_mlp_ptq_accuracy_close_to_float(tmp_path):
    from ember.tools.train_digits import run

    model = run(model="mlp", epochs=6, seed=0, progress=False, return_model=True)["net"].eval()
    example = ember.tensor(Digits(train=False).tensors[0][:1])
    ember.export.to_tflite(model, example, tmp_path / "f.tflite")
    ember.export.to_tflite(model, example, tmp_path / "q.tflite", quantize="int8",
                           calibration=DataLoader(Digits(train=True), batch_size=64), io="float")
    test = DataLoader(Digits(train=False), batch_size=60)
    float_acc = ember.export.evaluate(tmp_path / "f.tflite", test)["accuracy"]
    int8 = ember.export.evaluate(tmp_path / "q.tflite", test)
    assert int8 == {**int8, "samples": 360}
    assert int8["accuracy"] >= float_acc - 0.01
    assert ember.export.evaluate(tmp_path / "q.tflite", test, engine="litert")["accuracy"] == int8["accuracy"]
    assert (tmp_path / "q.tflite").stat().st_size < 0.4 * (tmp_path / "f.tflite").stat().st_size


def test_int8_without_calibration_is_refused(tmp_path):
    model = models.mlp().eval()
    with pytest.raises(ember.export.ExportError, match="needs calibration data"):
        ember.export.to_tflite(model, ember.randn(1, 1, 8, 8), tmp_path / "m.tflite", quantize="int8")
    assert not (tmp_path / "m.tflite").exists()


def test_op_without_int8_rule_is_refused_with_its_module(tmp_path):
    class Exp(nn.Module):
        def forward(self, x):
            return x.exp()

    model = nn.Sequential(nn.Linear(4, 4), Exp()).eval()
    with pytest.raises(ember.export.ExportError, match=r"op EXP in module '1' has no int8 rule"):
        ember.export.to_tflite(model, ember.randn(1, 4), tmp_path / "m.tflite", quantize="int8",
                               calibration=[np.ones((1, 4), np.float32)])


def test_empty_calibration_and_unknown_scheme_are_refused(tmp_path):
    model = models.mlp().eval()
    with pytest.raises(ember.export.ExportError, match="calibration data is empty"):
        ember.export.to_tflite(model, ember.randn(1, 1, 8, 8), tmp_path / "m.tflite", quantize="int8",
                               calibration=[])
    with pytest.raises(ember.export.ExportError, match="int8 scheme"):
        ember.export.to_tflite(model, ember.randn(1, 1, 8, 8), tmp_path / "m.tflite", quantize="uint4",
                               calibration=[np.zeros((1, 1, 8, 8), np.float32)])
