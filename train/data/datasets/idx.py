"""The IDX file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a 4-byte magic number
(two zero bytes, a type code, the number of dimensions), each dimension as a big-endian uint32, then the data in
big-endian order. Files may be gzip-compressed."""

from __future__ import annotations

import gzip
import struct

import numpy as np

_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
          0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def parse_idx(raw: bytes, name: str = "IDX data") -> np.ndarray:
    """An IDX file's bytes (raw or gzip) as an array in native byte order."""
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in _TYPES:
        raise ValueError(f"{name}: not an IDX file (magic number {raw[:4].hex() or 'missing'}; expected 0000 then a "
                         f"type code among {', '.join(f'{t:02x}' for t in _TYPES)} and the number of dimensions)")
    dtype, ndim = _TYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{name}: truncated header ({len(raw)} bytes for {ndim} dimensions)")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != size:
        raise ValueError(f"{name}: shape {shape} of {dtype.name} needs {size} data bytes, the file has "
                         f"{len(raw) - header}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path: str) -> np.ndarray:
    with open(path, "rb") as f:
        return parse_idx(f.read(), path)
