"""`ember.export`: trace Ember models, optimise the graph and write TensorFlow Lite flatbuffers."""

from .api import to_graph, to_tflite
from .errors import ExportError
from .evaluate import TFLiteRunner, evaluate, read_metadata
from .ir import Graph, Node, Value
from .onnx import to_onnx
from .passes import optimize
from .tracer import TraceError, static, trace

__all__ = ["ExportError", "Graph", "Node", "TFLiteRunner", "TraceError", "Value", "evaluate", "optimize",
           "read_metadata", "static", "to_graph", "to_onnx", "to_tflite", "trace"]
