"""ember.Trainer: metrics against a hand-written loop, checkpoint/log/plot files, and the promise that an
interrupted and resumed run ends with the same weights, bit for bit, as an uninterrupted one."""

from __future__ import annotations

import csv
import sys

import numpy as np
import pytest

import ember
from ember import nn
from ember.data import DataLoader, Dataset, TensorDataset
from ember.data.datasets import Digits


class NoisyDigits(Dataset):
    """Digits with random noise drawn from Ember's generator per sample, as a random transform would."""

    def __init__(self, train=True, n=None):
        self.base = Digits(train=train)
        self.n = n or len(self.base)

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        x, y = self.base[i]
        return x + 0.05 * ember.random.default_generator().standard_normal(x.shape).astype(np.float32), y


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 10))


def make(out_dir, seed=0, device=None, **kwargs):
    ember.manual_seed(seed)
    model = mlp()
    opt = ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    sched = ember.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
    train = DataLoader(NoisyDigits(n=256), batch_size=32, shuffle=True, seed=seed)
    val = DataLoader(NoisyDigits(train=False, n=64), batch_size=32)
    trainer = ember.Trainer(model, opt, scheduler=sched, out_dir=out_dir, progress=False, device=device, **kwargs)
    return trainer, train, val


def weights(trainer):
    return {k: v.cpu().numpy().copy() for k, v in trainer.model.state_dict().items()}


def test_interrupted_and_resumed_run_is_bit_identical(tmp_path):
    reference, train, val = make(tmp_path / "a")
    reference.fit(train, epochs=3, val_loader=val)
    expected = weights(reference)

    calls = {"n": 0}

    def interrupting_loss(output, target):
        calls["n"] += 1
        if calls["n"] == 8 + 3:  # the fourth batch of epoch 2 (8 batches an epoch)
            raise KeyboardInterrupt
        return nn.functional.cross_entropy(output, target)

    first, train, val = make(tmp_path / "b", loss_fn=interrupting_loss)
    with pytest.raises(KeyboardInterrupt):
        first.fit(train, epochs=3, val_loader=val)
    assert first.epoch == 1

    # a new process would rebuild everything from scratch, with whatever seed: the checkpoint restores it all
    resumed, train, val = make(tmp_path / "b", seed=123)
    history = resumed.fit(train, epochs=3, val_loader=val, resume=True)
    assert [row["epoch"] for row in history] == [1, 2, 3]
    for name, value in weights(resumed).items():
        np.testing.assert_array_equal(value, expected[name], err_msg=name)
    assert [r["val_loss"] for r in history] == [r["val_loss"] for r in reference.history]
    assert resumed.optimizer.param_groups[0]["lr"] == reference.optimizer.param_groups[0]["lr"]


def test_metrics_match_a_hand_written_loop(tmp_path):
    trainer, train, val = make(None)
    model = trainer.model
    state = ember.random.get_rng_state()
    result = trainer.evaluate(val)
    model.eval()
    losses, hits, n = [], 0, 0
    ember.random.set_rng_state(state)  # replay evaluate's draws (the loader's seed, the samples' noise)
    loader = DataLoader(NoisyDigits(train=False, n=64), batch_size=32)
    with ember.no_grad():
        for x, y in loader:
            out = model(x)
            losses.append(nn.functional.cross_entropy(out, y, reduction="sum").item())
            hits += int((out.numpy().argmax(1) == y.numpy()).sum())
            n += len(y)
    assert result["loss"] == pytest.approx(sum(losses) / n, rel=1e-6)
    assert result["accuracy"] == hits / n
    assert model.training is False  # evaluate restores the mode it found (eval, set above)


def test_files_written_every_epoch(tmp_path):
    trainer, train, val = make(tmp_path)
    trainer.fit(train, epochs=2, val_loader=val)
    rows = list(csv.DictReader(open(tmp_path / "log.csv")))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert set(rows[0]) == {"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds"}
    assert float(rows[1]["lr"]) == pytest.approx(0.05 * 0.7**2)
    state = ember.load(tmp_path / "checkpoint.safetensors")
    assert state["epoch"] == 2 and set(state) >= {"model", "optimizer", "scheduler", "rng", "loader_rng"}
    pytest.importorskip("matplotlib")
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.safetensors", "curves.png", "log.csv"]


def test_missing_matplotlib_skips_the_plot_and_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    trainer, train, _ = make(tmp_path)
    trainer.fit(train, epochs=2)
    err = capsys.readouterr().err
    assert err.count("matplotlib is not installed") == 1 and "pip install ember[plot]" in err
    assert not (tmp_path / "curves.png").exists() and (tmp_path / "log.csv").exists()


def test_one_cycle_steps_every_batch():
    ember.manual_seed(0)
    model = mlp()
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    train = DataLoader(TensorDataset(*Digits().tensors), batch_size=100, shuffle=True, seed=0)
    sched = ember.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.2, epochs=2, steps_per_epoch=len(train))
    ember.Trainer(model, opt, scheduler=sched, progress=False).fit(train, epochs=2)
    assert sched.last_epoch == 2 * len(train)


def test_resume_errors(tmp_path):
    trainer, train, _ = make(None)
    with pytest.raises(ValueError, match="needs out_dir"):
        trainer.fit(train, epochs=1, resume=True)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        trainer.fit(train, epochs=1, resume=tmp_path / "missing.safetensors")
    ember.save({"w": ember.ones(1)}, tmp_path / "other.safetensors")
    with pytest.raises(ValueError, match="not a Trainer checkpoint"):
        trainer.fit(train, epochs=1, resume=tmp_path / "other.safetensors")


def test_trainer_runs_on_each_backend(device, tmp_path):
    """Model, batches, optimiser state and checkpoints on the device: on the strict backend a host leak fails."""
    trainer, train, val = make(tmp_path, device=device)
    trainer.optimizer = ember.optim.AdamW(trainer.model.parameters(), lr=1e-2)
    trainer.scheduler = None
    history = trainer.fit(train, epochs=2, val_loader=val)
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert all(p.device == device for p in trainer.model.parameters())
    again, train, val = make(tmp_path, seed=5, device=device)
    again.optimizer = ember.optim.AdamW(again.model.parameters(), lr=1e-2)
    again.scheduler = None
    again.fit(train, epochs=2, val_loader=val, resume=True)  # nothing left to do: loads onto the device
    for name, value in weights(again).items():
        np.testing.assert_array_equal(value, weights(trainer)[name])


def test_digits_cnn_example_reaches_98_percent():
    """The example of tools/train_digits.py: a small CNN, AdamW, OneCycleLR, one-pixel random shifts."""
    from ember.tools.train_digits import run

    result = run(None, model="cnn", epochs=12, seed=0, progress=False)
    assert result["test_accuracy"] >= 0.98, result
