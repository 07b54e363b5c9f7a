"""`ember.Trainer`: the training loop most models need, with what makes long runs safe to stop.

`fit` trains for a number of epochs and, after each one, evaluates on the validation loader, then writes into
`out_dir`: `checkpoint.safetensors` (model, optimiser, scheduler, epoch, history and every random generator's state,
written atomically by `ember.save`), `log.csv` (one row an epoch) and `curves.png` (loss and accuracy; needs the
optional matplotlib, `pip install ember[plot]`). `fit(..., resume=True)` continues from the checkpoint; because
the data order and every random draw come from the saved generator states, an interrupted and resumed run ends
with the same weights, bit for bit, as one that never stopped."""

from __future__ import annotations

import csv
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .autograd import no_grad
from .device import device as Device
from .nn import functional as F
from .nn.modules.module import Module
from .optim import Optimizer
from .optim.lr_scheduler import LRScheduler, OneCycleLR
from .random import default_generator, get_rng_state, set_rng_state
from .serialization import load, save
from .tensor import Tensor

CHECKPOINT = "checkpoint.safetensors"
LOG = "log.csv"
PLOT = "curves.png"
COLUMNS = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds"]


class Trainer:
    """fit/evaluate a classifier (or any model with a loss).

    `loss_fn(output, target)` defaults to cross-entropy; accuracy is reported when outputs are (N, C) scores and
    targets class indices. The scheduler steps once an epoch, or once a batch for OneCycleLR (override with
    `scheduler_interval="epoch" | "step"`). Batches are `(input, target)` pairs, moved to `device`."""

    def __init__(self, model: Module, optimizer: Optimizer, loss_fn: Callable[[Any, Any], Tensor] | None = None,
                 scheduler: LRScheduler | None = None, scheduler_interval: str | None = None,
                 device: str | Device | None = None, out_dir: str | os.PathLike | None = None,
                 progress: bool = True) -> None:
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.loss_fn = loss_fn or F.cross_entropy
        interval = scheduler_interval or ("step" if isinstance(scheduler, OneCycleLR) else "epoch")
        if interval not in ("epoch", "step"):
            raise ValueError(f"Trainer: scheduler_interval must be 'epoch' or 'step', got {interval!r}")
        self.scheduler_interval = interval
        self.device = Device(device) if device is not None else None
        if self.device is not None:
            model.to(self.device)
        self.out_dir = os.fspath(out_dir) if out_dir is not None else None
        self.progress = progress
        self.history: list[dict[str, float]] = []
        self.epoch = 0
        self._warned_plot = False

    # paths -----------------------------------------------------------------------------------------------------
    def _path(self, name: str) -> str | None:
        return os.path.join(self.out_dir, name) if self.out_dir is not None else None

    @property
    def checkpoint_path(self) -> str | None:
        return self._path(CHECKPOINT)

    # one pass ----------------------------------------------------------------------------------------------------
    def _to_device(self, batch: Any) -> tuple[Any, Any]:
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            raise TypeError(f"Trainer: a batch must be an (input, target) pair, got {type(batch).__name__}"
                            + (f" of {len(batch)}" if isinstance(batch, (tuple, list)) else ""))
        x, y = batch
        if self.device is not None:
            x, y = (t.to(self.device) if isinstance(t, Tensor) else t for t in (x, y))
        return x, y

    @staticmethod
    def _correct(output: Any, target: Any) -> int | None:
        """Correct predictions in a batch, or None when accuracy does not apply (not class scores and indices)."""
        if not isinstance(output, Tensor) or not isinstance(target, Tensor) or output.ndim != 2:
            return None
        if target.ndim != 1 or target.dtype.kind not in "iu":
            return None
        return int((output.data.argmax(axis=1) == target.data).sum())

    def _run(self, loader: Iterable[Any], train: bool, desc: str) -> dict[str, float]:
        total_loss, correct, count, accuracy_known = 0.0, 0, 0, True
        self.model.train(train)
        bar = _progress(loader, desc, enabled=self.progress)
        try:
            for batch in bar:
                x, y = self._to_device(batch)
                if train:
                    output = self.model(x)
                    loss = self.loss_fn(output, y)
                    self.optimizer.zero_grad()
                    loss.backward()
                    self.optimizer.step()
                    if self.scheduler is not None and self.scheduler_interval == "step":
                        self.scheduler.step()
                else:
                    with no_grad():
                        output = self.model(x)
                        loss = self.loss_fn(output, y)
                n = len(x) if hasattr(x, "__len__") else 1
                total_loss += float(loss.item()) * n
                count += n
                hits = self._correct(output, y)
                accuracy_known = accuracy_known and hits is not None
                correct += hits or 0
                if hasattr(bar, "set_postfix"):
                    bar.set_postfix(loss=f"{total_loss / count:.4f}",
                                    **({"acc": f"{correct / count:.4f}"} if accuracy_known else {}))
        finally:
            if hasattr(bar, "close"):
                bar.close()
        return {"loss": total_loss / count if count else math.nan,
                "accuracy": correct / count if count and accuracy_known else math.nan}

    def evaluate(self, loader: Iterable[Any]) -> dict[str, float]:
        """Mean loss and accuracy over `loader`, in eval mode and without building a graph."""
        was_training = self.model.training
        try:
            return self._run(loader, train=False, desc="evaluate")
        finally:
            self.model.train(was_training)

    # the loop ------------------------------------------------------------------------------------------------
    def fit(self, train_loader: Iterable[Any], epochs: int, val_loader: Iterable[Any] | None = None,
            resume: bool | str | os.PathLike = False) -> list[dict[str, float]]:
        """Train until `epochs` epochs are done in total (a resumed run counts the epochs it had). `resume=True`
        continues from `out_dir`'s checkpoint when there is one; a path resumes from that file."""
        loaders = [train_loader, val_loader]
        if resume:
            path = self.checkpoint_path if resume is True else os.fspath(resume)
            if path is None:
                raise ValueError("Trainer.fit(resume=True) needs out_dir (or pass the checkpoint's path)")
            if os.path.exists(path):
                self.load_checkpoint(path, loaders)
            elif resume is not True:
                raise FileNotFoundError(f"Trainer.fit: no checkpoint at {path}")
        epoch = self.epoch
        try:
            for epoch in range(self.epoch, epochs):
                start = time.perf_counter()
                train = self._run(train_loader, train=True, desc=f"epoch {epoch + 1}/{epochs}")
                if self.scheduler is not None and self.scheduler_interval == "epoch":
                    self.scheduler.step()
                val = self.evaluate(val_loader) if val_loader is not None else {"loss": math.nan,
                                                                                "accuracy": math.nan}
                self.epoch = epoch + 1
                self.history.append({
                    "epoch": self.epoch, "train_loss": train["loss"], "train_accuracy": train["accuracy"],
                    "val_loss": val["loss"], "val_accuracy": val["accuracy"],
                    "lr": float(self.optimizer.param_groups[0]["lr"]), "seconds": time.perf_counter() - start,
                })
                self._report(self.history[-1])
                if self.out_dir is not None:
                    os.makedirs(self.out_dir, exist_ok=True)
                    self.save_checkpoint(self.checkpoint_path, loaders)
                    self._write_log()
                    self._plot()
        except KeyboardInterrupt:
            where = (f"; the checkpoint of epoch {self.epoch} is {self.checkpoint_path}, and "
                     "fit(..., resume=True) continues from it") if self.out_dir and self.epoch else ""
            print(f"\nTrainer: interrupted during epoch {epoch + 1}{where}", file=sys.stderr)
            raise
        return self.history

    def _report(self, row: dict[str, float]) -> None:
        if not self.progress:
            return
        parts = [f"epoch {row['epoch']}", f"train loss {row['train_loss']:.4f}"]
        parts += [f"{k.replace('_', ' ')} {row[k]:.4f}" for k in ("train_accuracy", "val_loss", "val_accuracy")
                  if not math.isnan(row[k])]
        print(", ".join(parts), file=sys.stderr)

    # checkpoints -----------------------------------------------------------------------------------------------
    def save_checkpoint(self, path: str | os.PathLike, loaders: Iterable[Any] = ()) -> None:
        """Everything a resumed run needs, as one atomic `ember.save` file."""
        save({
            "format": "ember.Trainer/1",
            "epoch": self.epoch,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
            "history": self.history,
            "rng": get_rng_state(default_generator()),
            "loader_rng": [get_rng_state(g) if g is not None else None for g in _generators(loaders)],
        }, path)

    def load_checkpoint(self, path: str | os.PathLike, loaders: Iterable[Any] = ()) -> None:
        state = load(path)
        if not isinstance(state, dict) or state.get("format") != "ember.Trainer/1":
            raise ValueError(f"{path}: not a Trainer checkpoint (it has no 'format': 'ember.Trainer/1' entry)")
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None:
            if state["scheduler"] is None:
                raise ValueError(f"{path}: the checkpoint has no scheduler state, but this Trainer has a scheduler")
            self.scheduler.load_state_dict(state["scheduler"])
        self.epoch, self.history = int(state["epoch"]), list(state["history"])
        set_rng_state(state["rng"], default_generator())
        for generator, saved in zip(_generators(loaders), state["loader_rng"], strict=False):
            if generator is not None and saved is not None:
                set_rng_state(saved, generator)

    # log and plot ------------------------------------------------------------------------------------------------
    def _write_log(self) -> None:
        path = self._path(LOG)
        fd, tmp = tempfile.mkstemp(prefix=".log-", suffix=".csv", dir=self.out_dir)
        with os.fdopen(fd, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            for row in self.history:
                writer.writerow({k: ("" if isinstance(row[k], float) and math.isnan(row[k]) else row[k])
                                 for k in COLUMNS})
        os.replace(tmp, path)

    def _plot(self) -> None:
        try:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure
        except ImportError:
            if not self._warned_plot:
                print(f"Trainer: matplotlib is not installed, so {PLOT} is not drawn "
                      "(pip install ember[plot]); log.csv has the same numbers", file=sys.stderr)
                self._warned_plot = True
            return
        epochs = [row["epoch"] for row in self.history]
        figure = Figure(figsize=(9, 3.5), dpi=100)
        FigureCanvasAgg(figure)
        for i, (metric, title) in enumerate((("loss", "loss"), ("accuracy", "accuracy"))):
            axes = figure.add_subplot(1, 2, i + 1)
            for split in ("train", "val"):
                values = [row[f"{split}_{metric}"] for row in self.history]
                if not all(math.isnan(v) for v in values):
                    axes.plot(epochs, values, marker="o", markersize=3, label=split)
            axes.set_xlabel("epoch")
            axes.set_title(title)
            axes.grid(alpha=0.3)
            axes.legend()
        figure.tight_layout()
        fd, tmp = tempfile.mkstemp(prefix=".curves-", suffix=".png", dir=self.out_dir)
        os.close(fd)
        figure.savefig(tmp, format="png")
        os.replace(tmp, self._path(PLOT))


def _generators(loaders: Iterable[Any]) -> list[np.random.Generator | None]:
    return [getattr(loader, "generator", None) for loader in loaders]


def _progress(loader: Iterable[Any], desc: str, enabled: bool) -> Any:
    if not enabled:
        return loader
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return loader
    return tqdm(loader, desc=desc, leave=False, dynamic_ncols=True)
