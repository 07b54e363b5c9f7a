"""Checkpoints: round trips, the safetensors layout (read back by hand from the spec), corruption errors,
atomic writes."""

from __future__ import annotations

import json
import os
import struct

import numpy as np
import pytest

import ember
from ember import nn


def test_model_and_optimizer_round_trip(tmp_path):
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    nn.functional.cross_entropy(model(ember.randn(5, 4)), ember.tensor([0, 1, 1, 0, 1])).backward()
    opt.step()
    path = tmp_path / "ckpt.safetensors"
    ember.save({"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 3, "note": "hi"}, path)
    loaded = ember.load(path)
    assert loaded["epoch"] == 3 and loaded["note"] == "hi"
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(loaded["model"][k].numpy(), v.numpy())
    fresh = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    fresh.load_state_dict(loaded["model"])
    opt2 = ember.optim.SGD(fresh.parameters(), lr=0.1, momentum=0.9)
    opt2.load_state_dict(loaded["optim"])
    np.testing.assert_array_equal(opt2.state[id(next(fresh.parameters()))]["momentum_buffer"],
                                  opt.state[id(next(model.parameters()))]["momentum_buffer"])


def test_file_is_safetensors_layout(tmp_path):
    weights = np.arange(6, dtype=np.float32).reshape(2, 3)
    path = tmp_path / "w.safetensors"
    ember.save({"w": ember.tensor(weights), "i": np.array([1, -2], np.int64)}, path)
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    start, end = header["w"]["data_offsets"]
    assert header["w"]["dtype"] == "F32" and header["w"]["shape"] == [2, 3]
    np.testing.assert_array_equal(np.frombuffer(raw[8 + n + start:8 + n + end], "<f4").reshape(2, 3), weights)
    assert header["i"]["dtype"] == "I64"


@pytest.mark.parametrize("damage", ["empty", "truncated", "header_len", "bad_json", "bad_offsets", "bad_dtype"])
def test_corrupt_checkpoint_has_clear_error(tmp_path, damage):
    path = tmp_path / "c.safetensors"
    ember.save({"w": ember.randn(4, 4)}, path)
    raw = bytearray(path.read_bytes())
    (n,) = struct.unpack("<Q", raw[:8])
    if damage == "empty":
        raw = b""
    elif damage == "truncated":
        raw = raw[:-10]
    elif damage == "header_len":
        raw[:8] = struct.pack("<Q", 10**12)
    elif damage == "bad_json":
        raw[9] = ord("}")
    elif damage == "bad_offsets":
        raw = raw.replace(b'"data_offsets":[0,64]', b'"data_offsets":[0,99]')
    elif damage == "bad_dtype":
        raw = raw.replace(b'"F32"', b'"Q32"')
    path.write_bytes(bytes(raw))
    with pytest.raises(ember.CheckpointError, match="not a valid Ember checkpoint"):
        ember.load(path)


def test_failed_save_leaves_previous_file_and_no_temp(tmp_path):
    path = tmp_path / "c.safetensors"
    ember.save({"w": ember.ones(2)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match="cannot store object"):
        ember.save({"w": ember.ones(2), "bad": object()}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["c.safetensors"]


# ---- hostile headers: every malformed file is a CheckpointError naming the file and the field -----------------

def _write_raw(path, header_json: str, data: bytes = b"") -> None:
    blob = header_json.encode()
    path.write_bytes(struct.pack("<Q", len(blob)) + blob + data)


_W = '"dtype":"F32","shape":[2,2],"data_offsets":[0,16]'
_HOSTILE = {  # name: (header JSON, data bytes, the field the message must name)
    "shape_wraps_int64": ('{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}', 0, "shape"),
    "shape_overflows_float": ('{"w":{"dtype":"F32","shape":[1e400],"data_offsets":[0,16]}}', 16, "shape"),
    "shape_is_a_string": ('{"w":{"dtype":"U8","shape":"12","data_offsets":[0,2]}}', 2, "shape"),
    "shape_negative": ('{"w":{"dtype":"F32","shape":[-2,-2],"data_offsets":[0,16]}}', 16, "shape"),
    "shape_bool": ('{"w":{"dtype":"F32","shape":[true,4],"data_offsets":[0,16]}}', 16, "shape"),
    "shape_empty_but_huge": ('{"w":{"dtype":"F32","shape":[0,4611686018427387904],"data_offsets":[0,0]}}', 0,
                             "shape"),
    "metadata_not_a_dict": ('{"__metadata__":5,"w":{' + _W + '}}', 16, "__metadata__"),
    "metadata_value_not_str": ('{"__metadata__":{"format":1},"w":{' + _W + '}}', 16, "__metadata__"),
    "deeply_nested": ('{"w":' + "[" * 100_000 + "]" * 100_000 + "}", 0, "nests too deeply"),
    "dtype_unknown": ('{"w":{"dtype":"Q32","shape":[2,2],"data_offsets":[0,16]}}', 16, "dtype"),
    "dtype_not_str": ('{"w":{"dtype":["F32"],"shape":[2,2],"data_offsets":[0,16]}}', 16, "dtype"),
    "offsets_reversed": ('{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[16,0]}}', 16, "data_offsets"),
    "offsets_one_int": ('{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[16]}}', 16, "data_offsets"),
    "offsets_float": ('{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0.0,16.0]}}', 16, "data_offsets"),
    "offsets_past_end": ('{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,1180591620717411303424]}}', 16,
                         "data_offsets"),
    "offsets_overlap": ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                        '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', 12, "overlap"),
    "offsets_hole": ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                     '"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}', 20, "hole"),
    "data_not_covered": ('{"w":{' + _W + '}}', 24, "data_offsets"),
    "bytes_do_not_match_shape": ('{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]}}', 16, "shape"),
    "entry_not_an_object": ('{"w":5}', 0, "'w'"),
    "entry_missing_field": ('{"w":{"dtype":"F32","shape":[2,2]}}', 16, "data_offsets"),
    "entry_unknown_field": ('{"w":{' + _W + ',"extra":1}}', 16, "extra"),
    "duplicate_tensor": ('{"w":{' + _W + '},"w":{' + _W + '}}', 16, "twice"),
    "header_not_an_object": ('[1,2]', 0, "header"),
    "nan_constant": ('{"w":{"dtype":"F32","shape":[NaN],"data_offsets":[0,16]}}', 16, "NaN"),
    "tree_missing_tensor": ('{"__metadata__":{"ember.tree":"{\\"__tensor__\\":\\"x\\"}"},"w":{' + _W + '}}', 16,
                            "ember.tree"),
    "tree_deeply_nested": ('{"__metadata__":{"ember.tree":"' + "[" * 5000 + "]" * 5000 + '"},"w":{' + _W + '}}', 16,
                           "ember.tree"),
    "tree_unhashable_key": ('{"__metadata__":{"ember.tree":"{\\"__dict__\\":[[[1],2]]}"},"w":{' + _W + '}}', 16,
                            "ember.tree"),
}


@pytest.mark.parametrize("case", sorted(_HOSTILE))
def test_hostile_header_is_a_checkpoint_error_naming_file_and_field(tmp_path, case):
    header, size, field = _HOSTILE[case]
    path = tmp_path / f"{case}.safetensors"
    _write_raw(path, header, bytes(size))
    with pytest.raises(ember.CheckpointError) as info:
        ember.load(path)
    message = str(info.value)
    assert str(path) in message and field in message, message


def test_renamed_tensors_fail_the_checksum(tmp_path):
    """Swapping two tensor names in the header keeps every field valid: only the checksum can tell."""
    path = tmp_path / "c.safetensors"
    ember.save({"a": ember.ones(3), "b": ember.zeros(3)}, path)
    raw = path.read_bytes()
    swapped = raw.replace(b'"a":{', b'"@":{').replace(b'"b":{', b'"a":{').replace(b'"@":{', b'"b":{')
    assert swapped != raw and len(swapped) == len(raw)
    path.write_bytes(swapped)
    with pytest.raises(ember.CheckpointError, match=r"ember\.sha256.*changed after it was written"):
        ember.load(path)
    path.write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))  # one flipped bit in the data
    with pytest.raises(ember.CheckpointError, match="ember.sha256"):
        ember.load(path)


