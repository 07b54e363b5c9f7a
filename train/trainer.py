"""`ember.Trainer`: the training loop most models need, with what makes long runs safe to stop.

`fit` trains for a number of epochs and, after each one, evaluates on the validation loader, then writes into
`out_dir`: `checkpoint.safetensors` (model, optimiser, scheduler, epoch, history and every random generator's state,
written atomically by `ember.save`), `log.csv` (one row an epoch) and `curves.png` (loss and accuracy; needs the
optional matplotlib: `pip install matplotlib`). A non-finite loss or gradient stops training before the step
(or, with `on_nonfinite="skip"`, skips the step), and a checkpoint is never written with non-finite weights, so
the last good one survives a divergence. `fit(..., resume=True)` continues from the checkpoint; because
the data order and every random draw come from the saved generator states, an interrupted and resumed run ends
with the same weights, bit for bit, as one that never stopped. Ctrl-C raises `TrainingInterrupted` (a
KeyboardInterrupt) whose message names the last checkpoint and how to resume. Progress is a tqdm bar on a
terminal and one plain line an epoch otherwise (a file, a pipe, a CI log).

`distributed=True` trains data-parallel over the ranks of an MPI job (mpirun -n N / ember launch -n N): the model
is wrapped in DistributedDataParallel, each DataLoader reads this rank's shard through a DistributedSampler, losses
and accuracies are summed over ranks, and only rank 0 shows progress and writes the checkpoint, log and curves;
resuming reads rank 0's checkpoint on every rank (same world size)."""

from __future__ import annotations

import copy
import csv
import io
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from . import distributed as dist
from .autograd import no_grad
from .data import DataLoader, DistributedSampler
from .device import device as Device
from .files import write_atomically
from .nn import functional as F
from .nn.modules.module import Module
from .nn.parallel import DistributedDataParallel
from .optim import Optimizer
from .optim.lr_scheduler import LRScheduler, OneCycleLR
from .random import default_generator, get_rng_state, set_rng_state
from .serialization import load, save
from .tensor import Tensor

