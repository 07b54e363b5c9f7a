"""Reading CIFAR's "python version" batches without unpickling arbitrary objects.

Each batch is a pickle (protocol 2, written by Python 2) of a dict with byte-string keys: b"data" a uint8 ndarray
of shape (N, 3072) (1024 red, 1024 green, 1024 blue values of a 32x32 image, row-major), b"labels" a list of N
ints, b"filenames" a list of byte strings, b"batch_label" a byte string; batches.meta holds b"label_names".

An ndarray in a pickle is rebuilt through three globals: numpy.core.multiarray._reconstruct(numpy.ndarray, (0,),
b"b") for an empty array, numpy.dtype("u1", False, True) for its element type, then BUILD with (version, shape,
dtype, fortran order, raw bytes). `find_class` below hands out exactly those (numpy 2 spells the module
numpy._core.multiarray) through wrappers that accept plain numeric arrays only, plus `_codecs.encode(text,
"latin1")`, which a Python 3 protocol-2 pickle uses for byte strings. Any other global is refused, so loading a
file can build dicts, lists, strings, numbers and numeric arrays, and nothing else."""

from __future__ import annotations

import io
import pickle
from typing import Any

import numpy as np


def _reconstruct(cls: Any, shape: Any, typecode: Any) -> np.ndarray:
    if cls is not np.ndarray:
        raise pickle.UnpicklingError(f"_reconstruct of {cls!r}: only numpy.ndarray is allowed")
    return np.ndarray((0,), dtype=np.uint8)  # BUILD replaces shape, dtype and data


def _dtype(spec: Any, align: Any = False, copy: Any = True) -> np.dtype:
    if isinstance(spec, bytes):
        spec = spec.decode("ascii")
    if not isinstance(spec, str) or len(spec) > 3:
        raise pickle.UnpicklingError(f"numpy.dtype({spec!r}): only simple numeric type codes are allowed")
    dtype = np.dtype(spec)
    if dtype.kind not in "biuf":
        raise pickle.UnpicklingError(f"numpy.dtype({spec!r}): only numeric dtypes are allowed, not {dtype}")
    return np.dtype(spec, align=False, copy=True)  # a copy: BUILD sets its byte order without touching numpy's


def _encode(text: str, encoding: str = "utf-8") -> bytes:
    if encoding != "latin1":
        raise pickle.UnpicklingError(f"_codecs.encode with {encoding!r}: only 'latin1' is allowed")
    return text.encode("latin1")


_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): _dtype,
    ("_codecs", "encode"): _encode,
}


class RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load global {module}.{name}: CIFAR batches hold only dicts, lists, strings, numbers "
                "and numeric arrays"
            ) from None


def _check_plain(value: Any, where: str) -> None:
    """BUILD can still give an allowed dtype fields; accept only numeric, non-structured arrays in the result."""
    if isinstance(value, np.ndarray) and (value.dtype.kind not in "biuf" or value.dtype.fields):
        raise pickle.UnpicklingError(f"{where}: array of dtype {value.dtype} is not a plain numeric array")
    if isinstance(value, dict):
        for k, v in value.items():
            _check_plain(v, f"{where}[{k!r}]")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_plain(v, f"{where}[{i}]")


def load_pickle(raw: bytes, name: str = "pickle") -> Any:
    try:
        value = RestrictedUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError, KeyError) as e:
        raise ValueError(f"{name}: not a readable CIFAR batch ({type(e).__name__}: {e})") from None
    _check_plain(value, name)
    return value


def _field(batch: dict, key: str, name: str) -> Any:
    for k in (key.encode(), key):
        if k in batch:
            return batch[k]
    raise ValueError(f"{name}: the batch has no {key!r} entry (keys: {sorted(map(repr, batch))})")


def read_cifar_batch(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 32, 32, 3) uint8 in HWC order and labels (N,) int64 of one CIFAR-10 python batch file."""
    with open(path, "rb") as f:
        batch = load_pickle(f.read(), path)
    if not isinstance(batch, dict):
        raise ValueError(f"{path}: a CIFAR batch is a dict, this file holds {type(batch).__name__}")
    data = np.asarray(_field(batch, "data", path))
    labels = np.asarray(_field(batch, "labels", path), dtype=np.int64)
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072 or len(labels) != len(data):
        raise ValueError(f"{path}: expected uint8 data of shape (N, 3072) and N labels, got {data.dtype} "
                         f"{data.shape} and {len(labels)} labels")
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), labels


def read_cifar_meta(path: str) -> list[str]:
    with open(path, "rb") as f:
        meta = load_pickle(f.read(), path)
    names = _field(meta, "label_names", path)
    return [n.decode() if isinstance(n, bytes) else str(n) for n in names]