def test_standard_safetensors_files_load(tmp_path):
    """A file of the safetensors library (or, without it, one built by hand from the format's specification): no
    Ember metadata, no checksum, a 0-d and an empty tensor, header padded with spaces. It loads as a dict."""
    tensors = {"weight": np.arange(6, dtype=np.float32).reshape(2, 3), "step": np.array(7, np.int64),
               "empty": np.zeros((0, 4), np.float16), "mask": np.array([True, False])}
    path = tmp_path / "std.safetensors"
    try:
        from safetensors.numpy import save_file
    except ImportError:
        header, offset, data = {"__metadata__": {"format": "pt"}}, 0, b""
        for name, array in tensors.items():
            code = {"float32": "F32", "int64": "I64", "float16": "F16", "bool": "BOOL"}[array.dtype.name]
            header[name] = {"dtype": code, "shape": list(array.shape), "data_offsets": [offset, offset + array.nbytes]}
            offset, data = offset + array.nbytes, data + array.astype(array.dtype.newbyteorder("<")).tobytes()
        blob = json.dumps(header).encode()
        blob += b" " * (-len(blob) % 8)
        path.write_bytes(struct.pack("<Q", len(blob)) + blob + data)
    else:
        save_file(tensors, str(path), metadata={"format": "pt"})
    loaded = ember.load(path)
    assert set(loaded) == set(tensors)
    for name, array in tensors.items():
        assert loaded[name].shape == array.shape and loaded[name].dtype == array.dtype, name
        np.testing.assert_array_equal(loaded[name].numpy(), array)


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8",
                                   "bool"])
def test_zero_dimensional_tensors_round_trip(tmp_path, dtype):
    value = np.array(1 if dtype == "bool" else 3, dtype=dtype)
    path = tmp_path / "z.safetensors"
    ember.save({"t": ember.tensor(value), "a": value, "in_list": [value]}, path)
    loaded = ember.load(path)
    for got in (loaded["t"], loaded["a"], loaded["in_list"][0]):
        assert got.shape == () and got.dtype == value.dtype
        assert got.numpy()[()] == value[()]
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    assert json.loads(raw[8:8 + n])["t"]["shape"] == []  # the safetensors spelling of a scalar