CHECKPOINT = "checkpoint.safetensors"
LOG = "log.csv"
PLOT = "curves.png"
COLUMNS = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds", "skipped_steps"]
PLOT_HINT = 'pip install matplotlib, or pip install -e ".[plot]" in the Ember checkout'
_HINT = ("Lower the learning rate, check the inputs and targets for NaN/Inf, or pass Trainer(..., "
         "on_nonfinite='skip') to skip such steps")


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGINT) during `Trainer.fit`: `epoch` of `epochs` was running; `checkpoint` (None without
    out_dir) holds the end of `checkpoint_epoch` (0: none written yet), from which `fit(..., resume=True)` goes on."""

    def __init__(self, epoch: int, epochs: int, checkpoint: str | None, checkpoint_epoch: int) -> None:
        self.epoch, self.epochs, self.checkpoint, self.checkpoint_epoch = epoch, epochs, checkpoint, checkpoint_epoch
        resume = (f"the checkpoint of epoch {checkpoint_epoch} is {checkpoint}, and fit(..., resume=True) continues "
                  "from it" if checkpoint is not None else "no checkpoint was written")
        super().__init__(f"Trainer: interrupted {self.when}; {resume}")

    @property
    def when(self) -> str:
        """When Ctrl-C came: "during epoch 2 of 3", or "after epoch 2 of 3" once that epoch's checkpoint was written
        (while the log and the plot were)."""
        done = self.checkpoint is not None and self.checkpoint_epoch >= self.epoch
        return f"{'after' if done else 'during'} epoch {self.epoch} of {self.epochs}"


class Trainer:
    """fit/evaluate a classifier (or any model with a loss).

    `loss_fn(output, target)` defaults to cross-entropy; accuracy is reported when outputs are (N, C) scores and
    targets class indices. The scheduler steps once an epoch, or once a batch for OneCycleLR (override with
    `scheduler_interval="epoch" | "step"`). Batches are `(input, target)` pairs, moved to `device`.
    `on_nonfinite="raise"` (the default) stops at a NaN/Inf loss or gradient, naming the epoch and batch;
    `"skip"` leaves the weights and optimiser state as they were for that batch and counts it (`skipped_steps`)."""

    def __init__(self, model: Module, optimizer: Optimizer, loss_fn: Callable[[Any, Any], Tensor] | None = None,
                 scheduler: LRScheduler | None = None, scheduler_interval: str | None = None,
                 device: str | Device | None = None, out_dir: str | os.PathLike | None = None,
                 progress: bool = True, on_nonfinite: str = "raise", distributed: bool = False) -> None:
        self.distributed = distributed
        if distributed:
            model = self._distributed_model(model)
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.loss_fn = loss_fn or F.cross_entropy
        interval = scheduler_interval or ("step" if isinstance(scheduler, OneCycleLR) else "epoch")
        if interval not in ("epoch", "step"):
            raise ValueError(f"Trainer: scheduler_interval must be 'epoch' or 'step', got {interval!r}")
        self.scheduler_interval = interval
        if on_nonfinite not in ("raise", "skip"):
            raise ValueError(f"Trainer: on_nonfinite must be 'raise' or 'skip', got {on_nonfinite!r}")
        self.on_nonfinite = on_nonfinite
        self.device = Device(device) if device is not None else None
        if self.device is not None:
            model.to(self.device)
        self.out_dir = os.fspath(out_dir) if out_dir is not None else None
        self.is_main = not distributed or dist.get_rank() == 0
        self.progress = progress and self.is_main
        self.history: list[dict[str, float]] = []
        self.epoch = 0
        self._warned_plot = False

    # distributed -----------------------------------------------------------------------------------------------
    @staticmethod
    def _distributed_model(model: Module) -> Module:
        """`model` in DistributedDataParallel (the process group started from the launcher's environment if the
        script did not start one)."""
        if not dist.is_initialized():
            dist.init_process_group("mpi")
        return model if isinstance(model, DistributedDataParallel) else DistributedDataParallel(model)

    @property
    def module(self) -> Module:
        """The model without its DistributedDataParallel wrapper (what checkpoints hold)."""
        return self.model.module if isinstance(self.model, DistributedDataParallel) else self.model

    def _shard(self, loader: Any, epoch: int) -> Any:
        """This rank's part of `loader`: a DataLoader without a DistributedSampler gets one (shuffling when the
        loader shuffled, same seed on every rank); its epoch is set so each epoch has its own order."""
        if not self.distributed or not isinstance(loader, DataLoader):
            return loader
        if not isinstance(loader.sampler, DistributedSampler):
            sharded = copy.copy(loader)
            sharded.sampler = DistributedSampler(loader.dataset, shuffle=loader.shuffle, seed=0)
            sharded.shuffle, sharded._pool = False, None
            loader = sharded
        loader.sampler.set_epoch(epoch)
        return loader

    def _all_ranks_finite(self, finite: bool) -> bool:
        """Every rank must skip (or take) a step together, or their collectives would no longer pair up."""
        if not self.distributed:
            return finite
        flag = np.array([1 if finite else 0], np.int32)
        dist.all_reduce(flag, dist.ReduceOp.MIN)
        return bool(flag[0])

    def _sum_over_ranks(self, *values: float) -> list[float]:
        if not self.distributed:
            return list(values)
        total = np.array(values, np.float64)
        dist.all_reduce(total)
        return total.tolist()

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

    def _run(self, loader: Iterable[Any], train: bool, desc: str, where: str = "") -> dict[str, float]:
        total_loss, correct, count, accuracy_known, skipped, steps = 0.0, 0, 0, True, 0, 0
        self.model.train(train)
        bar = _progress(loader, desc, enabled=self.progress)
        try:
            for index, batch in enumerate(bar):
                x, y = self._to_device(batch)
                if train:
                    steps += 1
                    output = self.model(x)
                    loss = self.loss_fn(output, y)
                    value = float(loss.item())
                    self.optimizer.zero_grad()
                    if self._all_ranks_finite(math.isfinite(value)):
                        loss.backward()
                        problem = self._nonfinite_gradient()
                    else:
                        problem = (f"the loss is {value}" if not math.isfinite(value)
                                   else "another rank's loss is NaN/Inf")
                    if problem is None:
                        self.optimizer.step()
                    elif self.on_nonfinite == "raise":
                        kept = (f"; {self.checkpoint_path} keeps epoch {self.epoch}'s finite weights"
                                if self.out_dir is not None and self.epoch else "")
                        raise FloatingPointError(f"Trainer: {problem} at {where}, batch index {index}; training "
                                                 f"stopped before this step changed the weights{kept}. "
                                                 + _HINT)
                    else:  # skipped: the weights and optimiser state stay as they were for this batch
                        self.optimizer.zero_grad()
                        skipped += 1
                    if self.scheduler is not None and self.scheduler_interval == "step":
                        self.scheduler.step()  # the schedule follows the data, skipped steps included
                    if problem is not None:
                        continue
                else:
                    with no_grad():
                        output = self.model(x)
                        loss = self.loss_fn(output, y)
                    value = float(loss.item())
                n = len(x) if hasattr(x, "__len__") else 1
                total_loss += value * n
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
        total_loss, correct, count = self._sum_over_ranks(total_loss, correct, count)
        if skipped:
            warnings.warn(f"Trainer: skipped {skipped} of {steps} training steps in {where} because the loss or a "
                          "gradient was NaN/Inf (on_nonfinite='skip'); if it keeps happening, lower the learning rate "
                          "or check the inputs", RuntimeWarning, stacklevel=4)
        return {"loss": total_loss / count if count else math.nan,
                "accuracy": correct / count if count and accuracy_known else math.nan, "skipped_steps": skipped}

    def _nonfinite_gradient(self) -> str | None:
        """None when every gradient is finite, else which one is not (one host sync for all of them)."""
        grads = [(p, p.grad.data) for p in self.optimizer._params() if p.grad is not None]
        if not grads:
            return None
        xp = grads[0][0]._xp
        if bool(xp.stack([xp.isfinite(g).all() for _, g in grads]).all()):
            return None
        names = {id(p): name for name, p in self.model.named_parameters()}
        p = next(p for p, g in grads if not bool(xp.isfinite(g).all()))
        return f"the gradient of {names.get(id(p), 'an optimizer parameter')!r} has NaN/Inf values"

    def _nonfinite_state(self) -> str | None:
        """The first model entry or optimiser state array that is NaN/Inf, or None."""
        for name, t in self.model.state_dict().items():
            if t.dtype.kind == "f" and not bool(t._xp.isfinite(t.data).all()):
                return f"model entry {name!r}"
        for i, p in enumerate(self.optimizer._params()):
            for key, value in self.optimizer.state.get(id(p), {}).items():
                if getattr(value, "dtype", None) is not None and value.dtype.kind == "f" and not bool(
                        p._xp.isfinite(value).all()):
                    return f"optimizer state {key!r} of parameter {i}"
                if isinstance(value, float) and not math.isfinite(value):
                    return f"optimizer state {key!r} of parameter {i}"
        return None

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
                if self.progress:
                    print(f"Trainer: resumed from {path} (epoch {self.epoch} of {epochs})", file=sys.stderr)
            elif resume is not True:
                raise FileNotFoundError(f"Trainer.fit: no checkpoint at {path}")
        saved = self.epoch  # the epoch out_dir's checkpoint holds, for the interrupt message
        epoch = self.epoch
        try:
            for epoch in range(self.epoch, epochs):
                start = time.perf_counter()
                train = self._run(self._shard(train_loader, epoch), train=True, desc=f"epoch {epoch + 1}/{epochs}",
                                  where=f"epoch {epoch + 1} of {epochs}")
                if self.scheduler is not None and self.scheduler_interval == "epoch":
                    self.scheduler.step()
                val = self.evaluate(self._shard(val_loader, epoch)) if val_loader is not None else {"loss": math.nan,
                                                                                "accuracy": math.nan}
                self.epoch = epoch + 1
                self.history.append({
                    "epoch": self.epoch, "train_loss": train["loss"], "train_accuracy": train["accuracy"],
                    "val_loss": val["loss"], "val_accuracy": val["accuracy"],
                    "lr": float(self.optimizer.param_groups[0]["lr"]), "seconds": time.perf_counter() - start,
                    "skipped_steps": train["skipped_steps"],
                })
                self._report(self.history[-1], epochs)
                if self.out_dir is not None:
                    if self.is_main:  # one writer; the others wait so that no rank resumes from a half-run epoch
                        os.makedirs(self.out_dir, exist_ok=True)
                        self.save_checkpoint(self.checkpoint_path, loaders)
                        saved = self.epoch  # at once: a Ctrl-C during the log or plot still names this checkpoint
                        self._write_log()
                        self._plot()
                    if self.distributed:
                        dist.barrier()
                    saved = self.epoch
        except KeyboardInterrupt as interrupt:
            path = self.checkpoint_path if self.out_dir is not None and saved else None
            # the original traceback stays (where Ctrl-C landed); the message says how to go on
            raise TrainingInterrupted(epoch + 1, epochs, path, saved).with_traceback(interrupt.__traceback__) from None
        return self.history

    def _report(self, row: dict[str, float], epochs: int) -> None:
        if not self.progress:
            return
        parts = [f"epoch {row['epoch']}/{epochs}", f"train loss {row['train_loss']:.4f}"]
        parts += [f"{k.replace('_', ' ')} {row[k]:.4f}" for k in ("train_accuracy", "val_loss", "val_accuracy")
                  if not math.isnan(row[k])]
        if row.get("skipped_steps"):
            parts.append(f"skipped {row['skipped_steps']} non-finite steps")
        parts.append(f"{row['seconds']:.1f} s")
        print(", ".join(parts), file=sys.stderr)

    # checkpoints -----------------------------------------------------------------------------------------------
    def save_checkpoint(self, path: str | os.PathLike, loaders: Iterable[Any] = ()) -> None:
        """Everything a resumed run needs, as one atomic `ember.save` file. Refuses (FloatingPointError) when a
        weight or optimiser state is NaN/Inf, so that a diverged run never replaces the last finite checkpoint."""
        bad = self._nonfinite_state()
        if bad is not None:
            raise FloatingPointError(f"Trainer: {bad} has non-finite values (NaN/Inf) after epoch {self.epoch}; not "
                                     f"writing {os.fspath(path)}, so the last finite checkpoint stays. "
                                     + _HINT)
        save({
            "format": "ember.Trainer/1",
            "epoch": self.epoch,
            "model": self.module.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "optimizer_type": type(self.optimizer).__name__,
            "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
            "history": self.history,
            "rng": get_rng_state(default_generator()),
            "loader_rng": [get_rng_state(g) if g is not None else None for g in _generators(loaders)],
        }, path)

    def load_checkpoint(self, path: str | os.PathLike, loaders: Iterable[Any] = ()) -> None:
        state = load(path)
        if not isinstance(state, dict) or state.get("format") != "ember.Trainer/1":
            raise ValueError(f"{path}: not a Trainer checkpoint (it has no 'format': 'ember.Trainer/1' entry)")
        saved, mine = state.get("optimizer_type"), type(self.optimizer).__name__
        if saved is not None and saved != mine:
            raise ValueError(f"{path}: the checkpoint's optimizer is {saved}, this Trainer's is {mine}; resuming would "
                             f"apply {saved}'s state to {mine}. Build the Trainer with {saved} to resume, or start a "
                             "new run (another out_dir, or resume=False)")
        self.module.load_state_dict(state["model"])
        try:
            self.optimizer.load_state_dict(state["optimizer"])
        except ValueError as e:
            raise ValueError(f"{path}: {e}") from None
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
        text = io.StringIO(newline="")
        writer = csv.DictWriter(text, fieldnames=COLUMNS)
        writer.writeheader()
        for row in self.history:  # rows of a checkpoint from before a column existed leave it empty
            writer.writerow({k: ("" if isinstance(row.get(k), float) and math.isnan(row[k]) else row.get(k, ""))
                             for k in COLUMNS})
        write_atomically(self._path(LOG), text.getvalue().encode())

    def _plot(self) -> None:
        try:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure
        except ImportError:
            if not self._warned_plot:
                print(f"Trainer: matplotlib is not installed, so {PLOT} is not drawn ({PLOT_HINT}); log.csv has "
                      "the same numbers", file=sys.stderr)
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
        image = io.BytesIO()
        figure.savefig(image, format="png")
        write_atomically(self._path(PLOT), image.getvalue())


def _generators(loaders: Iterable[Any]) -> list[np.random.Generator | None]:
    return [getattr(loader, "generator", None) for loader in loaders]


def _progress(loader: Iterable[Any], desc: str, enabled: bool) -> Any:
    """A tqdm bar over `loader` on a terminal (or in a notebook); elsewhere the loader itself, because a bar
    redrawn with carriage returns fills a log file or a pipe with kilobytes of updates (`_report`'s line per
    epoch stays)."""
    if not enabled:
        return loader
    try:
        from tqdm.auto import tqdm
        from tqdm.autonotebook import tqdm as console_or_notebook
        from tqdm.std import tqdm as console
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return loader
    in_notebook = console_or_notebook is not console
    isatty = getattr(sys.stderr, "isatty", None)  # tqdm writes to sys.stderr
    if not in_notebook and not (callable(isatty) and isatty()):
        return loader
    return tqdm(loader, desc=desc, leave=False, dynamic_ncols=True)
