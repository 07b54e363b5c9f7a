"""Checkpoints without pickle: `ember.save(obj, path)` / `ember.load(path)`.

The file is a safetensors file (8-byte little-endian header length, a JSON header naming each tensor's
dtype, shape and byte range, then the raw little-endian data), so other tools can read the tensors. Nested
dicts and lists (a model's and an optimiser's state_dict together) are kept in the header's `__metadata__`
as JSON, with each tensor replaced by a reference. Writes go to a temporary file that is renamed into place,
so a crash never leaves a half-written checkpoint."""

from __future__ import annotations

import json
import os
import struct
import tempfile
from typing import Any

import numpy as np

from .backend import is_host, to_host
from .tensor import Tensor

_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
           "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}
_CODES = {np.dtype(v): k for k, v in _DTYPES.items()}
_TREE_KEY = "ember.tree"
_MAX_HEADER = 100 * 1024 * 1024


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read: the message names the file and what is wrong."""


def _to_host(array: Any) -> np.ndarray:
    return np.ascontiguousarray(to_host(array))  # an explicit device-to-host copy: saving is the place it belongs


def _encode(obj: Any, tensors: dict[str, np.ndarray], path: str) -> Any:
    if isinstance(obj, Tensor) or hasattr(obj, "__array_interface__") or not is_host(obj):
        array = _to_host(obj.data if isinstance(obj, Tensor) else obj)
        if array.dtype not in _CODES:
            raise TypeError(f"ember.save: {path or 'value'} has dtype {array.dtype}, which checkpoints cannot hold")
        name = path or "tensor"
        tensors[name] = array
        return {"__tensor__": name}
    if isinstance(obj, dict):
        return {"__dict__": [[_encode(k, tensors, ""), _encode(v, tensors, f"{path}.{k}" if path else str(k))]
                             for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        items = [_encode(v, tensors, f"{path}.{i}" if path else str(i)) for i, v in enumerate(obj)]
        return {"__tuple__": items} if isinstance(obj, tuple) else items
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"ember.save: cannot store {type(obj).__name__} at {path or 'top level'} "
                    "(checkpoints hold tensors, arrays, numbers, strings, lists, tuples and dicts)")


def save(obj: Any, path: str | os.PathLike) -> None:
    """Write `obj` (tensors, arrays and plain values in dicts/lists) atomically to `path`."""
    tensors: dict[str, np.ndarray] = {}
    tree = _encode(obj, tensors, "")
    header: dict[str, Any] = {"__metadata__": {_TREE_KEY: json.dumps(tree), "format": "ember"}}
    offset = 0
    for name, array in tensors.items():
        header[name] = {"dtype": _CODES[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)  # safetensors pads the header to 8 bytes
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".ember-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(blob)))
            f.write(blob)
            for array in tensors.values():
                f.write(array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _decode(node: Any, tensors: dict[str, Tensor]) -> Any:
    if isinstance(node, dict):
        if "__tensor__" in node:
            return tensors[node["__tensor__"]]
        if "__dict__" in node:
            return {_decode(k, tensors): _decode(v, tensors) for k, v in node["__dict__"]}
        if "__tuple__" in node:
            return tuple(_decode(v, tensors) for v in node["__tuple__"])
    if isinstance(node, list):
        return [_decode(v, tensors) for v in node]
    return node


def load(path: str | os.PathLike) -> Any:
    """Read a checkpoint written by `ember.save` (or any safetensors file: then a dict of tensors)."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()

    def fail(why: str) -> CheckpointError:
        return CheckpointError(f"{path}: not a valid Ember checkpoint: {why} (was it truncated or overwritten? "
                               "re-save it with ember.save)")

    if len(raw) < 8:
        raise fail(f"the file has {len(raw)} bytes, fewer than the 8-byte header length")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > min(_MAX_HEADER, len(raw) - 8):
        raise fail(f"the header claims {n} bytes but the file has {len(raw) - 8} after the length")
    try:
        header = json.loads(raw[8:8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise fail(f"the header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise fail("the header is not a JSON object")
    data = memoryview(raw)[8 + n:]
    metadata = header.pop("__metadata__", {}) or {}
    tensors: dict[str, Tensor] = {}
    for name, info in header.items():
        try:
            dtype = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
            shape = tuple(int(s) for s in info["shape"])
            start, end = (int(x) for x in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise fail(f"tensor {name!r} has a malformed entry {info!r}") from None
        if any(s < 0 for s in shape) or not 0 <= start <= end <= len(data):
            raise fail(f"tensor {name!r} spans bytes [{start}, {end}) of a {len(data)}-byte data section")
        if end - start != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
            raise fail(f"tensor {name!r}: {end - start} bytes cannot hold shape {list(shape)} of {info['dtype']}")
        array = np.frombuffer(data[start:end], dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))
        tensors[name] = Tensor(array)
    if _TREE_KEY not in metadata:
        return tensors
    try:
        return _decode(json.loads(metadata[_TREE_KEY]), tensors)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
        raise fail(f"the structure record is damaged ({e!r})") from None
