"""Checkpoints without pickle: `ember.save(obj, path)` / `ember.load(path)`.

The file is a safetensors file (8-byte little-endian header length, a JSON header naming each tensor's
dtype, shape and byte range, then the raw little-endian data), so other tools can read the tensors. Nested
dicts and lists (a model's and an optimiser's state_dict together) are kept in the header's `__metadata__`
as JSON, with each tensor replaced by a reference. `__metadata__` also holds `ember.sha256`, a digest of the
rest of the header (canonical JSON) and the data, which `load` verifies; files without it (written by the
safetensors library, or by older Ember) load unverified. Writes go through `ember.files.write_atomically`, so a
crash never leaves a half-written checkpoint.

`load` treats the file as hostile: the header must follow the safetensors schema exactly (known dtypes, shapes
of non-negative integers whose byte size matches the byte range, ranges that tile the data section without holes
or overlaps, metadata a map of strings), and anything else is a `CheckpointError` naming the file and the field."""

from __future__ import annotations

import hashlib
import json
import math
import os
import struct
from typing import Any

import numpy as np

from .backend import is_host, to_host
from .files import write_atomically
from .tensor import Tensor

_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
           "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}
_CODES = {np.dtype(v): k for k, v in _DTYPES.items()}
_TREE_KEY = "ember.tree"
_CHECKSUM_KEY = "ember.sha256"
_MAX_HEADER = 100 * 1024 * 1024  # the safetensors library's own limit
_MAX_DIMS = 64  # numpy's
_MAX_TREE_DEPTH = 256


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read: the message names the file and what is wrong."""


def _to_host(array: Any) -> np.ndarray:
    # an explicit device-to-host copy (saving is the place it belongs); asarray keeps 0-d arrays 0-d, where
    # ascontiguousarray would make them shape (1,)
    host = np.asarray(to_host(array), order="C")
    return host.astype(host.dtype.newbyteorder("<"), copy=False)


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
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"ember.save: cannot store {type(obj).__name__} at {path or 'top level'} "
                    "(checkpoints hold tensors, arrays, numbers, strings, lists, tuples and dicts)")


def _canonical(header: dict[str, Any]) -> bytes:
    """The header as the checksum sees it: without the checksum, keys sorted, so a reader can rebuild it."""
    metadata = {k: v for k, v in header.get("__metadata__", {}).items() if k != _CHECKSUM_KEY}
    return json.dumps({**header, "__metadata__": metadata}, sort_keys=True, separators=(",", ":")).encode()


def _digest(header: dict[str, Any], data: list[memoryview] | memoryview) -> str:
    h = hashlib.sha256(_canonical(header))
    for chunk in data if isinstance(data, list) else [data]:
        h.update(chunk)
    return h.hexdigest()


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
    data = [memoryview(array.reshape(-1).view(np.uint8)) for array in tensors.values()]
    header["__metadata__"][_CHECKSUM_KEY] = _digest(header, data)
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)  # safetensors pads the header to 8 bytes
    write_atomically(path, [struct.pack("<Q", len(blob)), blob, *data])


def _decode(node: Any, tensors: dict[str, Tensor], depth: int = 0) -> Any:
    if depth > _MAX_TREE_DEPTH:
        raise ValueError(f"it nests deeper than {_MAX_TREE_DEPTH} levels")
    if isinstance(node, dict):
        if "__tensor__" in node:
            return tensors[node["__tensor__"]]
        if "__dict__" in node:
            return {_decode(k, tensors, depth + 1): _decode(v, tensors, depth + 1) for k, v in node["__dict__"]}
        if "__tuple__" in node:
            return tuple(_decode(v, tensors, depth + 1) for v in node["__tuple__"])
        raise ValueError(f"an unknown node with keys {sorted(node)[:5]}")
    if isinstance(node, list):
        return [_decode(v, tensors, depth + 1) for v in node]
    return node


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"the key {next(k for k in keys if keys.count(k) > 1)!r} appears twice")
    return dict(pairs)


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _check_entry(name: str, info: Any, data_size: int, fail: Any) -> tuple[np.dtype, tuple[int, ...], int, int]:
    """One tensor's header entry, checked against the safetensors schema: (dtype, shape, start, end)."""
    if not isinstance(info, dict):
        raise fail(f"tensor {name!r}: the entry is {info!r}, expected an object with dtype, shape, data_offsets")
    if set(info) != {"dtype", "shape", "data_offsets"}:
        missing, extra = {"dtype", "shape", "data_offsets"} - set(info), set(info) - {"dtype", "shape", "data_offsets"}
        raise fail(f"tensor {name!r}: " + "; ".join(
            ([f"field(s) {sorted(missing)} missing"] if missing else []) +
            ([f"unknown field(s) {sorted(extra)}"] if extra else [])))
    code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if not isinstance(code, str) or code not in _DTYPES:
        raise fail(f"tensor {name!r}: field 'dtype' is {code!r}, expected one of {sorted(_DTYPES)}")
    if not isinstance(shape, list) or len(shape) > _MAX_DIMS or not all(_is_int(s) and s >= 0 for s in shape):
        raise fail(f"tensor {name!r}: field 'shape' is {shape!r}, expected a list of at most {_MAX_DIMS} "
                   "non-negative integers")
    if not isinstance(offsets, list) or len(offsets) != 2 or not all(_is_int(x) for x in offsets):
        raise fail(f"tensor {name!r}: field 'data_offsets' is {offsets!r}, expected [start, end] (two integers)")
    start, end = offsets
    if not 0 <= start <= end <= data_size:
        raise fail(f"tensor {name!r}: field 'data_offsets' is [{start}, {end}], outside the {data_size}-byte "
                   "data section or reversed")
    dtype = np.dtype(_DTYPES[code]).newbyteorder("<")
    nbytes = math.prod(shape) * dtype.itemsize  # Python ints: no wrap-around
    if nbytes != end - start:
        raise fail(f"tensor {name!r}: field 'shape' {shape} of {code} needs {nbytes} bytes, but field "
                   f"'data_offsets' [{start}, {end}] holds {end - start}")
    if math.prod(max(s, 1) for s in shape) * dtype.itemsize >= 2**63:  # e.g. [0, 2**62]: empty, yet too big
        raise fail(f"tensor {name!r}: field 'shape' {shape} is larger than any array can be")
    return dtype, tuple(shape), start, end


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
        raise fail(f"the header length field claims {n} bytes but the file has {len(raw) - 8} after it "
                   f"(and the limit is {_MAX_HEADER})")
    if raw[8:9] != b"{":
        raise fail("the header does not start with '{' (a safetensors header is one JSON object)")
    try:
        header = json.loads(raw[8:8 + n], object_pairs_hook=_unique_keys, parse_constant=_reject_constant)
    except RecursionError:
        raise fail("the header nests too deeply (a safetensors header is an object of flat objects)") from None
    except ValueError as e:  # JSONDecodeError, UnicodeDecodeError, duplicate keys, NaN, over-long integers
        raise fail(f"the header is not valid JSON ({e})") from None
    data = memoryview(raw)[8 + n:]
    metadata = header.pop("__metadata__", None)
    if metadata is None:
        metadata = {}
    elif not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise fail(f"field '__metadata__' is {_short(metadata)}, expected an object of string values")
    entries = [(name, *_check_entry(name, info, len(data), fail)) for name, info in header.items()]
    covered = 0
    for name, _, _, start, end in sorted(entries, key=lambda e: (e[3], e[4])):
        if start != covered:
            raise fail(f"tensor {name!r}: field 'data_offsets' starts at {start}, but the tensors before it end at "
                       f"{covered} ({'overlap' if start < covered else 'a hole'} in the data section)")
        covered = end
    if covered != len(data):
        raise fail(f"the tensors cover {covered} bytes of the {len(data)}-byte data section (field 'data_offsets')")
    if _CHECKSUM_KEY in metadata:
        expected = metadata[_CHECKSUM_KEY]
        header["__metadata__"] = metadata
        if _digest(header, data) != expected:
            raise fail(f"field '__metadata__.{_CHECKSUM_KEY}' does not match the header and data: the file was "
                       "changed after it was written (tensor names, shapes or bytes)")
        del header["__metadata__"]
    tensors: dict[str, Tensor] = {}
    for name, dtype, shape, start, end in entries:
        array = np.frombuffer(data[start:end], dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))
        tensors[name] = Tensor(array)
    if _TREE_KEY not in metadata:
        return tensors
    try:
        return _decode(json.loads(metadata[_TREE_KEY]), tensors)
    except RecursionError:
        raise fail(f"field '__metadata__.{_TREE_KEY}' nests too deeply") from None
    except (KeyError, TypeError, ValueError) as e:
        raise fail(f"field '__metadata__.{_TREE_KEY}' (the structure record) is damaged: {e!r}") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
