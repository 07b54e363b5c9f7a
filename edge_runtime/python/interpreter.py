"""LiteRT-compatible ``Interpreter`` over the C runtime (``ember.runtime._native``).

The native layer moves bytes; this module turns them into numpy arrays and the dictionaries LiteRT returns, and
checks dtype and shape in ``set_tensor`` so that mistakes name the tensor, the expected and the received value.
"""

from __future__ import annotations

import ctypes
import mmap
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ember.runtime import _native
from ember.runtime._native import NativeInterpreter, RuntimeModelError
from ember.runtime.signature_runner import SignatureRunner

# A custom op library resolves the runtime's ember_op_* functions from the process when it is loaded, so the
# extension's symbols are made global once (re-opening a loaded library with RTLD_GLOBAL promotes them).
try:
    ctypes.CDLL(_native.__file__, mode=getattr(os, "RTLD_NOLOAD", 0) | ctypes.RTLD_GLOBAL)
except OSError:  # pragma: no cover - a platform without dlopen semantics; custom op libraries cannot link
    pass


def load_custom_op_library(path: str | os.PathLike[str]) -> ctypes.CDLL:
    """Loads a shared library of custom op kernels (ember.h, "Custom operators") with its symbols global, so that
    its registerer can be named by string in ``Interpreter(custom_op_registerers=[...])``; the library's
    functions are also attributes of the returned ``ctypes.CDLL``. Raises ``OSError`` naming the file when it
    cannot be loaded (missing, not a shared library, an ember_ function it needs is unknown)."""
    return ctypes.CDLL(os.fspath(path), mode=ctypes.RTLD_GLOBAL)


def op_registry() -> list[dict[str, Any]]:
    """Every kernel of the runtime (``ember_op_registry_entry``): ``name`` (TFLite's builtin operator name, or the
    custom_code of a custom op the runtime implements), ``builtin_code`` (32 for those), ``max_version`` and
    ``types``, the tensor types it computes on (numpy dtype names, in TFLite's TensorType order)."""
    entries = []
    for name, code, version, bits in _native.op_registry():
        types = ["resource" if number == _RESOURCE else np.dtype(dtype).name
                 for number, dtype in sorted(_DTYPES.items()) if bits >> number & 1]
        entries.append({"name": name, "builtin_code": code, "custom": code == 32, "max_version": version,
                        "types": types})
    return entries


def _registerer(item: Any, position: int) -> int | Callable[[int], Any]:
    """One entry of ``custom_op_registerers`` as the native layer takes it: a C function's address, or a Python
    callable that is called with the resolver's address (LiteRT's two forms; a ctypes function is the first)."""
    if isinstance(item, str):
        # LiteRT looks names up among the symbols already loaded into the process (dlsym(RTLD_DEFAULT, name)).
        try:
            function = getattr(ctypes.CDLL(None), item)
        except AttributeError:
            raise ValueError(f"custom_op_registerers[{position}]: no function '{item}' is loaded in this process; "
                             "load its library first with ember.runtime.load_custom_op_library(path) (or "
                             "ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL))") from None
        return ctypes.cast(function, ctypes.c_void_p).value or 0
    if isinstance(item, ctypes._CFuncPtr):  # noqa: SLF001 - the base class of every ctypes function
        return ctypes.cast(item, ctypes.c_void_p).value or 0
    if isinstance(item, int) and not isinstance(item, bool):
        # A function's address, e.g. int(ffi.cast("uintptr_t", lib.ember_register_custom_ops)) from cffi.
        if item <= 0:
            raise ValueError(f"custom_op_registerers[{position}]: a function address must be positive, got {item}")
        return item
    if callable(item):
        return item
    raise TypeError(f"custom_op_registerers[{position}] is {type(item).__name__}: expected a function name (str), a "
                    "ctypes function of a loaded library, its address (int), or a callable taking the resolver's "
                    "address")

# TFLite TensorType numbers (the C runtime reports these) -> numpy dtypes.
# A resource (13, VAR_HANDLE's output) holds a variable's id, no value: LiteRT reports it as numpy's object dtype.
_DTYPES: dict[int, type] = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 6: np.bool_,
                            7: np.int16, 9: np.int8, 13: np.object_}
_RESOURCE = 13

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


def _refuse_resource(details: dict[str, Any], method: str) -> None:
    """A resource tensor holds a variable's id, not data (LiteRT refuses it too)."""
    if details["dtype"] is np.object_:
        raise ValueError(f"Interpreter.{method}: tensor {details['index']} ('{details['name']}') is a resource "
                         "handle (a VAR_HANDLE's output), which holds no value; READ_VARIABLE's output holds the "
                         "variable's")


