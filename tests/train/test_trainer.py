"""ember.Trainer: metrics against a hand-written loop, checkpoint/log/plot files, and the promise that an
interrupted and resumed run ends with the same weights, bit for bit, as an uninterrupted one."""

from __future__ import annotations

import csv
import functools
import math
import os
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


def make(out_dir, seed=0, device=None, model=mlp, optimizer=None, **kwargs):
    ember.manual_seed(seed)
    model = model()
    opt = (optimizer or functools.partial(ember.optim.SGD, lr=0.05, momentum=0.9))(model.parameters())
    sched = ember.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
    train = DataLoader(NoisyDigits(n=256), batch_size=32, shuffle=True, seed=seed)
    val = DataLoader(NoisyDigits(train=False, n=64), batch_size=32)
    kwargs.setdefault("progress", False)
    trainer = ember.Trainer(model, opt, scheduler=sched, out_dir=out_dir, device=device, **kwargs)
    return trainer, train, val


def weights(trainer):
    return {k: v.cpu().numpy().copy() for k, v in trainer.model.state_dict().items()}


def test_interrupted_and_resumed_run_is_bit_identical(tmp_path, capsys):
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
    with pytest.raises(KeyboardInterrupt) as interrupted:  # library users still get KeyboardInterrupt
        first.fit(train, epochs=3, val_loader=val)
    assert first.epoch == 1
    checkpoint = os.fspath(tmp_path / "b" / "checkpoint.safetensors")
    assert str(interrupted.value) == (f"Trainer: interrupted during epoch 2 of 3; the checkpoint of epoch 1 is "
                                      f"{checkpoint}, and fit(..., resume=True) continues from it")
    assert interrupted.traceback[-1].name == "interrupting_loss"  # the traceback still shows where it stopped

    # a new process would rebuild everything from scratch, with whatever seed: the checkpoint restores it all
    resumed, train, val = make(tmp_path / "b", seed=123, progress=True)
    history = resumed.fit(train, epochs=3, val_loader=val, resume=True)
    assert capsys.readouterr().err.splitlines()[0] == f"Trainer: resumed from {checkpoint} (epoch 1 of 3)"
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
    assert set(rows[0]) == {"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds",
                            "skipped_steps"}
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
    assert err.count("matplotlib is not installed") == 1
    # what the README says; `pip install ember[plot]` would fetch an unrelated "ember" from the package index
    assert "pip install matplotlib" in err and 'pip install -e ".[plot]"' in err and "ember[plot]" not in err
    assert not (tmp_path / "curves.png").exists() and (tmp_path / "log.csv").exists()


def test_progress_is_one_plain_line_an_epoch_when_not_a_terminal(tmp_path, capsys, monkeypatch):
    trainer, train, val = make(tmp_path, progress=True)
    trainer.fit(train, epochs=2, val_loader=val)  # capsys's stderr is not a terminal, like a file or a pipe
    err = capsys.readouterr().err
    assert "\r" not in err
    assert err.splitlines() == [
        f"epoch {row['epoch']}/2, train loss {row['train_loss']:.4f}, train accuracy {row['train_accuracy']:.4f}, "
        f"val loss {row['val_loss']:.4f}, val accuracy {row['val_accuracy']:.4f}, {row['seconds']:.1f} s"
        for row in trainer.history]

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)  # a terminal keeps tqdm's bar
    trainer, train, val = make(None, progress=True)
    trainer.fit(train, epochs=1, val_loader=val)
    err = capsys.readouterr().err
    assert "\r" in err and err.splitlines()[-1].startswith("epoch 1/1, train loss")


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


# ---- non-finite losses never reach the weights or the checkpoint ---------------------------------------------

def test_nan_loss_stops_training_and_keeps_the_finite_checkpoint(tmp_path):
    calls = []

    def loss_fn(output, target):
        calls.append(1)
        loss = nn.functional.cross_entropy(output, target)
        return loss * float("nan") if len(calls) == 8 + 3 else loss  # epoch 2, batch index 2 (8 batches an epoch)

    trainer, train, _ = make(tmp_path, loss_fn=loss_fn)
    with pytest.raises(FloatingPointError) as info:
        trainer.fit(train, epochs=3)
    message = str(info.value)
    for part in ("loss is nan", "epoch 2", "batch index 2", "learning rate", "inputs", "on_nonfinite='skip'",
                 "checkpoint.safetensors keeps epoch 1"):
        assert part in message, message
    state = ember.load(tmp_path / "checkpoint.safetensors")
    assert state["epoch"] == 1
    assert all(np.isfinite(v.numpy()).all() for v in state["model"].values())
    assert all(np.isfinite(v).all() for v in weights(trainer).values())  # the NaN step was never taken
    assert [r["epoch"] for r in csv.DictReader(open(tmp_path / "log.csv"))] == ["1"]


class _OneNaNInput(Dataset):
    """The issue's report: one NaN pixel in the training data."""

    def __init__(self):
        self.x, self.y = Digits().tensors
        self.x = self.x[:96].copy()
        self.x[40, 0, 3, 3] = np.nan

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def test_nan_input_is_reported_instead_of_a_nan_loss_and_a_checkpoint(tmp_path):
    trainer, _, _ = make(tmp_path)
    with pytest.raises(FloatingPointError, match=r"loss is nan at epoch 1 of 2, batch index 1\b.*check the inputs"):
        trainer.fit(DataLoader(_OneNaNInput(), batch_size=32), epochs=2)
    assert not (tmp_path / "checkpoint.safetensors").exists() and trainer.history == []


