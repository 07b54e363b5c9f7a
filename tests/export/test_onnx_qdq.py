"""int8 ONNX (QuantizeLinear/DequantizeLinear) export against onnxruntime, compared with the int8 `.tflite` of the
same model and calibration run by LiteRT's reference kernels, and with the float model.

Tolerance. The two files round at the same tensors to the same grids with the same integer weights and biases;
they differ in how a layer's int32 accumulator becomes the next int8 value: TFLite uses a fixed-point multiplier
and rounds half away from zero, ONNX's QDQ definition computes in float and QuantizeLinear rounds half to even.
So a value near a rounding boundary may land one step apart, and a step in one layer can move later layers by a
step or two more: we allow 3 output steps (observed: at most 2) and the same argmax.

onnxruntime's own int8 kernels (its default optimisation fuses DQ -> op -> Q into QLinearConv, QGemm...) are not
the QDQ reference: on x86 CPUs without VNNI they multiply u8 x s8 with VPMADDUBSW, which saturates pairs of
products at int16 (onnxruntime's documented "U8S8 saturation" with full 8-bit weights), and can be many steps off.
The reference comparisons therefore run onnxruntime with basic optimisation (no int8 fusion); the fused path is
checked to load and run, and for accuracy on the digits test set (test_qat_digits.py)."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from engines import litert, reference
from onnx import numpy_helper

import ember
import ember.export
from ember import nn
from ember.export.quantize import convert, prepare_qat
from ember.export.quantize.qparams import dequantize_array, quantize_array
from ember.vision import models


def run_onnx(path, x: np.ndarray, fused: bool = False) -> np.ndarray:
    """onnxruntime on `path`: the QDQ reference semantics (basic optimisation), or its fused int8 kernels."""
    options = ort.SessionOptions()
    options.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if fused
                                        else ort.GraphOptimizationLevel.ORT_ENABLE_BASIC)
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def run_tflite_int8(path, graph, x: np.ndarray) -> np.ndarray:
    """LiteRT BUILTIN_REF on the int8 file, fed the quantised input; the output dequantised."""
    nhwc = graph.layouts.get(graph.inputs[0].name) == "NHWC"
    q = quantize_array(x.transpose(0, 2, 3, 1) if nhwc else x, graph.inputs[0].quant)
    q = q.transpose(0, 3, 1, 2) if nhwc else q
    out = litert(path, [q.astype(np.float32)])[0]
    return dequantize_array(out.astype(np.int8), graph.outputs[0].quant)


def export_both(model, calibration, tmp_path):
    example = ember.tensor(calibration[0])
    tfl, onx = tmp_path / "m.tflite", tmp_path / "m.onnx"
    graph = ember.export.to_tflite(model, example, tfl, quantize="int8", calibration=calibration)
    ember.export.to_onnx(model, example, onx, quantize="int8", calibration=calibration)
    return graph, tfl, onx


def test_qdq_file_structure(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                          nn.Linear(4 * 8 * 8, 10)).eval()
    calibration = [models.example_input("mlp", seed=s) for s in range(4)]
    graph, _, onx = export_both(model, calibration, tmp_path)
    proto = onnx.load(str(onx))
    onnx.checker.check_model(proto, full_check=True)
    assert proto.opset_import[0].version >= 17
    ops = [n.op_type for n in proto.graph.node]
    assert "BatchNormalization" not in ops  # folded into the conv, as in the .tflite
    assert ops.count("QuantizeLinear") == 4  # input, conv+relu, flatten, linear output
    inits = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    conv = next(n for n in proto.graph.node if n.op_type == "Conv")
    producers = {o: n for n in proto.graph.node for o in n.output}
    weight_dq, bias_dq = producers[conv.input[1]], producers[conv.input[2]]
    w, w_scale = inits[weight_dq.input[0]], inits[weight_dq.input[1]]
    assert w.dtype == np.int8 and w.shape == (4, 1, 3, 3) and np.abs(w).max() == 127 and w.min() >= -127
    assert w_scale.shape == (4,) and {a.name: a.i for a in weight_dq.attribute} == {"axis": 0}
    b, b_scale = inits[bias_dq.input[0]], inits[bias_dq.input[1]]
    s_in = float(graph.inputs[0].quant.scale[0])
    assert b.dtype == np.int32 and np.array_equal(b_scale, (np.float32(s_in) * w_scale).astype(np.float32))
    tfl_conv = next(n for n in graph.nodes if n.op == "CONV_2D")  # same integers as the .tflite (OHWI there)
    np.testing.assert_array_equal(w, tfl_conv.inputs[1].data.transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(b, tfl_conv.inputs[2].data)
    q = producers[proto.graph.output[0].name]
    out_scale = inits[q.input[1]]
    assert out_scale == graph.outputs[0].quant.scale[0]


@pytest.mark.parametrize("name", ["mlp", "lenet5", "vgg_bn", "resnet20", "unet_small"])
def test_qdq_matches_litert_int8(tmp_path, name):
    model = models.MODELS[name].build().eval()
    calibration = [models.example_input(name, seed=s) for s in range(8)]
    graph, tfl, onx = export_both(model, calibration, tmp_path)
    step = float(graph.outputs[0].quant.scale[0])
    for seed in range(100, 104):
        x = models.example_input(name, seed=seed)
        tflite_out, onnx_out = run_tflite_int8(tfl, graph, x), run_onnx(onx, x)
        assert np.abs(onnx_out - tflite_out).max() <= 3 * step + 1e-6 * np.abs(tflite_out).max()
        if onnx_out.ndim == 2:
            np.testing.assert_array_equal(onnx_out.argmax(1), tflite_out.argmax(1))
        fused = run_onnx(onx, x, fused=True)  # onnxruntime's int8 kernels load and run it
        assert fused.shape == tflite_out.shape and np.isfinite(fused).all()
        # int8 against float: the quantisation error a few layers accumulate, within 10 % of the output's magnitude
        # (observed at most 10 %, lenet5; 0.5-4 % for the others) plus the output's own rounding
        (expected,) = reference(model, [x])
        assert np.abs(onnx_out - expected).max() <= 0.1 * np.abs(expected).max() + 4 * step


def test_qat_model_exports_qdq_with_its_own_parameters(tmp_path):
    ember.manual_seed(0)
    qat = prepare_qat(nn.Sequential(nn.Conv2d(1, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU6(), nn.MaxPool2d(2),
                                    nn.Flatten(), nn.Linear(6 * 4 * 4, 10)))
    rng = np.random.default_rng(0)
    for _ in range(3):
        qat.train()(ember.tensor(rng.standard_normal((8, 1, 8, 8)).astype(np.float32)))
    qat.eval()
    example = ember.randn(1, 1, 8, 8)
    graph = convert(qat, example, tmp_path / "m.tflite")
    ember.export.to_onnx(qat, example, tmp_path / "m.onnx", quantize="int8")  # no calibration needed
    proto = onnx.load(str(tmp_path / "m.onnx"))
    inits = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    first_q = next(n for n in proto.graph.node if n.op_type == "QuantizeLinear")
    p = qat[0].input_fake_quant.qparams()
    assert (inits[first_q.input[1]], inits[first_q.input[2]]) == (p.scale[0], p.zero_point[0])
    step = float(graph.outputs[0].quant.scale[0])
    for _ in range(4):
        x = rng.standard_normal((1, 1, 8, 8)).astype(np.float32)
        tflite_out, onnx_out = run_tflite_int8(tmp_path / "m.tflite", graph, x), run_onnx(tmp_path / "m.onnx", x)
        assert np.abs(onnx_out - tflite_out).max() <= 3 * step + 1e-6
        with ember.no_grad():  # QDQ's reference semantics are the QAT model's eval forward
            np.testing.assert_allclose(onnx_out, qat(ember.tensor(x)).numpy(), atol=3 * step)


def test_int8_onnx_needs_calibration_or_qat(tmp_path):
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10)).eval()
    with pytest.raises(ember.export.ExportError, match="calibration"):
        ember.export.to_onnx(model, ember.randn(1, 1, 8, 8), tmp_path / "m.onnx", quantize="int8")
    with pytest.raises(ember.export.ExportError, match="quantize='int8'"):
        ember.export.to_onnx(model, ember.randn(1, 1, 8, 8), tmp_path / "m.onnx", calibration=[np.zeros(1)])
    assert list(tmp_path.iterdir()) == []