class Interpreter:
    """Runs one ``.tflite`` model. Same constructor and methods as ``ai_edge_litert.interpreter.Interpreter``.

    ``num_threads`` is LiteRT's: the threads ``invoke`` runs CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED on,
    ``None`` (the default) or 0 for one, -1 for every core this process may use; the outputs are the same bits for
    any count. ``num_threads`` / ``get_num_threads()`` report the threads really used (1 under EMBER_ISA=reference
    or in a build without threads). Errors raised by the C runtime
    are :class:`RuntimeModelError` (a ``ValueError``) carrying the runtime's message. A ``model_path`` file is
    checked by its header before it is read, and from ``MMAP_THRESHOLD_BYTES`` on mapped read-only (kept as long
    as the interpreter) rather than read; do not truncate a mapped file while the interpreter lives.

    ``custom_op_registerers`` is LiteRT's: functions that register the kernels of the model's custom ops, each
    the name (str) of an ``ember_op_registerer`` loaded in the process (:func:`load_custom_op_library`), a
    ctypes function of one (``load_custom_op_library(path).ember_register_custom_ops``), the address of one (an
    int, e.g. ``int(ffi.cast("uintptr_t", lib.ember_register_custom_ops))`` with cffi), or a Python callable
    called with the address of the ``ember_op_resolver`` (returning None or 0). A model with a custom op none of
    them registers is refused with a message naming its custom_code.
    ``experimental_preserve_all_tensors=True`` (LiteRT's) gives every tensor its own arena bytes, so every
    intermediate keeps its value after ``invoke`` for ``get_tensor`` (``get_tensor_details()`` lists them all).
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        model_content: bytes | bytearray | memoryview | None = None,
        num_threads: int | None = None,
        custom_op_registerers: Sequence[str | Callable[..., Any]] | None = None,
        experimental_preserve_all_tensors: bool = False,
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
        registerers = None
        if custom_op_registerers is not None:
            if isinstance(custom_op_registerers, (str, bytes)) or not isinstance(custom_op_registerers, Sequence):
                raise TypeError("custom_op_registerers must be a list of registerers, got "
                                f"{type(custom_op_registerers).__name__}")
            registerers = [_registerer(item, i) for i, item in enumerate(custom_op_registerers)]
        self._native = NativeInterpreter(content, registerers)
        if num_threads is not None:
            self._native.set_num_threads(num_threads)
        if experimental_preserve_all_tensors:
            # Every tensor its own bytes: intermediates stay readable with get_tensor after invoke.
            self._native.set_preserve_all_tensors(True)
        self._refresh_details()

    # -- life cycle -----------------------------------------------------------------------------------------
    def allocate_tensors(self) -> None:
        try:
            self._native.allocate_tensors()
        finally:
            self._refresh_details()  # a refused resize brings the previous shapes back

    def _refresh_details(self) -> None:
        self._details = [self._native.tensor_info(i) for i in range(self._native.tensor_count())]

    def resize_tensor_input(self, input_index: int, tensor_size: Any, strict: bool = False) -> None:
        """Gives the graph input with tensor index ``input_index`` the shape ``tensor_size``, as LiteRT does:
        the rank stays, and with ``strict=True`` only the dims ``shape_signature`` marks -1 may change. Every op's
        output shape is recomputed at once (``get_input_details``/``get_output_details`` report them) and a shape
        an op cannot take is refused here, naming the op; call ``allocate_tensors()`` before the next ``invoke``.
        A kernel that refuses the new shapes makes ``allocate_tensors()`` raise and leaves the interpreter with its
        previous shapes, still usable."""
        index = self._checked_index(input_index, "resize_tensor_input")
        inputs = list(self._native.inputs())
        if index not in inputs:
            raise ValueError(f"Interpreter.resize_tensor_input: tensor {index} ('{self._details[index]['name']}') "
                             f"is not a graph input; the inputs are tensors {inputs}")
        array = np.asarray(tensor_size)
        if array.ndim != 1 or not (np.issubdtype(array.dtype, np.integer) or array.size == 0):
            raise ValueError(f"Interpreter.resize_tensor_input: tensor_size must be a 1-D list of ints, got "
                             f"{tensor_size!r}")
        dims = [int(d) for d in array]
        info = self._details[index]
        if strict and len(dims) == len(info["shape"]):  # a rank change is refused by the runtime, named there
            pairs = zip(info["shape"], dims, info["shape_signature"], strict=True)
            for d, (old, new, signature) in enumerate(pairs):
                if old != new and signature != -1:
                    raise ValueError(
                        f"Interpreter.resize_tensor_input: strict resize of input '{info['name']}' "
                        f"{list(info['shape'])} to {dims}: dim {d} is {old} and not dynamic (shape_signature "
                        f"{list(info['shape_signature'])}); only dims marked -1 may change")
        self._native.resize_input(inputs.index(index), dims)
        self._refresh_details()

    def invoke(self) -> None:
        self._native.invoke()

    def reset_all_variables(self) -> None:
        """Starts a new stream: every resource variable of the model (VAR_HANDLE / ASSIGN_VARIABLE /
        READ_VARIABLE) goes back to "never assigned" and every CALL_ONCE initialiser runs again at the next
        ``invoke`` (or signature call), which then computes what a new interpreter's first invoke would. LiteRT's
        method of this name zeroes only ``is_variable`` tensors (which this runtime does not load) and keeps its
        resource variables; with LiteRT, a new stream needs a new interpreter."""
        self._native.reset_variables()

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
        _refuse_resource(details, "set_tensor")
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
        _refuse_resource(details, "get_tensor")
        data = self._native.get_tensor(details["index"])
        shape = tuple(details["shape"])
        if len(data) != int(np.prod(shape)) * np.dtype(details["dtype"]).itemsize:
            # a shape known only at run time (a SLICE of computed size): the one the last invoke gave it
            shape = tuple(self._native.tensor_info(details["index"])["shape"])
        return np.frombuffer(data, dtype=details["dtype"]).reshape(shape)


class InterpreterWithCustomOps(Interpreter):
    """LiteRT's name for an interpreter given custom op registerers: ``custom_op_registerers`` first, the rest as
    :class:`Interpreter` takes them."""

    def __init__(self, custom_op_registerers: Sequence[str | Callable[..., Any]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(custom_op_registerers=custom_op_registerers, **kwargs)


__all__ = ["Interpreter", "InterpreterWithCustomOps", "RuntimeModelError", "SignatureRunner", "load_custom_op_library",
           "op_registry"]
