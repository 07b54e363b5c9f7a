"""Train a small CNN (or the quickstart's MLP) on the digits data set with `ember.Trainer`: the example the
quickstart and the README point to. `python -m ember.tools.train_digits --out runs/digits` writes the checkpoint,
log.csv and curves.png there and prints the test accuracy (>= 98 % for the CNN in well under two minutes on two
CPU cores).

Run the same command again and it resumes from the checkpoint in `--out` (a finished run trains nothing and
reports again); `--fresh` replaces that run. Ctrl-C stops with a one-line hint and exit status 130, and the next
run resumes from the last finished epoch, ending with the weights an uninterrupted run would have, bit for bit."""

from __future__ import annotations

import argparse
import json
import os
import sys

import ember
from ember import nn
from ember.data import DataLoader, transforms
from ember.data.datasets import Digits
from ember.files import write_atomically
from ember.trainer import CHECKPOINT, LOG, PLOT, TrainingInterrupted

SETTINGS = "run.json"  # the settings a checkpoint was trained with: resuming with others is refused


class RunMismatch(ValueError):
    """`--out` holds a run trained with other settings (epochs, model, seed) than this command's."""


def build_cnn() -> nn.Module:
    """conv3x3(1->16)+BN+ReLU, conv3x3(16->32)+BN+ReLU, maxpool 2 (8x8 -> 4x4), linear(512->10)."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(32 * 4 * 4, 10),
    )


def build_mlp() -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))


class Augmented(Digits):
    """Training digits shifted by up to one pixel (RandomCrop with padding), drawn from Ember's generator."""

    crop = transforms.RandomCrop(8, padding=1)

    def __getitem__(self, index: int) -> tuple:
        x, y = super().__getitem__(index)
        return self.crop(x), y


def run(out_dir: str | None = None, model: str = "cnn", epochs: int = 12, seed: int = 0, device: str = "cpu",
        progress: bool = True, return_model: bool = False, fresh: bool = False) -> dict:
    """Train and evaluate; the result holds the test metrics (and the trained module under "net" on request).
    With `out_dir`, resume the run there unless `fresh` (which deletes it first); `seconds` counts all its epochs."""
    settings = {"model": model, "epochs": epochs, "seed": seed}
    checkpoint = _prepare(out_dir, settings, fresh) if out_dir is not None else None
    ember.manual_seed(seed)
    net = build_cnn() if model == "cnn" else build_mlp()
    train = DataLoader(Augmented(train=True), batch_size=32, shuffle=True, seed=seed)
    test = DataLoader(Digits(train=False), batch_size=360)
    opt = ember.optim.AdamW(net.parameters(), lr=5e-3, weight_decay=1e-4)
    sched = ember.optim.lr_scheduler.OneCycleLR(opt, max_lr=5e-3, epochs=epochs, steps_per_epoch=len(train))
    trainer = ember.Trainer(net, opt, scheduler=sched, device=device, out_dir=out_dir, progress=progress)
    if checkpoint is not None:
        trainer.load_checkpoint(checkpoint, [train, test])  # what fit(resume=True) does, with our own message
        print(f"resumed from {checkpoint} (epoch {trainer.epoch} of {epochs}); pass --fresh to train from scratch",
              file=sys.stderr)
    trainer.fit(train, epochs=epochs, val_loader=test)
    result = {"model": model, "epochs": epochs, "seed": seed, "seconds": sum(row["seconds"] for row in trainer.history),
              **{f"test_{k}": v for k, v in trainer.evaluate(test).items()}}
    if return_model:
        result["net"] = net
    return result


def _prepare(out_dir: str, settings: dict, fresh: bool) -> str | None:
    """The checkpoint to resume from (None: train from scratch), after checking that it was trained with
    `settings`; `fresh` deletes the previous run's files instead (the checkpoint first, so that a fresh run
    stopped before its first epoch ends never resumes the old one)."""
    checkpoint, recorded = os.path.join(out_dir, CHECKPOINT), os.path.join(out_dir, SETTINGS)
    if fresh:
        for name in (CHECKPOINT, LOG, PLOT, SETTINGS):
            try:
                os.remove(os.path.join(out_dir, name))
            except FileNotFoundError:
                pass
    elif os.path.exists(checkpoint):
        if os.path.exists(recorded):  # a checkpoint of an older Ember has none: resume it as it is
            with open(recorded) as f:
                previous = json.load(f)
            changed = [f"{k} {previous.get(k)} (now {v})" for k, v in settings.items() if previous.get(k) != v]
            if changed:
                raise RunMismatch(f"{checkpoint} is a run with {', '.join(changed)}; the learning-rate schedule "
                                  "and the data order depend on them, so it cannot go on with these. Run with "
                                  "the same settings to resume it, or pass --fresh to train from scratch (this "
                                  "deletes that run)")
        return checkpoint
    os.makedirs(out_dir, exist_ok=True)
    write_atomically(recorded, (json.dumps(settings) + "\n").encode())
    return None


def interrupted(error: KeyboardInterrupt, out_dir: str | None) -> str:
    """The one line a command prints on Ctrl-C, instead of a traceback."""
    if not isinstance(error, TrainingInterrupted):  # before or after training: loading data, exporting
        return "interrupted; run the same command again" + (" to continue (the finished epochs are kept)" if out_dir
                                                            else "")
    during = f"interrupted {error.when}"
    if error.checkpoint is not None:
        return (f"{during}; run the same command again to resume from epoch {error.checkpoint_epoch}'s checkpoint "
                f"({error.checkpoint})")
    if out_dir is None:
        return f"{during}; nothing was saved: pass --out DIR to keep a checkpoint every epoch and resume from it"
    return f"{during}, before its first checkpoint; run the same command again to start over"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=None, help="folder for checkpoint, log.csv, curves.png; running again "
                        "resumes the run there")
    parser.add_argument("--fresh", action="store_true", help="delete the run in --out and train from scratch")
    parser.add_argument("--model", choices=["cnn", "mlp"], default="cnn")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    try:
        print(json.dumps(run(args.out, args.model, args.epochs, args.seed, args.device, fresh=args.fresh)))
    except KeyboardInterrupt as e:
        print(interrupted(e, args.out), file=sys.stderr)
        return 130  # what a shell reports for a command stopped by SIGINT
    except RunMismatch as e:
        parser.error(str(e))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
