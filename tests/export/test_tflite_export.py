"""The float32 `.tflite` writer against LiteRT (the oracle), with the reference and the default kernels."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tflite
from ai_edge_litert.interpreter import Interpreter, OpResolverType

import ember
import ember.export
from ember import nn
from ember.autograd import Function

RESOLVERS = [OpResolverType.BUILTIN_REF, OpResolverType.AUTO]


def litert(path, x, resolver):
    it = Interpreter(model_path=str(path), experimental_op_resolver_type=resolver)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    return it.get_tensor(it.get_output_details()[0]["index"])


MODELS = {
    "mlp_softmax": (lambda: nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10),
                                          nn.Softmax(dim=1)), (1, 1, 8, 8)),
    "logits_batch4": (lambda: nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 5)), (4, 20)),
    "no_bias_deep": (lambda: nn.Sequential(nn.Linear(8, 8, bias=False), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(),
                                           nn.Linear(8, 3, bias=False), nn.Softmax(dim=-1)), (2, 8)),
    "rank3_linear": (lambda: nn.Sequential(nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 2)), (2, 3, 6)),
}


@pytest.mark.parametrize("resolver", RESOLVERS, ids=["BUILTIN_REF", "AUTO"])
@pytest.mark.parametrize("name", list(MODELS))
def test_export_matches_litert(tmp_path, name, resolver):
    ember.manual_seed(1)
    build, shape = MODELS[name]
    model = build().eval()
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    path = tmp_path / f"{name}.tflite"
    ember.export.to_tflite(model, ember.tensor(x), path)
    with ember.no_grad():
        expected = model(ember.tensor(x)).numpy()
    got = litert(path, x, resolver)
    assert got.shape == expected.shape
    # elementwise, numpy's allclose; the absolute floor only covers outputs that are 0 up to float32 rounding
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_relu_is_fused_and_graph_prints(tmp_path):
    model = MODELS["mlp_softmax"][0]()
    graph = ember.export.to_tflite(model, ember.randn(1, 1, 8, 8), tmp_path / "m.tflite")
    assert graph.op_counts() == {"RESHAPE": 1, "FULLY_CONNECTED": 2, "SOFTMAX": 1}
    text = str(graph)
    assert "fused_activation: RELU" in text and "# 1" in text and "float32[1,64]" in text
    # the file agrees with the graph: read it back with the schema bindings
    m = tflite.Model.GetRootAs((tmp_path / "m.tflite").read_bytes(), 0)
    sg = m.Subgraphs(0)
    codes = [m.OperatorCodes(sg.Operators(i).OpcodeIndex()).BuiltinCode() for i in range(sg.OperatorsLength())]
    assert codes == [tflite.BuiltinOperator.RESHAPE, tflite.BuiltinOperator.FULLY_CONNECTED,
                     tflite.BuiltinOperator.FULLY_CONNECTED, tflite.BuiltinOperator.SOFTMAX]


def test_metadata_and_alignment(tmp_path):
    path = tmp_path / "m.tflite"
    ember.export.to_tflite(MODELS["mlp_softmax"][0](), ember.randn(1, 1, 8, 8), path, name="digits",
                           labels=list("0123456789"), normalization={"scale": 0.0625})
    raw = path.read_bytes()
    m = tflite.Model.GetRootAs(raw, 0)
    entries = {m.Metadata(i).Name().decode(): m.Metadata(i).Buffer() for i in range(m.MetadataLength())}
    meta = json.loads(m.Buffers(entries["ember"]).DataAsNumpy().tobytes())
    assert meta["model_name"] == "digits" and meta["labels"] == list("0123456789")
    assert meta["input_normalization"] == {"scale": 0.0625} and meta["ember_version"] == ember.__version__
    sg = m.Subgraphs(0)
    for i in range(sg.TensorsLength()):
        buf = m.Buffers(sg.Tensors(i).Buffer())
        if buf.DataLength():
            start = buf._tab.Vector(buf._tab.Offset(4))
            assert start % 16 == 0, f"tensor {sg.Tensors(i).Name()} data at unaligned offset {start}"


class Mystery(Function):
    def forward(self, x):
        return x * 2


def test_failed_export_leaves_no_file(tmp_path):
    class Unsupported(nn.Module):
        def forward(self, x):
            return Mystery.apply(x)

    path = tmp_path / "m.tflite"
    with pytest.raises(ember.export.ExportError, match=r"op Mystery in module '<top>'.*no TFLite export rule"):
        ember.export.to_tflite(Unsupported(), ember.randn(1, 4), path)
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_data_dependent_control_flow_is_refused():
    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            self.head = nn.Linear(4, 2)

        def forward(self, x):
            h = self.head(x)
            if h.sum().item() > 0:
                return h.relu()
            return h

    model = nn.Sequential(nn.Linear(4, 4), Branchy())
    ember.manual_seed(0)
    with pytest.raises(ember.export.TraceError, match="module '1'.*data-dependent control flow"):
        for seed in range(20):  # some example makes the two runs disagree
            ember.manual_seed(seed)
            ember.export.trace(model, ember.randn(1, 4))


def test_softmax_over_other_axis_is_refused():
    with pytest.raises(ember.export.ExportError, match="last axis"):
        ember.export.to_graph(nn.Sequential(nn.Softmax(dim=0)), ember.randn(3, 4))


def test_exporter_writes_the_runtime_memory_plan(tmp_path):
    """The file carries "OfflineMemoryAllocation" (TFLite Micro's int32 layout [version, subgraph, n, offsets]):
    live tensors never share bytes, the runtime reuses the plan, and LiteRT still loads the file."""
    import ember.runtime
    from ember.vision import models

    model = models.resnet20().eval()
    x = models.example_input("resnet20")
    path = tmp_path / "r.tflite"
    ember.export.to_tflite(model, ember.tensor(x), path)
    raw = path.read_bytes()
    m = tflite.Model.GetRootAs(raw, 0)
    entries = {m.Metadata(i).Name().decode(): m.Metadata(i).Buffer() for i in range(m.MetadataLength())}
    plan = np.frombuffer(m.Buffers(entries["OfflineMemoryAllocation"]).DataAsNumpy().tobytes(), "<i4")
    sg = m.Subgraphs(0)
    assert plan[0] == 0 and plan[1] == 0 and plan[2] == sg.TensorsLength() == len(plan) - 3
    offsets = plan[3:]
    # closed-form check of the plan: tensors alive at the same operator occupy disjoint byte ranges
    n_ops = sg.OperatorsLength()
    first, last = {}, {}
    for i in range(sg.InputsLength()):
        first[sg.Inputs(i)] = -1
    for k in range(n_ops):
        op = sg.Operators(k)
        for t in op.OutputsAsNumpy():
            first.setdefault(int(t), k)
        for t in op.InputsAsNumpy():
            if t >= 0:
                last[int(t)] = k
    for i in range(sg.OutputsLength()):
        last[sg.Outputs(i)] = n_ops
    sizes = {t: int(np.prod(sg.Tensors(t).ShapeAsNumpy())) * 4 for t in first}
    live = [t for t in first if offsets[t] >= 0]
    assert live, "the plan places no tensor"
    for a in live:
        for b in live:
            if a < b and first[a] <= last.get(b, first[b]) and first[b] <= last.get(a, first[a]):
                assert offsets[a] + sizes[a] <= offsets[b] or offsets[b] + sizes[b] <= offsets[a], (a, b)
    it = ember.runtime.Interpreter(model_path=str(path))
    assert it.memory_plan()["offsets"] == offsets.tolist()
    expected = litert(path, np.ascontiguousarray(x.transpose(0, 2, 3, 1)), OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], np.ascontiguousarray(x.transpose(0, 2, 3, 1)))
    it.invoke()
    np.testing.assert_allclose(it.get_tensor(it.get_output_details()[0]["index"]), expected, rtol=1e-5, atol=1e-6)
