"""Dynamic-range quantisation (TensorFlow's converter with Optimize.DEFAULT and no representative data): the
large constant weights of FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D become int8, symmetric per output
channel; activations and biases stay float32. Runtimes run these ops with their hybrid kernels, which quantise
each input row on the fly (FULLY_CONNECTED asymmetrically, as the converter marks with asymmetric_quantize_inputs)
and scale the int32 sums back to float. Weights under 1024 elements stay float32 as the converter leaves them: a
small layer gains nothing in size and would lose accuracy. No calibration data, no QUANTIZE/DEQUANTIZE ops."""

from __future__ import annotations

import numpy as np

from ..ir import Graph, Value
from .qparams import quantize_weights

# The weight input and the axis of its output channels (DEPTHWISE_CONV_2D's filter is [1, kh, kw, c_out]).
HYBRID_WEIGHTS = {"FULLY_CONNECTED": (1, 0), "CONV_2D": (1, 0), "DEPTHWISE_CONV_2D": (1, 3)}
# The converter's --tfl-min-elements-for-weights default.
MIN_ELEMENTS = 1024


def dynamic_range_weights(graph: Graph, min_elements: int = MIN_ELEMENTS) -> Graph:
    """Rewrite `graph` in place; a weight shared by several ops (an unrolled LSTM's, at every step) is quantised
    once per channel axis, and its float copy stays for any other op that uses it."""
    quantized: dict[tuple[int, int], Value] = {}
    for node in graph.nodes:
        rule = HYBRID_WEIGHTS.get(node.op)
        if rule is None:
            continue
        index, axis = rule
        w = node.inputs[index] if len(node.inputs) > index else None
        if w is None or not w.is_constant or w.dtype != np.float32 or w.data.size < min_elements:
            continue
        key = (id(w), axis)
        if key not in quantized:
            q, params = quantize_weights(w.data, axis)
            v = graph.constant(f"{w.name}/int8", q)
            v.quant = params
            quantized[key] = v
        node.inputs[index] = quantized[key]
        if node.op == "FULLY_CONNECTED":
            node.attrs["asymmetric_quantize_inputs"] = True
    return graph
