"""`ember.export.to_onnx` against onnxruntime; the file is checked by onnx.checker and keeps NCHW."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from engines import ATOL, RTOL, assert_close, onnxruntime, reference

import ember
import ember.export
from ember import nn
from ember.autograd import Function


def test_onnx_opset_layout_and_values(tmp_path):
    model = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.BatchNorm2d(4), nn.Hardswish(),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3), nn.LogSoftmax(dim=1)).eval()
    x = np.random.default_rng(0).standard_normal((2, 3, 9, 9)).astype(np.float32)
    path = tmp_path / "m.onnx"
    ember.export.to_onnx(model, ember.tensor(x), path)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert proto.opset_import[0].version >= 17
    dims = [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim]
    assert dims == [2, 3, 9, 9]
    assert {n.op_type for n in proto.graph.node} >= {"Conv", "BatchNormalization", "HardSwish", "GlobalAveragePool"}
    (expected,) = reference(model, [x])
    assert_close(onnxruntime(path, [x])[0], expected, RTOL, ATOL, "onnxruntime")


class Mystery(Function):
    def forward(self, x):
        return x * 2


def test_unsupported_op_is_refused_and_leaves_no_file(tmp_path):
    class Unsupported(nn.Module):
        def forward(self, x):
            return Mystery.apply(x)

    path = tmp_path / "m.onnx"
    with pytest.raises(ember.export.ExportError, match=r"op Mystery in module '<top>' has no ONNX export rule"):
        ember.export.to_onnx(Unsupported(), ember.randn(1, 4), path)
    assert list(tmp_path.iterdir()) == []
