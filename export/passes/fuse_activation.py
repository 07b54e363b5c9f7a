"""Fold a RELU / RELU6 / RELU_N1_TO_1 into the op that produces its input, as TFLite's fused activation."""

from __future__ import annotations

from ..ir import Graph

FUSABLE_PRODUCERS = {"FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "SUB", "MUL",
                     "AVERAGE_POOL_2D", "MAX_POOL_2D"}
ACTIVATIONS = {"RELU", "RELU6", "RELU_N1_TO_1"}


def fuse_activations(graph: Graph) -> Graph:
    for act in [n for n in graph.nodes if n.op in ACTIVATIONS]:
        x = act.inputs[0]
        producer = graph.producer(x)
        if (
            producer is None
            or producer.op not in FUSABLE_PRODUCERS
            or producer.attrs.get("fused_activation", "NONE") != "NONE"
            or len(graph.consumers(x)) != 1
            or x in graph.outputs
        ):
            continue
        producer.attrs["fused_activation"] = act.op
        producer.outputs = [act.outputs[0]]
        graph.nodes.remove(act)
    return graph
