"""LiteRT's ``SignatureRunner`` over the C runtime: one SignatureDef of a model, called with keyword numpy arrays.

``Interpreter.get_signature_runner(key)`` makes one. Each signature runs its own subgraph (the converter writes one
per exported function), whose tensors the runtime planned with the rest at construction, so calling a runner with
the inputs' shapes never re-plans or allocates beyond the interpreter's one arena; other shapes resize first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ember.runtime.interpreter import Interpreter


class SignatureRunner:
    """Runs signature ``signature_key`` of ``interpreter``: ``runner(name=array, ...)`` -> ``{output name: array}``.

    Inputs must be given all, by their signature names, each with the tensor's dtype and rank (a mismatch raises
    ``ValueError`` naming the input); another shape resizes the input first, as LiteRT's runner does (a shape the
    graph cannot take raises ``RuntimeModelError`` naming the op, and the previous shapes stay). As in LiteRT, the
    runner and the interpreter share tensors: do not call one while the other runs."""

    def __init__(self, interpreter: Interpreter, signature_key: str) -> None:
        native = interpreter._native
        if signature_key not in [key for key, _, _, _ in native.signatures()]:
            raise ValueError(f'Invalid signature_key provided: "{signature_key}".')
        self._index = native.find_signature(signature_key)
        _, self._subgraph_index, inputs, outputs = native.signatures()[self._index]
        self._interpreter = interpreter
        self._native = native
        self._signature_key = signature_key
        # Name -> tensor index through the C API's lookup by name (the same indices the table lists).
        self._inputs = {name: native.signature_tensor(self._index, name, False) for name, _ in sorted(inputs)}
        self._outputs = {name: native.signature_tensor(self._index, name, True) for name, _ in sorted(outputs)}

    def __call__(self, **kwargs: Any) -> dict[str, np.ndarray]:
        if len(kwargs) != len(self._inputs):
            raise ValueError("Invalid number of inputs provided for running a SignatureDef, "
                             f"expected {len(self._inputs)} vs provided {len(kwargs)}")
        for name in kwargs:
            if name not in self._inputs:
                raise ValueError(f"Invalid Input name ({name}) for SignatureDef '{self._signature_key}'; its inputs "
                                 f"are {sorted(self._inputs)}")
        arrays = {name: np.asarray(value) for name, value in kwargs.items()}
        for name, array in arrays.items():
            details = self._interpreter._any_tensor_details(self._inputs[name])
            shape = tuple(int(d) for d in details["shape"])
            if array.dtype != np.dtype(details["dtype"]) or array.ndim != len(shape):
                raise ValueError(f"Signature '{self._signature_key}' input '{name}': expected "
                                 f"{np.dtype(details['dtype'])} {list(shape)}, got {array.dtype} {list(array.shape)}")
            if array.shape != shape:
                # As LiteRT's runner: another shape resizes the input (its subgraph's shapes are propagated and
                # the arena re-planned at the allocate below; a shape the graph cannot take is refused there).
                self._native.resize_tensor(details["index"], list(array.shape))
        self._interpreter.allocate_tensors()  # LiteRT's runner allocates too; a no-op once allocated
        for name, array in arrays.items():
            self._native.set_tensor(self._inputs[name], np.ascontiguousarray(array))
        self._native.invoke_signature(self._index)
        result = {}
        for name, index in self._outputs.items():
            details = self._interpreter._any_tensor_details(index)
            data = self._native.get_tensor(index)
            result[name] = np.frombuffer(data, dtype=details["dtype"]).reshape(tuple(details["shape"]))
        return result

    def get_input_details(self) -> dict[str, dict[str, Any]]:
        """``{input name: tensor details}``, the details as ``Interpreter.get_input_details`` gives them."""
        return {name: self._interpreter._any_tensor_details(index) for name, index in self._inputs.items()}

    def get_output_details(self) -> dict[str, dict[str, Any]]:
        """``{output name: tensor details}``."""
        return {name: self._interpreter._any_tensor_details(index) for name, index in self._outputs.items()}


__all__ = ["SignatureRunner"]
