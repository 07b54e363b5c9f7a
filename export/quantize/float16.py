"""float16 weights (TensorFlow's float16 post-training quantisation): every float32 constant is stored as float16
and widened back by a DEQUANTIZE in front of its users, so the file is about half the size and the arithmetic
stays float32. Runtimes dequantise once at load (LiteRT, ember.runtime), so inference pays nothing."""

from __future__ import annotations

import numpy as np

from ..ir import Graph, Value


def float16_weights(graph: Graph) -> Graph:
    widened: dict[int, Value] = {}
    for node in list(graph.nodes):
        for i, v in enumerate(node.inputs):
            if v is None or not v.is_constant or v.dtype != np.float32:
                continue
            if id(v) not in widened:
                half = graph.constant(f"{v.name}/float16", v.data.astype(np.float16))
                out = graph.value(f"{v.name}/dequantized", v.shape, np.float32)
                graph.add_node("DEQUANTIZE", [half], [out], scope=node.scope, index=0)
                widened[id(v)] = out
            node.inputs[i] = widened[id(v)]
    return graph
