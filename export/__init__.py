"""`ember.export`: trace Ember models, optimise the graph and write TensorFlow Lite flatbuffers."""

from .api import to_graph, to_tflite
from .errors import ExportError
from .ir import Graph, Node, Value
from .passes import optimize
from .tracer import TraceError, trace

__all__ = ["ExportError", "Graph", "Node", "TraceError", "Value", "optimize", "to_graph", "to_tflite", "trace"]
