"""The `ember` command: `ember quickstart`, more subcommands as they land."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ember", description="Train in Python, run on the edge.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    q = sub.add_parser("quickstart", help="train a digits MLP, export .tflite, check it on three engines")
    q.add_argument("--out", default="ember-quickstart", help="output folder (default: ./ember-quickstart)")
    q.add_argument("--epochs", type=int, default=30, help="training epochs (default: 30)")
    q.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")

    args = parser.parse_args(argv)
    if args.command == "quickstart":
        from .quickstart import run

        run(args.out, epochs=args.epochs, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
