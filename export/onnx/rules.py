"""Ember op (Function name) -> ONNX nodes, one small rule each. Attributes follow ONNX opset 17."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from onnx import NodeProto, TensorProto, helper, numpy_helper

from ..errors import ExportError
from ..ir import Node, Value
from ..rule_table import RuleTable


class OnnxBuilder:
    def __init__(self, opset: int) -> None:
        self.opset = opset
        self.nodes: list[NodeProto] = []
        self.initializers: list[TensorProto] = []
        self._count = 0

    def fresh(self, base: str) -> str:
        self._count += 1
        return f"{base}/onnx{self._count}"

    def const(self, base: str, data: Any) -> str:
        name = self.fresh(base)
        self.initializers.append(numpy_helper.from_array(np.asarray(data), name))
        return name

    def add(self, op: str, inputs: list[str], outputs: list[str] | None = None, base: str = "t", **attrs: Any) -> str:
        outputs = outputs or [self.fresh(base)]
        self.nodes.append(helper.make_node(op, inputs, outputs, name=self.fresh(op), **attrs))
        return outputs[0]


Rule = Callable[[OnnxBuilder, Node], None]
RULES = RuleTable("ONNX")
rule = RULES.rule


def _n(v: Value | None) -> str:
    return "" if v is None else v.name


def _ins(node: Node) -> list[str]:
    return [_n(v) for v in node.inputs]


def _out(node: Node) -> list[str]:
    return [v.name for v in node.outputs]


def _pair(v: Any) -> list[int]:
    return [int(v), int(v)] if isinstance(v, (int, np.integer)) else [int(v[0]), int(v[1])]


def _axes(node: Node) -> list[int]:
    rank = len(node.inputs[0].shape)
    dim = node.attrs.get("dim")
    if dim is None:
        return list(range(rank))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    return sorted(int(d) % rank for d in dims)


SAME_NAME = {"Add": "Add", "Sub": "Sub", "Mul": "Mul", "Div": "Div", "Pow": "Pow", "Maximum": "Max", "Minimum": "Min",
             "Where": "Where", "Neg": "Neg", "Exp": "Exp", "Log": "Log", "Sqrt": "Sqrt", "Abs": "Abs",
             "MatMul": "MatMul", "ReLU": "Relu", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "Hardswish": "HardSwish"}


@rule(*SAME_NAME)
def _same(b: OnnxBuilder, node: Node) -> None:
    b.add(SAME_NAME[node.op], _ins(node), _out(node))


@rule("Clamp")
def _clamp(b: OnnxBuilder, node: Node) -> None:
    dtype = node.inputs[0].dtype
    bound = [b.const("clip", np.array(v, dtype)) if v is not None else "" for v in (node.attrs["min"],
                                                                                     node.attrs["max"])]
    b.add("Clip", [_n(node.inputs[0]), *bound], _out(node))


@rule("ReLU6")
def _relu6(b: OnnxBuilder, node: Node) -> None:
    dtype = node.inputs[0].dtype
    b.add("Clip", [_n(node.inputs[0]), b.const("zero", np.array(0, dtype)), b.const("six", np.array(6, dtype))],
          _out(node))


@rule("PReLU")
def _prelu(b: OnnxBuilder, node: Node) -> None:
    b.add("PRelu", _ins(node), _out(node))


@rule("ELU")
def _elu(b: OnnxBuilder, node: Node) -> None:
    b.add("Elu", _ins(node), _out(node), alpha=float(node.attrs["alpha"]))


@rule("LeakyReLU")
def _leaky(b: OnnxBuilder, node: Node) -> None:
    b.add("LeakyRelu", _ins(node), _out(node), alpha=float(node.attrs["negative_slope"]))


@rule("Hardsigmoid")
def _hardsigmoid(b: OnnxBuilder, node: Node) -> None:
    b.add("HardSigmoid", _ins(node), _out(node), alpha=1 / 6, beta=0.5)


@rule("SiLU")
def _silu(b: OnnxBuilder, node: Node) -> None:
    x = _n(node.inputs[0])
    b.add("Mul", [x, b.add("Sigmoid", [x])], _out(node))


@rule("GELU")
def _gelu(b: OnnxBuilder, node: Node) -> None:
    x, dtype = _n(node.inputs[0]), node.inputs[0].dtype

    def c(v: float) -> str:
        return b.const("gelu", np.array(v, dtype))

    if node.attrs.get("approximate", "none") == "tanh":
        cube = b.add("Mul", [b.add("Mul", [x, x]), x])
        inner = b.add("Mul", [b.add("Add", [x, b.add("Mul", [cube, c(0.044715)])]), c(math.sqrt(2 / math.pi))])
        gate = b.add("Tanh", [inner])
    else:
        gate = b.add("Erf", [b.add("Mul", [x, c(1 / math.sqrt(2))])])
    b.add("Mul", [b.add("Mul", [x, c(0.5)]), b.add("Add", [gate, c(1.0)])], _out(node))


@rule("Softmax", "LogSoftmax")
def _softmax(b: OnnxBuilder, node: Node) -> None:
    b.add(node.op, _ins(node)[:1], _out(node), axis=int(node.attrs["dim"]))


@rule("Linear")
def _linear(b: OnnxBuilder, node: Node) -> None:
    x, w = node.inputs[:2]
    bias = node.inputs[2] if len(node.inputs) > 2 else None
    wt = b.const(f"{w.name}/T", np.ascontiguousarray(w.data.T)) if w.is_constant else b.add("Transpose", [w.name])
    if bias is None:
        b.add("MatMul", [x.name, wt], _out(node))
    else:
        b.add("Add", [b.add("MatMul", [x.name, wt]), bias.name], _out(node))


REDUCE = {"Sum": "ReduceSum", "Mean": "ReduceMean", "Amax": "ReduceMax", "Max": "ReduceMax", "Amin": "ReduceMin",
          "Min": "ReduceMin"}


@rule(*REDUCE)
def _reduce(b: OnnxBuilder, node: Node) -> None:
    keep = int(bool(node.attrs.get("keepdim", False)))
    axes = _axes(node)
    if node.op == "Sum" or b.opset >= 18:  # ReduceSum takes axes as an input from opset 13, the others from 18
        b.add(REDUCE[node.op], [_n(node.inputs[0]), b.const("axes", np.array(axes, np.int64))], _out(node),
              keepdims=keep)
    else:
        b.add(REDUCE[node.op], _ins(node)[:1], _out(node), axes=axes, keepdims=keep)


@rule("Reshape")
def _reshape(b: OnnxBuilder, node: Node) -> None:
    b.add("Reshape", [_n(node.inputs[0]), b.const("shape", np.array(node.outputs[0].shape, np.int64))], _out(node))


@rule("Expand")
def _expand(b: OnnxBuilder, node: Node) -> None:
    b.add("Expand", [_n(node.inputs[0]), b.const("shape", np.array(node.outputs[0].shape, np.int64))], _out(node))


@rule("Permute")
def _permute(b: OnnxBuilder, node: Node) -> None:
    rank = len(node.inputs[0].shape)
    b.add("Transpose", _ins(node), _out(node), perm=[int(d) % rank for d in node.attrs["dims"]])


@rule("Cat")
def _cat(b: OnnxBuilder, node: Node) -> None:
    b.add("Concat", _ins(node), _out(node), axis=int(node.attrs["dim"]) % len(node.outputs[0].shape))


@rule("Stack")
def _stack(b: OnnxBuilder, node: Node) -> None:
    axis = int(node.attrs["dim"]) % len(node.outputs[0].shape)
    parts = [b.add("Unsqueeze", [x, b.const("axes", np.array([axis], np.int64))]) for x in _ins(node)]
    b.add("Concat", parts, _out(node), axis=axis)


@rule("Split")
def _split(b: OnnxBuilder, node: Node) -> None:
    axis = int(node.attrs["dim"]) % len(node.inputs[0].shape)
    sizes = [v.shape[axis] for v in node.outputs]
    b.add("Split", [_n(node.inputs[0]), b.const("split", np.array(sizes, np.int64))], _out(node), axis=axis)


@rule("Pad")
def _pad(b: OnnxBuilder, node: Node) -> None:
    x = node.inputs[0]
    rank, flat = len(x.shape), list(node.attrs["pad"])
    begins, ends = [0] * rank, [0] * rank
    for i in range(len(flat) // 2):
        begins[rank - 1 - i], ends[rank - 1 - i] = flat[2 * i], flat[2 * i + 1]
    mode = {"constant": "constant", "reflect": "reflect", "replicate": "edge"}.get(node.attrs.get("mode", "constant"))
    if mode is None:
        raise ExportError(f"Pad in module '{node.scope}': mode {node.attrs['mode']} has no ONNX equivalent")
    value = b.const("value", np.array(node.attrs.get("value", 0.0) or 0.0, x.dtype))
    b.add("Pad", [x.name, b.const("pads", np.array(begins + ends, np.int64)), value], _out(node), mode=mode)


@rule("Conv2d")
def _conv(b: OnnxBuilder, node: Node) -> None:
    a, w = node.attrs, node.inputs[1]
    ph, pw = _pair(a["padding"])
    b.add("Conv", _ins(node), _out(node), kernel_shape=list(w.shape[2:]), strides=_pair(a["stride"]),
          pads=[ph, pw, ph, pw], dilations=_pair(a["dilation"]), group=int(a["groups"]))


@rule("MaxPool2d")
def _max_pool(b: OnnxBuilder, node: Node) -> None:
    a = node.attrs
    ph, pw = _pair(a["padding"])
    b.add("MaxPool", _ins(node)[:1], _out(node), kernel_shape=_pair(a["kernel_size"]),
          strides=_pair(a.get("stride") or a["kernel_size"]), pads=[ph, pw, ph, pw],
          dilations=_pair(a.get("dilation", 1)), ceil_mode=int(bool(a.get("ceil_mode"))))


@rule("AvgPool2d")
def _avg_pool(b: OnnxBuilder, node: Node) -> None:
    a = node.attrs
    ph, pw = _pair(a["padding"])
    b.add("AveragePool", _ins(node)[:1], _out(node), kernel_shape=_pair(a["kernel_size"]),
          strides=_pair(a.get("stride") or a["kernel_size"]), pads=[ph, pw, ph, pw],
          ceil_mode=int(bool(a.get("ceil_mode"))), count_include_pad=int(bool(a.get("count_include_pad", True))))


@rule("AdaptiveAvgPool2d")
def _adaptive_avg_pool(b: OnnxBuilder, node: Node) -> None:
    (h, w), (oh, ow) = node.inputs[0].shape[2:], node.outputs[0].shape[2:]
    if (oh, ow) == (1, 1):
        b.add("GlobalAveragePool", _ins(node), _out(node))
    elif h % oh == 0 and w % ow == 0:
        k = [h // oh, w // ow]
        b.add("AveragePool", _ins(node), _out(node), kernel_shape=k, strides=k)
    else:
        raise ExportError(f"AdaptiveAvgPool2d in module '{node.scope}': {h}x{w} -> {oh}x{ow} has uneven windows; "
                          "use an output size that divides the input size")


@rule("UpsampleNearest")
def _upsample(b: OnnxBuilder, node: Node) -> None:
    sizes = b.const("sizes", np.array(node.outputs[0].shape, np.int64))
    b.add("Resize", [_n(node.inputs[0]), "", "", sizes], _out(node), mode="nearest",
          coordinate_transformation_mode="asymmetric", nearest_mode="floor")


@rule("BatchNorm")
def _batch_norm(b: OnnxBuilder, node: Node) -> None:
    x, mean, var, weight, bias = _ins(node)
    b.add("BatchNormalization", [x, weight, bias, mean, var], _out(node), epsilon=float(node.attrs["eps"]))


@rule("LayerNorm")
def _layer_norm(b: OnnxBuilder, node: Node) -> None:
    shape = node.attrs["normalized_shape"]
    count = 1 if isinstance(shape, (int, np.integer)) else len(tuple(shape))
    b.add("LayerNormalization", _ins(node), _out(node), axis=-count, epsilon=float(node.attrs["eps"]))


@rule("Embedding")
def _embedding(b: OnnxBuilder, node: Node) -> None:
    indices, weight = _ins(node)
    b.add("Gather", [weight, indices], _out(node), axis=0)


@rule("ConvTranspose2d")
def _conv_transpose(b: OnnxBuilder, node: Node) -> None:
    a, w = node.attrs, node.inputs[1]
    ph, pw = _pair(a["padding"])
    b.add("ConvTranspose", _ins(node), _out(node), kernel_shape=list(w.shape[2:]), strides=_pair(a["stride"]),
          pads=[ph, pw, ph, pw], output_padding=_pair(a["output_padding"]), dilations=_pair(a["dilation"]),
          group=int(a["groups"]))


@rule("UpsampleBilinear")
def _upsample_bilinear(b: OnnxBuilder, node: Node) -> None:
    a = node.attrs
    if a["align_corners"]:
        mode, roi, scales = "align_corners", "", ""
        sizes = b.const("sizes", np.array(node.outputs[0].shape, np.int64))
        b.add("Resize", [_n(node.inputs[0]), roi, scales, sizes], _out(node), mode="linear",
              coordinate_transformation_mode=mode)
        return
    # torch's align_corners=False is ONNX's pytorch_half_pixel; a given scale factor is the scale ONNX uses
    if a.get("scales"):
        scales = b.const("scales", np.array([1.0, 1.0, *a["scales"]], np.float32))
        b.add("Resize", [_n(node.inputs[0]), "", scales], _out(node), mode="linear",
              coordinate_transformation_mode="pytorch_half_pixel")
    else:
        sizes = b.const("sizes", np.array(node.outputs[0].shape, np.int64))
        b.add("Resize", [_n(node.inputs[0]), "", "", sizes], _out(node), mode="linear",
              coordinate_transformation_mode="pytorch_half_pixel")


COMPARE = {"Equal": "Equal", "Less": "Less", "LessEqual": "LessOrEqual", "Greater": "Greater",
           "GreaterEqual": "GreaterOrEqual"}


@rule(*COMPARE)
def _compare(b: OnnxBuilder, node: Node) -> None:
    b.add(COMPARE[node.op], _ins(node)[:2], _out(node))


@rule("NotEqual")
def _not_equal(b: OnnxBuilder, node: Node) -> None:
    b.add("Not", [b.add("Equal", _ins(node)[:2])], _out(node))


@rule("Cast")
def _cast(b: OnnxBuilder, node: Node) -> None:
    b.add("Cast", _ins(node)[:1], _out(node), to=helper.np_dtype_to_tensor_dtype(node.outputs[0].dtype))


@rule("Getitem")
def _getitem(b: OnnxBuilder, node: Node) -> None:
    """Basic indexing as one Slice over every input axis, then a Reshape for dropped (int) or new (None) axes; one
    integer index array with ':' elsewhere as Gather."""
    x, index = node.inputs[0], tuple(node.attrs["index"])
    shape = x.shape
    arrays = [k for k, i in enumerate(index) if hasattr(i, "dtype")]
    if arrays:
        if len(arrays) != 1 or any(not (isinstance(i, slice) and i == slice(None)) for k, i in enumerate(index)
                                   if k != arrays[0]):
            raise ExportError(f"Getitem in module '{node.scope}': only one integer index array with ':' elsewhere "
                              "exports")
        idx = np.asarray(index[arrays[0]])
        if idx.dtype == bool:
            raise ExportError(f"Getitem in module '{node.scope}': a boolean mask index has a data-dependent size")
        b.add("Gather", [x.name, b.const("indices", (idx.astype(np.int64) % shape[arrays[0]]))], _out(node),
              axis=arrays[0])
        return
    items = list(index)
    used = sum(1 for i in items if i is not None and i is not Ellipsis)
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items[at:at + 1] = [slice(None)] * (len(shape) - used)
    items += [slice(None)] * (len(shape) - sum(1 for i in items if i is not None))
    starts, ends, steps, d = [], [], [], 0
    for item in items:
        if item is None:
            continue
        if isinstance(item, slice):
            s0, e0, st = item.indices(shape[d])
            if st < 0 and e0 < 0:
                e0 = -(2 ** 62)  # past the start: ONNX clamps it
        else:
            s0 = int(item) % shape[d]
            e0, st = s0 + 1, 1
        starts.append(s0), ends.append(e0), steps.append(st)
        d += 1
    sliced = b.add("Slice", [x.name, b.const("starts", np.array(starts, np.int64)),
                             b.const("ends", np.array(ends, np.int64)), b.const("axes", np.arange(d, dtype=np.int64)),
                             b.const("steps", np.array(steps, np.int64))])
    b.add("Reshape", [sliced, b.const("shape", np.array(node.outputs[0].shape, np.int64))], _out(node))
