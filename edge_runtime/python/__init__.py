"""ember.runtime: run TensorFlow Lite models on Ember's C99 runtime, with LiteRT's ``Interpreter`` interface.

>>> from ember.runtime import Interpreter
>>> it = Interpreter(model_path="model.tflite")
>>> it.allocate_tensors()
"""

from ember.runtime._native import RuntimeModelError
from ember.runtime.interpreter import Interpreter, InterpreterWithCustomOps, load_custom_op_library, op_registry
from ember.runtime.signature_runner import SignatureRunner

__all__ = [
    "Interpreter",
    "InterpreterWithCustomOps",
    "RuntimeModelError",
    "SignatureRunner",
    "load_custom_op_library",
    "op_registry",
]