def test_skip_option_skips_nonfinite_steps_and_counts_them(tmp_path):
    """A skipped step is no step: the weights and optimiser state after it are those before it."""
    snapshots = []

    def loss_fn(output, target):
        snapshots.append((weights(trainer), trainer.optimizer.state_dict()))
        loss = nn.functional.cross_entropy(output, target)
        return loss * float("inf") if len(snapshots) in (8 + 3, 8 + 6) else loss

    trainer, train, _ = make(tmp_path, loss_fn=loss_fn, on_nonfinite="skip")
    with pytest.warns(RuntimeWarning, match="skipped 2 of 8 training steps in epoch 2"):
        history = trainer.fit(train, epochs=3)
    assert [row["skipped_steps"] for row in history] == [0, 2, 0]
    assert all(math.isfinite(row["train_loss"]) for row in history)
    for skipped in (8 + 3, 8 + 6):
        (before, opt_before), (after, opt_after) = snapshots[skipped - 1], snapshots[skipped]
        for name in before:
            np.testing.assert_array_equal(after[name], before[name], err_msg=name)
        state_before, state_after = opt_before["state"], opt_after["state"]
        for i in state_before:
            np.testing.assert_array_equal(state_after[i]["momentum_buffer"], state_before[i]["momentum_buffer"])
    rows = list(csv.DictReader(open(tmp_path / "log.csv")))
    assert [r["skipped_steps"] for r in rows] == ["0", "2", "0"]


@pytest.mark.filterwarnings("ignore:divide by zero encountered:RuntimeWarning")  # what this test provokes
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_nonfinite_gradient_with_a_finite_loss_is_caught(tmp_path):
    def loss_fn(output, target):  # sqrt at 0: the loss is finite (0), its gradient infinite
        return ember.sqrt((output * 0).sum() ** 2) + nn.functional.cross_entropy(output, target)

    trainer, train, _ = make(tmp_path, loss_fn=loss_fn)
    with pytest.raises(FloatingPointError, match=r"gradient of '1.weight' .*epoch 1 of 1, batch index 0"):
        trainer.fit(train, epochs=1)


def test_a_checkpoint_is_never_overwritten_with_nonfinite_weights(tmp_path):
    trainer, train, _ = make(tmp_path)
    trainer.fit(train, epochs=1)
    before = (tmp_path / "checkpoint.safetensors").read_bytes()
    trainer.model[4].bias.data[3] = np.inf
    with pytest.raises(FloatingPointError, match=r"'4.bias' has non-finite values.*not writing"):
        trainer.save_checkpoint(tmp_path / "checkpoint.safetensors")
    assert (tmp_path / "checkpoint.safetensors").read_bytes() == before
    with pytest.raises(ValueError, match="on_nonfinite must be 'raise' or 'skip'"):
        make(None, on_nonfinite="ignore")


# ---- resume --------------------------------------------------------------------------------------------------

def bn_mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 10))


def test_model_with_batchnorm_resumes_bit_identically(tmp_path):
    reference, train, val = make(tmp_path / "a", model=bn_mlp)
    reference.fit(train, epochs=2, val_loader=val)
    first, train, val = make(tmp_path / "b", model=bn_mlp)
    first.fit(train, epochs=1, val_loader=val)
    resumed, train, val = make(tmp_path / "b", seed=9, model=bn_mlp)
    resumed.fit(train, epochs=2, val_loader=val, resume=True)
    expected = weights(reference)
    for name, value in weights(resumed).items():
        np.testing.assert_array_equal(value, expected[name], err_msg=name)
        assert value.shape == expected[name].shape
    assert weights(resumed)["2.num_batches_tracked"].shape == ()  # torch's shape for the counter


@pytest.mark.parametrize("saved,resuming", [("SGD", "Adam"), ("Adam", "AdamW")])
def test_resume_with_another_optimizer_type_is_refused(tmp_path, saved, resuming):
    first, train, _ = make(tmp_path, optimizer=functools.partial(getattr(ember.optim, saved), lr=0.01))
    first.fit(train, epochs=1)
    again, train, _ = make(tmp_path, optimizer=functools.partial(getattr(ember.optim, resuming), lr=0.01))
    with pytest.raises(ValueError, match=rf"checkpoint's optimizer is {saved}, this Trainer's is {resuming}"):
        again.fit(train, epochs=2, resume=True)


def test_log_and_plot_get_the_umask_mode_of_an_ordinary_file(tmp_path):
    old = os.umask(0o022)
    try:
        trainer, train, _ = make(tmp_path)
        trainer.fit(train, epochs=1)
        with open(tmp_path / "plain", "w"):
            pass
    finally:
        os.umask(old)
    expected = os.stat(tmp_path / "plain").st_mode & 0o777
    names = ["checkpoint.safetensors", "log.csv"] + (["curves.png"] if (tmp_path / "curves.png").exists() else [])
    assert {name: os.stat(tmp_path / name).st_mode & 0o777 for name in names} == dict.fromkeys(names, expected)
