"""The `ember` command: `ember quickstart`, more subcommands as they land."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ember", description="Train in Python, run on the edge.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    q = sub.add_parser("quickstart", help="train a digits CNN, export float32 + int8 .tflite, compare engines")
    q.add_argument("--out", default="ember-quickstart", help="output folder (default: ./ember-quickstart)")
    q.add_argument("--epochs", type=int, default=12, help="training epochs (default: 12)")
    q.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")

    i = sub.add_parser("inspect", help="list a .tflite model's tensors, ops, parameters, MACs and memory")
    i.add_argument("model", help="path of a .tflite file")
    i.add_argument("--json", action="store_true", help="print the report as JSON")

    args = parser.parse_args(argv)
    if args.command == "quickstart":
        from .quickstart import run

        run(args.out, epochs=args.epochs, seed=args.seed)
    elif args.command == "inspect":
        from .inspect_model import run as inspect

        return inspect(args.model, as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
