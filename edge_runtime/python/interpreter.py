"""LiteRT-compatible ``Interpreter`` over the C runtime (``ember.runtime._native``).

The native layer moves bytes; this module turns them into numpy arrays and the dictionaries LiteRT returns, and
checks dtype and shape in ``set_tensor`` so that mistakes name the tensor, the expected and the received value.
"""

from __future__ import annotations

import mmap
import os
from typing import Any

import numpy as np

from ember.runtime._native import NativeInterpreter, RuntimeModelError
from ember.runtime.signature_runner import SignatureRunner

# TFLite TensorType numbers (the C runtime reports these) -> numpy dtypes.
_DTYPES: dict[int, type] = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 6: np.bool_,
                            7: np.int16, 9: np.int8}

# model_path files from this size on are memory-mapped instead of read (LiteRT maps every file).
MMAP_THRESHOLD_BYTES = 16 << 20


def _model_file(path: str | os.PathLike[str]) -> bytes | mmap.mmap:
    """The file's bytes for the runtime, looking at the 8-byte header first: a file too short for it or without
    the "TFL3" identifier is handed over as its first bytes only, so the runtime refuses it with its usual
    message without the rest being read; large files are mapped read-only, never read whole."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        header = f.read(8)
        if len(header) < 8 or header[4:8] != b"TFL3":
            return header
        if size < MMAP_THRESHOLD_BYTES:
            return header + f.read()
        # The mapping outlives the file object; truncating the file while it is mapped is undefined (SIGBUS).
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _describe(index: int, info: dict[str, Any]) -> dict[str, Any]:
    """LiteRT's tensor details dictionary from the native layer's tensor_info."""
    scales = np.array(info["scales"], dtype=np.float32)
    zero_points = np.array(info["zero_points"], dtype=np.int32)
    # LiteRT's deprecated 'quantization' pair: the per-tensor parameters, or (0.0, 0) when not quantised.
    quantization = (float(scales[0]), int(zero_points[0])) if len(scales) == 1 else (0.0, 0)
    return {
        "name": info["name"],
        "index": index,
        "shape": np.array(info["shape"], dtype=np.int32),
        "shape_signature": np.array(info["shape_signature"], dtype=np.int32),
        "dtype": _DTYPES[info["type"]],
        "quantization": quantization,
        "quantization_parameters": {
            "scales": scales,
            "zero_points": zero_points,
            "quantized_dimension": info["quantized_dimension"],
            "block_size": 0,
        },
        "sparsity_parameters": {},
    }


class Interpreter:
    """Runs one ``.tflite`` model. Same constructor and methods as ``ai_edge_litert.interpreter.Interpreter``.

    ``num_threads`` is LiteRT's: the threads ``invoke`` runs CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED on,
    ``None`` (the default) or 0 for one, -1 for every core this process may use; the outputs are the same bits for
    any count. ``num_threads`` / ``get_num_threads()`` report the threads really used (1 under EMBER_ISA=reference
    or in a build without threads). Errors raised by the C runtime
    are :class:`RuntimeModelError` (a ``ValueError``) carrying the runtime's message. A ``model_path`` file is
    checked by its header before it is read, and from ``MMAP_THRESHOLD_BYTES`` on mapped read-only (kept as long
    as the interpreter) rather than read; do not truncate a mapped file while the interpreter lives.
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        model_content: bytes | bytearray | memoryview | None = None,
        num_threads: int | None = None,
    ) -> None:
        if (model_path is None) == (model_content is None):
            raise ValueError("Interpreter needs exactly one of model_path and model_content")
        if num_threads is not None and (not isinstance(num_threads, int) or num_threads < -1):
            raise ValueError(f"num_threads must be None, -1 (all cores) or a non-negative int, got {num_threads!r}")
        content: bytes | mmap.mmap
        if model_path is not None:
            content = _model_file(model_path)
        else:
            # The C runtime reads the weights in place, so it needs bytes that cannot change under it.
            content = model_content if isinstance(model_content, bytes) else bytes(model_content)
        self._native = NativeInterpreter(content)
        if num_threads is not None:
            self._native.set_num_threads(num_threads)
        self._details = [self._native.tensor_info(i) for i in range(self._native.tensor_count())]

    # -- life cycle -----------------------------------------------------------------------------------------
    def allocate_tensors(self) -> None:
        self._native.allocate_tensors()

    def invoke(self) -> None:
        self._native.invoke()

    @property
    def isa(self) -> str:
        """SIMD level the optimised kernels use ("avx512vnni", "neon", "portable", ...), fixed at construction:
        the CPU's best, capped by the EMBER_ISA environment variable; "reference" under EMBER_ISA=reference."""
        return self._native.isa()

    @property
    def num_threads(self) -> int:
        """Threads ``invoke`` uses, the calling one included: ``num_threads`` with -1 resolved to the core count."""
        return self._native.num_threads()

    def get_num_threads(self) -> int:
        """The same as the ``num_threads`` property."""
        return self._native.num_threads()

    def arena_bytes(self) -> int:
        """Bytes of the runtime's arena (0 before ``allocate_tensors``)."""
        return self._native.arena_bytes()

    def memory_plan(self) -> dict[str, Any]:
        """The runtime's arena plan, available before ``allocate_tensors``.

        ``offsets``: per tensor, its byte offset in the region where non-constant tensors share memory by
        lifetime, or -1 for tensors without an arena slot (constants, unused tensors). Written as the int32 list
        ``[0, 0, len(offsets), *offsets]`` in a metadata entry named ``"OfflineMemoryAllocation"`` (TFLite
        Micro's layout), it makes the runtime reuse exactly this plan. ``arena_bytes``: the whole arena the
        model needs (op data, constant copies and the shared region), what ``allocate_tensors`` will reserve.
        """
        arena_bytes, offsets = self._native.memory_plan()
        return {"arena_bytes": arena_bytes, "offsets": list(offsets)}

    @staticmethod
    def offline_plan_metadata(offsets: list[int]) -> bytes:
        """The bytes of an ``"OfflineMemoryAllocation"`` metadata buffer for a per-tensor offset list."""
        return np.array([0, 0, len(offsets), *offsets], dtype="<i4").tobytes()

    # -- details --------------------------------------------------------------------------------------------
    def _checked_index(self, index: Any, method: str) -> int:
        """`index` as a tensor index, refused like LiteRT: TypeError for a non-integer, ValueError out of range."""
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"Interpreter.{method}: a tensor index must be an int, got {type(index).__name__} "
                            f"{index!r}; use the 'index' entry of get_input_details() or get_output_details()")
        if not 0 <= index < len(self._details):
            raise ValueError(f"Interpreter.{method}: invalid tensor index {index}, out of range: the model has "
                             f"{len(self._details)} tensors, indices 0 to {len(self._details) - 1}")
        return int(index)

    def _tensor_details(self, index: int, method: str = "get_tensor_details") -> dict[str, Any]:
        index = self._checked_index(index, method)
        return _describe(index, self._details[index])

    # -- signatures (SignatureDefs) -------------------------------------------------------------------------
    def get_signature_list(self) -> dict[str, dict[str, list[str]]]:
        """The model's SignatureDefs as LiteRT gives them: ``{key: {"inputs": [names], "outputs": [names]}}``, keys
        in the model's order, names sorted; ``{}`` for a model without signatures."""
        return {key: {"inputs": sorted(name for name, _ in ins), "outputs": sorted(name for name, _ in outs)}
                for key, _, ins, outs in self._native.signatures()}

    def get_signature_runner(self, signature_key: str | None = None) -> SignatureRunner:
        """A callable that runs one signature: ``runner(x=array, ...)`` returns ``{output name: array}``. ``None``
        picks the only signature of a model with exactly one (LiteRT's rule)."""
        keys = [key for key, _, _, _ in self._native.signatures()]
        if signature_key is None:
            if len(keys) != 1:
                raise ValueError(f"SignatureDef signature_key is None and model has {len(keys)} Signatures. "
                                 "None is only allowed when the model has 1 SignatureDef")
            signature_key = keys[0]
        return SignatureRunner(self, signature_key)

    def get_subgraphs(self) -> list[dict[str, Any]]:
        """Every subgraph of the model: ``name``, ``ops`` (builtin names in order), ``inputs`` and ``outputs``
        (tensor indices; subgraph k's tensors are ``tensor_base`` to ``tensor_base + tensor_count - 1``). Subgraph
        0 is what ``invoke`` runs; others are run by signatures and by WHILE, IF and CALL_ONCE."""
        return [{"name": name, "tensor_base": base, "tensor_count": count, "ops": list(ops), "inputs": list(ins),
                 "outputs": list(outs)} for name, base, count, ops, ins, outs in self._native.subgraphs()]

    def _any_tensor_details(self, index: int) -> dict[str, Any]:
        """Details of a tensor of any subgraph (its interpreter index), for signatures over other subgraphs."""
        return _describe(index, self._details[index] if index < len(self._details) else
                         self._native.tensor_info(index))

    def get_input_details(self) -> list[dict[str, Any]]:
        return [self._tensor_details(i) for i in self._native.inputs()]

    def get_output_details(self) -> list[dict[str, Any]]:
        return [self._tensor_details(i) for i in self._native.outputs()]

    def get_tensor_details(self) -> list[dict[str, Any]]:
        return [self._tensor_details(i) for i in range(len(self._details))]

    # -- data -----------------------------------------------------------------------------------------------
    def set_tensor(self, tensor_index: int, value: Any) -> None:
        """Copies ``value`` into the tensor. dtype and shape must match exactly (no silent casts)."""
        details = self._tensor_details(tensor_index, "set_tensor")
        tensor_index = details["index"]
        array = np.asarray(value)
        expected_shape = tuple(int(d) for d in details["shape"])
        expected_dtype = np.dtype(details["dtype"])
        if array.dtype != expected_dtype or array.shape != expected_shape:
            raise ValueError(
                f"Cannot set tensor {tensor_index} ('{details['name']}'): expected {expected_dtype} "
                f"{list(expected_shape)}, got {array.dtype} {list(array.shape)}"
            )
        self._native.set_tensor(tensor_index, np.ascontiguousarray(array))

    def get_tensor(self, tensor_index: int) -> np.ndarray:
        """A copy of the tensor's current value."""
        details = self._tensor_details(tensor_index, "get_tensor")
        data = self._native.get_tensor(details["index"])
        return np.frombuffer(data, dtype=details["dtype"]).reshape(tuple(details["shape"]))


__all__ = ["Interpreter", "RuntimeModelError", "SignatureRunner"]
