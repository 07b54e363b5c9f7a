"""ONNX export: the traced graph (NCHW, Ember op names) written with `onnx.helper`, checked by `onnx.checker`."""

from .writer import OPSET, to_onnx, write_onnx

__all__ = ["OPSET", "to_onnx", "write_onnx"]
