"""The graph passes one at a time, on small models whose exported graph is known in closed form."""

from __future__ import annotations

import numpy as np
import pytest
from engines import ATOL, RTOL, assert_close, litert, reference

import ember
import ember.export
from ember import nn
from ember.export import passes
from ember.export.lowering import lower


def graph_of(model, shape):
    return ember.export.to_graph(model.eval(), ember.randn(*shape))


class WeightTranspose(nn.Module):
    """x @ W.t() * (2 * scale): the transpose and the scale product are computed from parameters only."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(ember.randn(3, 5))
        self.scale = nn.Parameter(ember.randn(3))

    def forward(self, x):
        return (x @ self.weight.t()) * (self.scale * 2.0)


def test_constant_folding_removes_parameter_only_ops():
    traced = ember.export.trace(WeightTranspose().eval(), ember.randn(2, 5))
    assert {"Permute", "Mul", "MatMul"} <= set(traced.op_counts())
    folded = passes.simplify(traced)
    assert folded.op_counts() == {"MatMul": 1, "Mul": 1}
    assert graph_of(WeightTranspose(), (2, 5)).op_counts() == {"FULLY_CONNECTED": 1, "MUL": 1}


def test_dead_code_is_removed():
    class Unused(nn.Module):
        def forward(self, x):
            x.exp()  # computed and thrown away
            return x.relu()

    g = passes.eliminate_dead_code(ember.export.trace(Unused().eval(), ember.randn(2, 3)))
    assert g.op_counts() == {"ReLU": 1}


def test_batchnorm_folds_into_conv_and_linear():
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                          nn.Linear(4 * 6 * 6, 5), nn.BatchNorm1d(5))
    model.train()
    with ember.no_grad():
        model(ember.randn(8, 3, 6, 6) * 3 + 1)
    assert graph_of(model, (2, 3, 6, 6)).op_counts() == {"CONV_2D": 1, "RESHAPE": 1, "FULLY_CONNECTED": 1}


def test_standalone_batchnorm_becomes_mul_add_with_fused_relu(tmp_path):
    model = nn.Sequential(nn.BatchNorm2d(3), nn.ReLU())
    model.train()
    with ember.no_grad():
        model(ember.randn(8, 3, 4, 4) * 2 + 1)
    g = graph_of(model, (2, 3, 4, 4))
    assert g.op_counts() == {"MUL": 1, "ADD": 1}
    assert g.nodes[-1].attrs["fused_activation"] == "RELU"


def test_activation_fusion_covers_each_producer():
    model = nn.Sequential(nn.Conv2d(2, 4, 3), nn.ReLU6(), nn.Conv2d(4, 4, 3, groups=4), nn.ReLU(),
                          nn.MaxPool2d(2), nn.ReLU())
    g = graph_of(model, (1, 2, 10, 10))
    assert g.op_counts() == {"CONV_2D": 1, "DEPTHWISE_CONV_2D": 1, "MAX_POOL_2D": 1}
    assert [n.attrs["fused_activation"] for n in g.nodes] == ["RELU6", "RELU", "RELU"]


def test_activation_with_two_consumers_is_not_fused():
    class Branch(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            h = self.fc(x)
            return h.relu() + h

    assert graph_of(Branch(), (2, 4)).op_counts() == {"FULLY_CONNECTED": 1, "RELU": 1, "ADD": 1}


def test_layout_flatten_permutes_fc_columns_instead_of_transposing(tmp_path):
    model = nn.Sequential(nn.Conv2d(3, 5, 3), nn.Flatten(), nn.Linear(5 * 4 * 4, 2))
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32)
    g = ember.export.to_tflite(model.eval(), ember.tensor(x), tmp_path / "m.tflite")
    assert g.op_counts() == {"CONV_2D": 1, "RESHAPE": 1, "FULLY_CONNECTED": 1}
    assert g.inputs[0].shape == (2, 6, 6, 3) and g.layouts[g.inputs[0].name] == "NHWC"
    fc_weight = g.nodes[-1].inputs[1].data
    original = model[2].weight.detach().numpy()
    np.testing.assert_array_equal(fc_weight, original.reshape(2, 5, 4, 4).transpose(0, 2, 3, 1).reshape(2, -1))
    (expected,) = reference(model, [x])
    assert_close(litert(tmp_path / "m.tflite", [x])[0], expected, RTOL, ATOL, "LiteRT")


def test_user_permute_to_nhwc_disappears():
    class ToNHWC(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.fc = nn.Conv2d(3, 4, 1), nn.Linear(4, 2)

        def forward(self, x):
            return self.fc(self.conv(x).permute(0, 2, 3, 1))

    assert graph_of(ToNHWC(), (1, 3, 5, 5)).op_counts() == {"CONV_2D": 1, "FULLY_CONNECTED": 1}


def test_lowering_refuses_unsupported_attributes_with_the_module_name():
    model = nn.Sequential(nn.Conv2d(4, 4, 1), nn.MaxPool2d(2, dilation=2))
    with pytest.raises(ember.export.ExportError, match=r"MaxPool2d in module '1'.*dilated max pooling"):
        lower(passes.simplify(ember.export.trace(model.eval(), ember.randn(1, 4, 6, 6))))


def test_dropout_vanishes_in_eval_mode():
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.ReLU())
    traced = ember.export.trace(model.eval(), ember.randn(2, 4))
    assert traced.op_counts() == {"Linear": 1, "ReLU": 1}


def test_graph_prints_ops_shapes_and_module_paths():
    text = str(graph_of(nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU()), (1, 3, 8, 8)))
    assert "CONV_2D(%input" in text and "padding: SAME" in text and "fused_activation: RELU" in text
    assert "float32[1,8,8,4]" in text and "# 0" in text
