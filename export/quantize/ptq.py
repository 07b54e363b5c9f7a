"""Post-training quantisation of a lowered float graph into TFLite's int8 or 16x8 scheme (DESIGN.md), in place.

Activations become int8 (int16 for 16x8) with the parameters `params_of(value)` gives (from calibration
observers or QAT's fake quantisation), except where the specification fixes them: SOFTMAX and LOGISTIC outputs
(int8: 1/256, -128; int16: 1/32768, 0), TANH (1/128, 0; int16: 1/32768, 0), LOG_SOFTMAX (16/256, 127), and the ops
that only move values (pooling, RESHAPE, PAD, TRANSPOSE, ...), whose output shares its input's parameters.
CONCATENATION inputs with other parameters than the output are requantised first.
Weights become int8 symmetric per output channel, biases int32 (16x8: int64) with scale s_in * s_w[c]."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import ExportError
from ..ir import Graph, Node, Value
from .qparams import (
    QuantParams,
    activation_params,
    int16_activation_params,
    min_weight_scale_for_bias,
    quantize_array,
    quantize_bias,
    quantize_bias_int64,
    quantize_weights,
)

ParamsOf = Callable[[Value], QuantParams | None]

FIXED_OUTPUT = {
    "SOFTMAX": QuantParams.per_tensor(1.0 / 256.0, -128),
    "LOGISTIC": QuantParams.per_tensor(1.0 / 256.0, -128),
    "TANH": QuantParams.per_tensor(1.0 / 128.0, 0),
    # [-255/16, 0]: the only output LiteRT's quantised LOG_SOFTMAX takes
    "LOG_SOFTMAX": QuantParams.per_tensor(16.0 / 256.0, 127),
}
# Output shares the parameters of input 0: the op moves or selects values without arithmetic.
SHARES_INPUT = {"RESHAPE", "SQUEEZE", "MAX_POOL_2D", "AVERAGE_POOL_2D", "PAD", "TRANSPOSE", "RESIZE_NEAREST_NEIGHBOR",
                "STRIDED_SLICE", "SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND", "GATHER", "RESIZE_BILINEAR", "SPLIT_V"}
# Weight input index and per-channel axis of the ops with filters, then their data and bias inputs.
FILTERS = {"CONV_2D": (1, 0, 0, 2), "DEPTHWISE_CONV_2D": (1, 3, 0, 2), "FULLY_CONNECTED": (1, 0, 0, 2),
           "TRANSPOSE_CONV": (1, 0, 2, 3)}
# Ops whose own output parameters come from calibration.
CALIBRATED = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "TRANSPOSE_CONV", "ADD", "SUB", "MUL", "MEAN",
              "CONCATENATION", "PRELU", "ELU", "RELU", "RELU6", "LEAKY_RELU", "HARD_SWISH", "GELU", "BATCH_MATMUL",
              "RSQRT", "PACK", "QUANTIZE"}
# Ops with integer outputs only (a shape computed in the file, e.g. a dynamic-batch TRANSPOSE_CONV's): nothing to
# quantise, whatever the scheme.
INTEGER_OPS = {"SHAPE"}
# Every op with an int8 rule; integer inputs (shapes, axes, paddings, indices) stay as they are.
INT8_OPS = set(FIXED_OUTPUT) | SHARES_INPUT | set(FILTERS) | CALIBRATED | INTEGER_OPS

# 16x8: the ops LiteRT's reference kernels (and ember.runtime) run with int16 activations and int8 weights.
FIXED_OUTPUT_16 = {op: QuantParams.per_tensor(1.0 / 32768.0, 0) for op in ("SOFTMAX", "LOGISTIC", "TANH")}
SHARES_INPUT_16 = {"RESHAPE", "SQUEEZE", "MAX_POOL_2D", "AVERAGE_POOL_2D", "PAD", "TRANSPOSE", "STRIDED_SLICE",
                   "GATHER", "SPLIT_V", "RESIZE_NEAREST_NEIGHBOR", "RESIZE_BILINEAR"}
FILTERS_16 = {op: FILTERS[op] for op in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "TRANSPOSE_CONV")}
CALIBRATED_16 = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "TRANSPOSE_CONV", "ADD", "SUB", "MUL", "MEAN",
                 "CONCATENATION", "RELU", "RELU6", "LEAKY_RELU", "GELU", "BATCH_MATMUL", "QUANTIZE"}
INT16X8_OPS = set(FIXED_OUTPUT_16) | SHARES_INPUT_16 | set(FILTERS_16) | CALIBRATED_16 | INTEGER_OPS


@dataclass(frozen=True)
class Scheme:
    """What differs between TFLite's int8 scheme and 16x8: the activation type and how a range becomes its
    parameters, the fixed outputs, the ops with a rule, and the bias type."""

    name: str
    dtype: type
    from_range: Callable[[float, float], QuantParams]
    fixed_output: dict[str, QuantParams]
    shares_input: set[str]
    filters: dict[str, tuple[int, int, int, int]]
    ops: set[str]
    int64_bias: bool


INT8 = Scheme("int8", np.int8, activation_params, FIXED_OUTPUT, SHARES_INPUT, FILTERS, INT8_OPS, False)
INT16X8 = Scheme("int16x8", np.int16, int16_activation_params, FIXED_OUTPUT_16, SHARES_INPUT_16, FILTERS_16,
                 INT16X8_OPS, True)


def _check_supported(graph: Graph, scheme: Scheme) -> None:
    for node in graph.nodes:
        if node.op not in scheme.ops:
            raise ExportError(
                f"op {node.op} in module '{node.scope or '<top>'}' has no {scheme.name} rule: pass "
                "float_fallback=True to run it in float32 between DEQUANTIZE and QUANTIZE, export this model as "
                f"float32{' or int8' if scheme is not INT8 else ''}, or replace the op with one that has "
                f"({scheme.name} ops: {', '.join(sorted(scheme.ops))})"
            )


def _float_activations(graph: Graph) -> list[Value]:
    return [v for v in graph.values() if not v.is_constant and v.dtype == np.float32]


def quantize_graph(graph: Graph, params_of: ParamsOf, io: str = "int8", scheme: Scheme = INT8,
                   float_fallback: bool = False) -> Graph:
    """Rewrite `graph` to int8 (or 16x8 with scheme=INT16X8; `params_of` then gives int16 parameters).
    `io="int8"` ("int16") gives integer inputs/outputs; `io="float"` keeps float32 at the edges with QUANTIZE
    after each input and DEQUANTIZE before each output. With `float_fallback`, an op without a rule in the scheme
    stays float32 between a DEQUANTIZE and a QUANTIZE (TensorFlow's converter with TFLITE_BUILTINS among the
    supported ops); without it such an op is refused by name."""
    integer = np.dtype(scheme.dtype).name
    if io not in (integer, "float"):
        raise ValueError(f"io must be {integer!r} or 'float' for {scheme.name}, got {io!r}")
    if not float_fallback:
        _check_supported(graph, scheme)
    _unshare_constants(graph)
    stays_float, alias = _float_islands(graph, scheme, io == integer)
    chosen: dict[int, QuantParams] = {}

    def need(v: Value, node: Node | None) -> QuantParams:
        params = params_of(alias.get(id(v), v))
        if params is None:
            where = f"op {node.op} in module '{node.scope or '<top>'}'" if node else "the graph input"
            raise ExportError(
                f"tensor '{v.name}' (output of {where}) has no calibrated range: the calibration data never "
                "reached it; pass more representative calibration inputs"
            )
        return params

    for v in graph.inputs:
        if v.dtype == np.float32:
            chosen[id(v)] = need(v, None)
    for node in graph.nodes:
        for out in node.outputs:
            if out.dtype != np.float32 or id(out) in stays_float:
                continue
            if node.op in scheme.fixed_output:
                chosen[id(out)] = scheme.fixed_output[node.op]
            elif node.op in scheme.shares_input:
                source = node.inputs[0]
                if source.is_constant and id(source) not in chosen:  # e.g. an embedding table under GATHER
                    chosen[id(source)] = _constant_params(source.data, scheme)
                chosen[id(out)] = chosen[id(source)]
            else:
                chosen[id(out)] = need(out, node)

    for node in list(graph.nodes):
        if node.op not in scheme.ops and node.op not in ("QUANTIZE", "DEQUANTIZE"):
            continue  # a float op of a fallback island keeps its float constants
        _quantize_constants(node, chosen, scheme)
        if node.op == "CONCATENATION" and node.outputs[0].dtype == np.float32:  # not an int32 shape
            _requantize_concat_inputs(graph, node, chosen)
    for v in _float_activations(graph):
        if id(v) not in stays_float:
            v.dtype, v.quant = np.dtype(scheme.dtype), chosen[id(v)]
    if io == "float":
        _float_edges(graph, np.dtype(scheme.dtype))
    _reshare_constants(graph)
    return graph


def _float_islands(graph: Graph, scheme: Scheme, integer_io: bool) -> tuple[set[int], dict[int, Value]]:
    """Ops without a rule in `scheme` stay float32: a DEQUANTIZE in front of each integer activation they read, a
    QUANTIZE behind each output an integer op (or, with integer io, the graph's output) reads. Returns the ids of
    the values that stay float, and for each new QUANTIZE output the float value whose calibrated range it takes."""
    float_nodes = {id(n) for n in graph.nodes if n.op not in scheme.ops}
    stays_float: set[int] = set()
    alias: dict[int, Value] = {}
    if not float_nodes:
        return stays_float, alias
    producer = {id(o): n for n in graph.nodes for o in n.outputs}

    def is_activation(v: Value | None) -> bool:
        return v is not None and not v.is_constant and v.dtype == np.float32

    dequantized: dict[int, Value] = {}
    quantized: dict[int, Value] = {}
    for node in list(graph.nodes):
        if id(node) in float_nodes:
            stays_float.update(id(o) for o in node.outputs if is_activation(o))
            for i, v in enumerate(node.inputs):
                if not is_activation(v) or id(producer.get(id(v))) in float_nodes:
                    continue
                if id(v) not in dequantized:
                    out = graph.emit(node, "DEQUANTIZE", [v], v.shape, np.float32)
                    out.batch_dim = v.batch_dim
                    stays_float.add(id(out))
                    dequantized[id(v)] = out
                node.inputs[i] = dequantized[id(v)]
            continue
        for i, v in enumerate(node.inputs):
            if is_activation(v) and id(v) in stays_float:
                node.inputs[i] = _requantized(graph, node, v, quantized, alias)
    for i, v in enumerate(graph.outputs):
        if integer_io and id(v) in stays_float:
            q = graph.value(f"{v.name}/quantized", v.shape, np.float32)
            q.name, v.name = v.name, q.name
            q.batch_dim = v.batch_dim
            graph.add_node("QUANTIZE", [v], [q])
            alias[id(q)] = v
            graph.outputs[i] = q
    return stays_float, alias


def _requantized(graph: Graph, before: Node, v: Value, quantized: dict[int, Value], alias: dict[int, Value]) -> Value:
    if id(v) not in quantized:
        q = graph.emit(before, "QUANTIZE", [v], v.shape, np.float32)
        q.batch_dim = v.batch_dim
        alias[id(q)] = v
        quantized[id(v)] = q
    return quantized[id(v)]


def _unshare_constants(graph: Graph) -> None:
    """Give each use of a float constant its own copy: two ops may need different quantisations of it."""
    used: set[int] = set()
    for node in graph.nodes:
        for i, v in enumerate(node.inputs):
            if v is None or not v.is_constant or v.dtype != np.float32:
                continue
            if id(v) in used:
                node.inputs[i] = graph.constant(v.name, v.data.copy())
            used.add(id(node.inputs[i]))


def _reshare_constants(graph: Graph) -> None:
    """Undo _unshare_constants where the quantised copies came out alike (an unrolled LSTM's weights at every
    step): one tensor, with its per-channel parameters, instead of one per use."""
    first: dict[tuple, Value] = {}
    for node in graph.nodes:
        for i, v in enumerate(node.inputs):
            if v is None or not v.is_constant:
                continue
            q = v.quant
            key = (np.dtype(v.dtype).str, v.shape, v.data.tobytes(),
                   None if q is None else (q.scale.tobytes(), q.zero_point.tobytes(), q.axis))
            node.inputs[i] = first.setdefault(key, v)


def _constant_params(data: np.ndarray, scheme: Scheme) -> QuantParams:
    return scheme.from_range(float(data.min(initial=0.0)), float(data.max(initial=0.0)))


def _quantize_constants(node: Node, chosen: dict[int, QuantParams], scheme: Scheme) -> None:
    filt = scheme.filters.get(node.op)
    if filt:
        _quantize_filter(node, filt, float(chosen[id(node.inputs[filt[2]])].scale[0]), scheme.int64_bias)
    for v in node.inputs:  # what is left: float operands of arithmetic, GATHER tables: a per-tensor range each
        if v is not None and v.is_constant and v.dtype == np.float32:
            params = chosen.get(id(v)) or _constant_params(v.data, scheme)
            q = quantize_array(v.data, params, scheme.dtype)
            v.data, v.dtype, v.quant = q, q.dtype, params


def _quantize_filter(node: Node, filt: tuple[int, int, int, int], input_scale: float, int64_bias: bool) -> None:
    """Weights per channel and the bias together: an int32 bias may require a larger weight scale."""
    weight_index, axis, _, bias_index = filt
    w = node.inputs[weight_index]
    b = node.inputs[bias_index] if len(node.inputs) > bias_index else None
    if w is None or not w.is_constant or w.dtype != np.float32:
        raise ExportError(f"{node.op} in module '{node.scope or '<top>'}': integer export needs constant float weights")
    bias_ok = b is not None and b.is_constant and b.dtype == np.float32
    min_scale = min_weight_scale_for_bias(b.data, input_scale) if bias_ok and not int64_bias else None
    q, params = quantize_weights(w.data, axis, min_scale)
    w.data, w.dtype, w.quant = q, q.dtype, params
    if bias_ok:
        q, params = (quantize_bias_int64 if int64_bias else quantize_bias)(b.data, input_scale, w.quant.scale)
        b.data, b.dtype, b.quant = q, q.dtype, params


def _requantize_concat_inputs(graph: Graph, node: Node, chosen: dict[int, QuantParams]) -> None:
    target = chosen[id(node.outputs[0])]
    for i, v in enumerate(node.inputs):
        params = chosen.get(id(v))
        if params is None or _same(params, target):
            continue
        out = graph.emit(node, "QUANTIZE", [v], v.shape, np.float32)
        chosen[id(out)] = target
        node.inputs[i] = out


def _same(a: QuantParams, b: QuantParams) -> bool:
    return np.array_equal(a.scale, b.scale) and np.array_equal(a.zero_point, b.zero_point)


def _float_edges(graph: Graph, dtype: np.dtype) -> None:
    """float32 graph inputs/outputs around the integer graph; the float tensors take over the public names."""
    for i, v in enumerate(list(graph.inputs)):
        if v.dtype == dtype:
            x = graph.value(f"{v.name}/{dtype.name}", v.shape, np.float32)
            x.name, v.name = v.name, x.name
            graph.add_node("QUANTIZE", [x], [v], index=0)
            graph.inputs[i] = x
    for i, v in enumerate(list(graph.outputs)):
        if v.dtype == dtype:
            y = graph.value(f"{v.name}/{dtype.name}", v.shape, np.float32)
            y.name, v.name = v.name, y.name
            graph.add_node("DEQUANTIZE", [v], [y])
            graph.outputs[i] = y