def test_batchnorm_counter_keeps_torchs_shape(tmp_path):
    import torch

    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    model(ember.randn(5, 3))
    ember.save(model.state_dict(), tmp_path / "bn.safetensors")
    loaded = ember.load(tmp_path / "bn.safetensors")
    assert loaded["1.num_batches_tracked"].shape == tuple(torch.nn.BatchNorm1d(4).num_batches_tracked.shape) == ()
    fresh = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    fresh.load_state_dict(loaded)
    assert int(fresh[1].num_batches_tracked.item()) == 1


# ---- file modes and stale temporaries ---------------------------------------------------------------------------

@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_written_files_get_the_umask_mode_of_an_ordinary_file(tmp_path, umask):
    from ember.export.tflite.model_file import write_atomically as export_writer
    from ember.files import write_atomically

    old = os.umask(umask)
    try:
        with open(tmp_path / "plain", "w"):  # the oracle: what any program's open() gives
            pass
        ember.save({"w": ember.ones(2)}, tmp_path / "c.safetensors")
        write_atomically(tmp_path / "m.tflite", b"data")
    finally:
        os.umask(old)
    expected = os.stat(tmp_path / "plain").st_mode & 0o777
    assert expected == 0o666 & ~umask
    assert os.stat(tmp_path / "c.safetensors").st_mode & 0o777 == expected
    assert os.stat(tmp_path / "m.tflite").st_mode & 0o777 == expected
    assert export_writer is write_atomically  # one atomic writer, in ember, used by the exporter too


_SAVE_FOREVER = """
import sys
import numpy as np
import ember
big = np.ones(8 * 1024 * 1024, np.float32)  # 32 MB: most of each save's time is spent writing the temporary
while True:
    ember.save({"w": big}, sys.argv[1])
"""


def test_temporary_of_a_killed_save_is_removed_by_the_next_save(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from ember.files import _HOST

    script = tmp_path / "save_forever.py"
    script.write_text(_SAVE_FOREVER)
    folder = tmp_path / "run"
    folder.mkdir()
    for _attempt in range(5):
        child = subprocess.Popen([sys.executable, str(script), str(folder / "c.safetensors")])
        try:
            deadline = time.monotonic() + 120
            while not [p for p in os.listdir(folder) if p.endswith(".tmp")] and time.monotonic() < deadline:
                time.sleep(0.002)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=60)
        left = [p for p in os.listdir(folder) if p.endswith(".tmp")]
        if left:
            break
    assert left, "the child was never caught in the middle of a save"
    assert all(p.startswith(".ember-") for p in left)
    # a live writer's temporary (this process's pid), and files that are not ours, stay
    live = folder / f".ember-{_HOST}-{os.getpid()}-0123456789ab.tmp"
    live.write_bytes(b"being written")
    others = [folder / ".ember-notes.txt", folder / "model.tmp", folder / ".ember-fresh_01.tmp"]
    for p in others:
        p.write_bytes(b"x")
    # the old naming (mkstemp's, no pid) cannot tell its writer: removed only when untouched for over a day
    abandoned = folder / ".ember-k2_9xq0a.tmp"
    abandoned.write_bytes(b"x")
    os.utime(abandoned, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    ember.save({"w": ember.ones(2)}, folder / "c.safetensors")
    remaining = sorted(os.listdir(folder))
    assert remaining == sorted(["c.safetensors", live.name, *(p.name for p in others)]), remaining
    np.testing.assert_array_equal(ember.load(folder / "c.safetensors")["w"].numpy(), [1, 1])


# ---- optimiser state must fit the optimiser -----------------------------------------------------------------

def _stepped(opt_class, **kwargs):
    p = ember.nn.Parameter(ember.ones(3))
    opt = opt_class([p], **kwargs)
    p.grad = ember.ones(3)
    opt.step()
    return opt


@pytest.mark.parametrize("saved,loading", [("SGD", "Adam"), ("Adam", "SGD"), ("SGD", "RMSprop"),
                                           ("RMSprop", "AdamW")])
def test_optimizer_state_of_another_type_is_refused(saved, loading):
    state = _stepped(getattr(ember.optim, saved), lr=0.1, **({"momentum": 0.9} if saved == "SGD" else {})).state_dict()
    target = getattr(ember.optim, loading)([ember.nn.Parameter(ember.ones(3))], lr=0.1)
    with pytest.raises(ValueError, match=rf"{loading}.*lacks.*different optimizer"):
        target.load_state_dict(state)


def test_optimizer_state_of_other_shapes_is_refused():
    state = _stepped(ember.optim.Adam, lr=0.1).state_dict()
    target = ember.optim.Adam([ember.nn.Parameter(ember.ones(4))], lr=0.1)
    with pytest.raises(ValueError, match=r"parameter 0.*'exp_avg' has shape \(3,\).*shape \(4,\)"):
        target.load_state_dict(state)
