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
