"""Downloadable data sets without the network: small files written in the real formats (IDX with its magic numbers,
CIFAR batches pickled with protocol 2 as Python 2 wrote them), served from a local http.server on 127.0.0.1 or a
file:// URL, to test parsing, download, caching, checksum failures and the offline message."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import os
import pickle
import struct
import tarfile
import threading

import numpy as np
import pytest

import ember
from ember.data import DataLoader
from ember.data import transforms as T
from ember.data.datasets import CIFAR10, MNIST, DownloadError, FashionMNIST
from ember.data.datasets.cifar_pickle import load_pickle, read_cifar_batch
from ember.data.datasets.download import Resource
from ember.data.datasets.idx import parse_idx, read_idx

IDX_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding, written from the format's description: 0, 0, type code, ndim, big-endian dims, data."""
    header = bytes([0, 0, IDX_CODES[array.dtype.type], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def md5(data: bytes) -> str:
    return "md5:" + hashlib.md5(data).hexdigest()  # noqa: S324 - the data sets publish MD5s


@pytest.mark.parametrize("dtype", list(IDX_CODES))
@pytest.mark.parametrize("compress", [False, True])
def test_idx_round_trip(dtype, compress, tmp_path):
    array = (np.random.default_rng(0).standard_normal((3, 4, 5)) * 50).astype(dtype)
    raw = idx_bytes(array)
    path = tmp_path / "a.idx"
    path.write_bytes(gzip.compress(raw) if compress else raw)
    out = read_idx(str(path))
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative
    np.testing.assert_array_equal(out, array)


def test_idx_rejects_bad_files():
    good = idx_bytes(np.zeros((2, 3), np.uint8))
    with pytest.raises(ValueError, match="not an IDX file"):
        parse_idx(b"\x01\x00" + good[2:])
    with pytest.raises(ValueError, match="not an IDX file"):
        parse_idx(good[:2] + b"\x07" + good[3:])
    with pytest.raises(ValueError, match="needs 6 data bytes, the file has 5"):
        parse_idx(good[:-1])


def _mnist_files(n, seed):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    return images, labels, {"images": gzip.compress(idx_bytes(images)), "labels": gzip.compress(idx_bytes(labels))}


@pytest.fixture
def served(tmp_path):
    """A folder served over HTTP on 127.0.0.1 (stopped after the test); yields (folder, base URL, stop)."""
    folder = tmp_path / "mirror"
    folder.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stopped = []

    def stop():
        if not stopped:
            server.shutdown()
            server.server_close()
            stopped.append(True)

    yield folder, f"http://127.0.0.1:{server.server_address[1]}/", stop
    stop()


@pytest.mark.parametrize("cls", [MNIST, FashionMNIST])
def test_mnist_downloads_verifies_and_caches(cls, served, tmp_path, monkeypatch):
    folder, url, stop = served
    train_images, train_labels, train = _mnist_files(6, 0)
    _, _, test = _mnist_files(4, 1)
    names = {True: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
             False: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
    for split, files in ((True, train), (False, test)):
        for name, key in zip(names[split], ("images", "labels"), strict=True):
            (folder / name).write_bytes(files[key])
    monkeypatch.setattr(cls, "mirrors", ["http://127.0.0.1:9/unreachable/", url])  # the first mirror fails
    monkeypatch.setattr(cls, "resources", {
        split: tuple(Resource(n, md5(f[k])) for n, k in zip(names[split], ("images", "labels"), strict=True))
        for split, f in ((True, train), (False, test))})
    root = tmp_path / "data"
    data = cls(str(root), train=True, download=True)
    assert len(data) == 6 and len(cls(str(root), train=False, download=True)) == 4
    np.testing.assert_array_equal(data.data, train_images)
    np.testing.assert_array_equal(data.targets, train_labels.astype(np.int64))
    assert sorted(os.listdir(root / cls.__name__ / "raw")) == sorted(names[True] + names[False])

    stop()  # offline now: the cache serves, with or without download=True
    again = cls(str(root), train=True, download=True, transform=T.ToTensor())
    x, y = again[2]
    assert x.shape == (1, 28, 28) and y == int(train_labels[2])
    batch_x, batch_y = next(iter(DataLoader(again, batch_size=4)))
    assert batch_x.shape == (4, 1, 28, 28) and batch_y.dtype == np.int64


def test_checksum_mismatch_is_refused_and_nothing_is_kept(served, tmp_path, monkeypatch):
    folder, url, _ = served
    _, _, files = _mnist_files(3, 0)
    (folder / "train-images-idx3-ubyte.gz").write_bytes(files["images"] + b"tampered")
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(files["labels"])
    monkeypatch.setattr(MNIST, "mirrors", [url])
    monkeypatch.setattr(MNIST, "resources", {True: (Resource("train-images-idx3-ubyte.gz", md5(files["images"])),
                                                    Resource("train-labels-idx1-ubyte.gz", md5(files["labels"])))})
    root = tmp_path / "data"
    with pytest.raises(DownloadError, match=r"train-images-idx3-ubyte.gz: wrong md5 [0-9a-f]{32}, expected"):
        MNIST(str(root), download=True)
    assert not (root / "MNIST" / "raw" / "train-images-idx3-ubyte.gz").exists()
    assert [p for p in os.listdir(root / "MNIST" / "raw") if p.startswith(".")] == []  # no temporary left
    # a damaged file in the cache is not trusted either
    (root / "MNIST" / "raw" / "train-images-idx3-ubyte.gz").write_bytes(b"junk")
    with pytest.raises(DownloadError, match="not found \\(or damaged\\)"):
        MNIST(str(root), download=False)


def test_offline_error_names_the_url_and_the_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(MNIST, "mirrors", ["http://127.0.0.1:9/mnist/"])
    with pytest.raises(DownloadError) as info:
        MNIST(str(tmp_path / "data"), train=False, download=True)
    message = str(info.value)
    assert "http://127.0.0.1:9/mnist/t10k-images-idx3-ubyte.gz" in message
    assert str(tmp_path / "data" / "MNIST" / "raw") in message and "md5 must be 9fb629c4" in message
    with pytest.raises(DownloadError, match="pass download=True"):
        MNIST(str(tmp_path / "data"), train=False)


# CIFAR -----------------------------------------------------------------------------------------------------------
def py2_pickle(obj) -> bytes:
    """`obj` pickled with protocol 2 the way Python 2's cPickle and numpy 1.x wrote CIFAR's batches: byte strings
    as STRING opcodes, arrays through numpy.core.multiarray._reconstruct and numpy.dtype."""
    out = io.BytesIO()
    w = out.write

    def string(b: bytes):
        w(b"U" + bytes([len(b)]) + b if len(b) < 256 else b"T" + struct.pack("<I", len(b)) + b)

    def save(x):
        if isinstance(x, bytes):
            string(x)
        elif isinstance(x, bool):
            w(b"\x88" if x else b"\x89")
        elif isinstance(x, int):
            w(b"J" + struct.pack("<i", x))
        elif x is None:
            w(b"N")
        elif isinstance(x, list):
            w(b"](")
            for v in x:
                save(v)
            w(b"e")
        elif isinstance(x, tuple):
            w(b"(")
            for v in x:
                save(v)
            w(b"t")
        elif isinstance(x, dict):
            w(b"}(")
            for k, v in x.items():
                save(k)
                save(v)
            w(b"u")
        elif isinstance(x, np.ndarray):
            w(b"cnumpy.core.multiarray\n_reconstruct\n" + b"cnumpy\nndarray\n")
            save((0,))
            string(b"b")
            w(b"\x87R")  # TUPLE3 (ndarray, (0,), 'b'), REDUCE
            w(b"(")
            save(1)
            save(tuple(x.shape))
            w(b"cnumpy\ndtype\n")
            string(x.dtype.str[1:].encode())
            w(b"\x89\x88\x87R")  # ('u1', False, True), REDUCE
            save((3, x.dtype.str[:1].encode() if x.dtype.itemsize > 1 else b"|", None, None, None, -1, -1, 0))
            w(b"b")  # BUILD the dtype
            save(False)
            string(x.tobytes())
            w(b"tb")  # the state tuple, BUILD the array
        else:
            raise TypeError(type(x))

    w(b"\x80\x02")
    save(obj)
    w(b".")
    return out.getvalue()


def _cifar_batch(n, seed, writer):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, n).tolist()
    data = np.ascontiguousarray(images.transpose(0, 3, 1, 2)).reshape(n, 3072)  # the format's planar rows
    batch = {b"batch_label": b"training batch 1 of 5", b"labels": labels, b"data": data,
             b"filenames": [f"img_{i}.png".encode() for i in range(n)]}
    return images, np.array(labels), writer(batch)


@pytest.mark.parametrize("writer", [py2_pickle, lambda obj: pickle.dumps(obj, protocol=2)], ids=["python2", "python3"])
def test_cifar_batch_reader(writer, tmp_path):
    images, labels, raw = _cifar_batch(5, 0, writer)
    path = tmp_path / "data_batch_1"
    path.write_bytes(raw)
    out_images, out_labels = read_cifar_batch(str(path))
    np.testing.assert_array_equal(out_images, images)
    np.testing.assert_array_equal(out_labels, labels)
    assert pickle.loads(raw, encoding="bytes")[b"labels"] == labels.tolist()  # the file is a real pickle


class _Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


@pytest.mark.parametrize("payload", [
    pickle.dumps({b"data": _Exploit()}, protocol=2),
    pickle.dumps({b"data": np.array([object()], dtype=object)}, protocol=2),
    pickle.dumps({b"x": np.zeros(2, dtype=[("a", "u1")])}, protocol=2),
    b"\x80\x02cbuiltins\neval\nX\x04\x00\x00\x001+1\x85R.",
], ids=["os.system", "object-array", "structured-array", "builtins.eval"])
def test_cifar_reader_refuses_anything_but_plain_data(payload):
    with pytest.raises(ValueError, match="not a readable CIFAR batch|refusing|not a plain numeric array"):
        load_pickle(payload, "evil")


def _cifar_archive(tmp_path):
    """A cifar-10-python.tar.gz of the real layout, with tiny batches, plus a member that tries to escape."""
    buffer = io.BytesIO()
    expected = {}
    meta = py2_pickle({b"label_names": [c.encode() for c in "abcdefghij"], b"num_cases_per_batch": 3})
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        members = {"batches.meta": meta}
        for i, name in enumerate(["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5",
                                  "test_batch"]):
            images, labels, raw = _cifar_batch(3, i, py2_pickle)
            expected[name] = (images, labels)
            members[name] = raw
        members["../escaped"] = b"outside"
        for name, raw in members.items():
            info = tarfile.TarInfo(name if name.startswith("..") else f"cifar-10-batches-py/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return buffer.getvalue(), members, expected


def test_cifar_downloads_extracts_safely_and_caches(tmp_path, monkeypatch):
    archive, members, expected = _cifar_archive(tmp_path)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "cifar-10-python.tar.gz").write_bytes(archive)
    monkeypatch.setattr(CIFAR10, "mirrors", [mirror.as_uri() + "/"])
    monkeypatch.setattr(CIFAR10, "archive", Resource("cifar-10-python.tar.gz", md5(archive)))
    for attr in ("train_list", "test_list"):
        monkeypatch.setattr(CIFAR10, attr, [Resource(r.filename, md5(members[r.filename]))
                                            for r in getattr(CIFAR10, attr)])
    monkeypatch.setattr(CIFAR10, "meta", Resource("batches.meta", md5(members["batches.meta"])))
    root = tmp_path / "root"
    train = CIFAR10(str(root), train=True, download=True)
    assert len(train) == 15 and train.classes == list("abcdefghij")
    np.testing.assert_array_equal(train.data[3:6], expected["data_batch_2"][0])
    np.testing.assert_array_equal(train.targets[12:], expected["data_batch_5"][1])
    assert not (tmp_path / "escaped").exists() and not (root / "escaped").exists()
    with open(root / "plain", "w"):  # downloaded and extracted files get an ordinary file's (umask) mode
        pass
    mode = os.stat(root / "plain").st_mode & 0o777
    for written in (root / "cifar-10-python.tar.gz", root / "cifar-10-batches-py" / "data_batch_1"):
        assert os.stat(written).st_mode & 0o777 == mode, written

    (mirror / "cifar-10-python.tar.gz").unlink()  # offline: the extracted batches are the cache
    (root / "cifar-10-python.tar.gz").unlink()
    test = CIFAR10(str(root), train=False, download=True, transform=T.ToTensor())
    x, y = test[1]
    assert x.shape == (3, 32, 32) and y == int(expected["test_batch"][1][1])
    np.testing.assert_array_equal(x.numpy(), expected["test_batch"][0][1].transpose(2, 0, 1) / np.float32(255))

    (root / "cifar-10-batches-py" / "test_batch").write_bytes(b"damaged")
    with pytest.raises(DownloadError, match="file://.*cifar-10-python.tar.gz"):
        CIFAR10(str(root), train=False, download=True)
    with pytest.raises(DownloadError, match="put cifar-10-python.tar.gz"):
        CIFAR10(str(root), train=False)


def test_digits_is_still_the_offline_default():
    x, y = ember.data.datasets.Digits(train=False)[0]
    assert x.shape == (1, 8, 8)
