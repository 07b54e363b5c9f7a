from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

import ember
from ember.data import DataLoader, Dataset, TensorDataset
from ember.data.datasets import Digits


def test_digits_split_is_fixed_disjoint_and_complete():
    train, test = Digits(train=True), Digits(train=False)
    assert (len(train), len(test)) == (1437, 360)
    x, y = train[0]
    assert x.shape == (1, 8, 8) and x.dtype == np.float32 and 0.0 <= x.min() and x.max() <= 1.0
    # every image of the UCI set appears exactly once across the two splits
    raw = load_digits()
    both = np.concatenate([train.tensors[0], test.tensors[0]]).reshape(1797, 64) * 16
    assert sorted(map(bytes, both.astype(np.uint8))) == sorted(map(bytes, raw.data.astype(np.uint8)))
    labels = np.concatenate([train.tensors[1], test.tensors[1]])
    assert np.bincount(labels).tolist() == np.bincount(raw.target).tolist()
    np.testing.assert_array_equal(Digits(train=False).tensors[1], test.tensors[1])


def test_loader_batches_and_drop_last():
    data = TensorDataset(np.arange(10, dtype=np.float32).reshape(10, 1), np.arange(10))
    batches = list(DataLoader(data, batch_size=4))
    assert [b[0].shape for b in batches] == [(4, 1), (4, 1), (2, 1)]
    assert len(DataLoader(data, batch_size=4, drop_last=True)) == 2
    assert [b[1].shape for b in DataLoader(data, batch_size=4, drop_last=True)] == [(4,), (4,)]


def test_seeded_shuffle_is_reproducible_and_a_permutation():
    data = TensorDataset(np.arange(50), np.arange(50))
    order1 = np.concatenate([b[0].numpy() for b in DataLoader(data, batch_size=7, shuffle=True, seed=3)])
    order2 = np.concatenate([b[0].numpy() for b in DataLoader(data, batch_size=7, shuffle=True, seed=3)])
    np.testing.assert_array_equal(order1, order2)
    assert sorted(order1.tolist()) == list(range(50)) and order1.tolist() != list(range(50))
    ember.manual_seed(5)
    a = np.concatenate([b[0].numpy() for b in DataLoader(data, batch_size=50, shuffle=True)])
    ember.manual_seed(5)
    b = np.concatenate([b[0].numpy() for b in DataLoader(data, batch_size=50, shuffle=True)])
    np.testing.assert_array_equal(a, b)


def test_collate_dicts_and_generic_datasets():
    class Pairs(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": np.full(2, i, np.float64), "y": i}

    batch = next(iter(DataLoader(Pairs(), batch_size=3)))
    assert batch["x"].shape == (3, 2) and batch["x"].dtype == np.float32
    assert batch["y"].numpy().tolist() == [0, 1, 2]


def test_tensor_dataset_rejects_ragged_inputs():
    with pytest.raises(ValueError, match="tensor 0 has 3 rows but tensor 1 has 2"):
        TensorDataset(np.zeros(3), np.zeros(2))


class _Noisy(Dataset):
    """Samples whose values depend on Ember's generator (as a random transform's do)."""

    def __len__(self):
        return 37

    def __getitem__(self, i):
        return ember.random.default_generator().standard_normal(3) + i, i


@pytest.mark.parametrize("shuffle,drop_last", [(True, False), (False, True)])
def test_workers_yield_exactly_what_the_main_process_yields(shuffle, drop_last):
    def passes(num_workers, **kwargs):
        ember.manual_seed(11)
        loader = DataLoader(_Noisy(), batch_size=5, shuffle=shuffle, drop_last=drop_last, num_workers=num_workers,
                            **kwargs)
        out = [[(x.numpy(), y.numpy()) for x, y in loader] for _ in range(2)]
        loader.shutdown_workers()
        return out, ember.random.default_generator().integers(1 << 30)

    (reference, after), (with_workers, after_workers) = passes(0), passes(3, prefetch_factor=1)
    persistent, _ = passes(2, persistent_workers=True)
    for run in (with_workers, persistent):
        assert len(run) == len(reference) == 2
        for epoch, epoch_ref in zip(run, reference, strict=True):
            assert len(epoch) == len(epoch_ref) == (7 if drop_last else 8)
            for (x, y), (x_ref, y_ref) in zip(epoch, epoch_ref, strict=True):
                np.testing.assert_array_equal(x, x_ref)
                np.testing.assert_array_equal(y, y_ref)
    assert after == after_workers  # the global generator advanced the same way
    assert not np.array_equal(reference[0][0][0], reference[1][0][0])  # each pass draws new numbers


def test_worker_errors_reach_the_caller():
    class Broken(Dataset):
        def __len__(self):
            return 8

        def __getitem__(self, i):
            if i == 6:
                raise KeyError(f"sample {i} is missing")
            return np.zeros(2), i

    with pytest.raises(KeyError, match="sample 6 is missing"):
        list(DataLoader(Broken(), batch_size=2, num_workers=2))


def test_tensor_dataset_subclass_with_its_own_getitem_is_not_fast_pathed():
    class Doubled(TensorDataset):
        def __getitem__(self, i):
            x, y = super().__getitem__(i)
            return 2 * x, y

    data = Doubled(np.arange(4, dtype=np.float32).reshape(4, 1), np.arange(4))
    x, _ = next(iter(DataLoader(data, batch_size=4)))
    np.testing.assert_array_equal(x.numpy().ravel(), [0, 2, 4, 6])


def test_loader_arguments_are_checked():
    data = TensorDataset(np.zeros(3))
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(data, num_workers=-1)
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(data, batch_size=0)


# ---- workers that fail: every failure reaches the caller in bounded time, named as PyTorch names it ----------

_HOSTILE_WORKERS = r'''
import ctypes, json, os, resource, signal, sys
import numpy as np

class TwoArgError(Exception):
    """An exception that `cls(*args)` cannot rebuild: unpickling it kills multiprocessing.Pool's result thread."""
    def __init__(self, path, line):
        super().__init__(f"bad record in {path} at line {line}")

class Hostile:
    def __init__(self, how, pid_file=None):
        self.how, self.pid_file = how, pid_file
    def __len__(self):
        return 16
    def __getitem__(self, i):
        if i == 9:  # batch 4 of batch_size 2
            if self.pid_file:
                with open(self.pid_file, "w") as f:
                    f.write(str(os.getpid()))
            if self.how == "exit":
                os._exit(3)
            if self.how == "segfault":
                resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
                ctypes.string_at(0)
            if self.how == "oom_kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if self.how == "two_arg":
                raise TwoArgError("data.csv", 9)
            if self.how == "key":
                raise KeyError("sample 9 is missing")
        return np.full(2, i, np.float32), i

def attempt(make):
    try:
        for _ in make():
            pass
    except Exception as e:
        return {"type": type(e).__name__, "message": str(e)}
    return {"type": None}

if __name__ == "__main__":
    how, pid_file, oracle = sys.argv[1], sys.argv[2], sys.argv[3] == "torch"
    from ember.data import DataLoader
    result = {"ember": attempt(lambda: DataLoader(Hostile(how, pid_file), batch_size=2, num_workers=2))}
    if oracle:
        import torch.utils.data
        result["torch"] = attempt(lambda: torch.utils.data.DataLoader(Hostile(how), batch_size=2, num_workers=2))
    print(json.dumps(result))
'''


def _run_hostile(tmp_path, how, oracle=False):
    """Runs the loader in a child process, so that a hang (the failure this guards against) is a bounded test
    failure rather than a stuck suite."""
    import json
    import subprocess
    import sys

    script = tmp_path / "hostile.py"
    script.write_text(_HOSTILE_WORKERS)
    pid_file = tmp_path / "pid"
    try:
        done = subprocess.run([sys.executable, str(script), how, str(pid_file), "torch" if oracle else "-"],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the DataLoader hung: a worker that {how!r} was not detected within 120 s")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result, int(pid_file.read_text()) if pid_file.exists() else None


@pytest.mark.parametrize("how,exit_code,signal_name", [("exit", 3, None), ("segfault", -11, "SIGSEGV"),
                                                        ("oom_kill", -9, "SIGKILL")])
def test_dead_worker_is_reported_with_its_pid_exit_code_and_batch(tmp_path, how, exit_code, signal_name):
    import re

    result, pid = _run_hostile(tmp_path, how)
    error = result["ember"]
    assert error["type"] == "RuntimeError", error
    match = re.search(r"DataLoader worker \(pid (\d+)\) exited unexpectedly with exit code (-?\d+)", error["message"])
    assert match, error["message"]
    assert int(match[1]) == pid and int(match[2]) == exit_code
    assert "batch 4" in error["message"]
    if signal_name:
        assert signal_name in error["message"]


@pytest.mark.parametrize("how,reraised_as", [("key", "KeyError"), ("two_arg", "RuntimeError")])
def test_worker_exceptions_are_reraised_as_torch_reraises_them(tmp_path, how, reraised_as):
    """PyTorch's ExceptionWrapper: the original type when it can be rebuilt from a message (else RuntimeError),
    with the worker's traceback in the message."""
    result, _ = _run_hostile(tmp_path, how, oracle=True)
    ours, torch_ = result["ember"], result["torch"]
    assert ours["type"] == torch_["type"] == reraised_as, result
    original = ("TwoArgError: bad record in data.csv at line 9" if how == "two_arg"
                else "KeyError: 'sample 9 is missing'")
    for message in (ours["message"], torch_["message"]):
        assert "in DataLoader worker process" in message and "Original Traceback" in message, message
        assert original in message and "in __getitem__" in message, message
    assert "batch 4" in ours["message"]


class _Slow(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            import time

            time.sleep(3)
        return np.zeros(2, np.float32), i


def test_timeout_raises_as_torch_does():
    import time

    import torch.utils.data

    errors = []
    for loader in (DataLoader(_Slow(), batch_size=2, num_workers=2, timeout=1),
                   torch.utils.data.DataLoader(_Slow(), batch_size=2, num_workers=2, timeout=1)):
        start = time.monotonic()
        with pytest.raises(RuntimeError) as info:
            list(loader)
        errors.append((str(info.value), time.monotonic() - start))
        del loader
    (ours, elapsed), (theirs, _) = errors
    assert theirs.startswith("DataLoader timed out after 1 seconds")
    assert ours.startswith("DataLoader timed out after 1 seconds") and "batch 2" in ours, ours
    assert elapsed < 30  # generous: the bound is what matters, the loader must not wait for the slow sample
    with pytest.raises(ValueError, match="non-negative"):
        DataLoader(_Slow(), num_workers=1, timeout=-1)


def test_inconsistent_sample_shapes_name_the_sample_and_field():
    import re

    import torch.utils.data

    class Ragged(Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return {"image": np.zeros(2 if i == 4 else 3, np.float32), "label": i}

    with pytest.raises(RuntimeError, match=r"at entry 0 and \[2\] at entry (\d)") as theirs:
        torch.utils.data.default_collate([Ragged()[i] for i in range(6)])
    index = int(re.search(r"at entry (\d)$", str(theirs.value))[1])
    with pytest.raises(RuntimeError, match=rf"field 'image': sample {index} has shape \(2,\), but sample 0 has "
                                           r"shape \(3,\)"):
        next(iter(DataLoader(Ragged(), batch_size=6)))
    pairs = [(np.zeros(3), 0), (np.zeros(3), 1), (np.zeros((3, 1)), 2)]
    with pytest.raises(RuntimeError, match=r"field 0: sample 2 has shape \(3, 1\), but sample 0 has shape \(3,\)"):
        ember.data.dataloader.default_collate(pairs)
