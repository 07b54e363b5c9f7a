"""The `ember` command: `ember quickstart`, `ember inspect`, `ember bench`."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ember", description="Train in Python, run on the edge.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    q = sub.add_parser("quickstart", help="train a digits CNN, export float32 + int8 .tflite, compare engines",
                       description="Train a digits CNN, export it as float32 and int8 .tflite, and compare Ember's "
                       "C runtime with LiteRT. Run again into the same --out, it resumes the training run in "
                       "OUT/train (a finished one is not trained again; Ctrl-C, then the same command, goes on from "
                       "the last finished epoch); --fresh trains from scratch.")
    q.add_argument("--out", default="ember-quickstart", help="output folder (default: ./ember-quickstart); a "
                   "previous run there is resumed")
    q.add_argument("--fresh", action="store_true", help="delete the training run in OUT/train and train from scratch")
    q.add_argument("--epochs", type=int, default=12, help="training epochs (default: 12)")
    q.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    q.add_argument("--android-assets", metavar="DIR", help="also write the int8 model with its labels and input "
                   "normalisation (from the model's \"ember\" metadata) into DIR, e.g. "
                   "android_demo/app/src/main/assets")

    i = sub.add_parser("inspect", help="list a .tflite model's tensors, ops, parameters, MACs and memory")
    i.add_argument("model", help="path of a .tflite file")
    i.add_argument("input", nargs="?", help="with --trace: the input, a .npy (or a .npz, one array per input)")
    i.add_argument("--trace", action="store_true", help="run MODEL on INPUT with Ember and LiteRT (BUILTIN_REF) and "
                   "print each op's output statistics side by side, the first divergence marked")
    i.add_argument("--json", action="store_true", help="print the report as JSON")

    la = sub.add_parser("launch", help="run a training script on N MPI ranks (a thin wrapper over mpiexec)",
                        description="Run N copies of SCRIPT as one MPI job through the installed mpiexec; the script "
                        "calls ember.distributed.init_process_group('mpi'). Equivalent to mpirun -n N python SCRIPT.")
    la.add_argument("-n", "--nproc", type=int, required=True, help="number of ranks")
    la.add_argument("--hostfile", help="MPI hostfile for a multi-node job (passed to mpiexec)")
    la.add_argument("--allow-run-as-root", action="store_true", help="pass Open MPI's --allow-run-as-root")
    la.add_argument("--mpi-arg", action="append", default=[], metavar="ARG",
                    help="extra mpiexec argument, repeatable (e.g. --mpi-arg=--oversubscribe)")
    la.add_argument("script", help="the Python script")
    la.add_argument("script_args", nargs=argparse.REMAINDER, help="the script's arguments")

    b = sub.add_parser("bench", help="latency of a .tflite model with ember-bench, here or on a phone (--adb)",
                       description="Build (once, then reuse) ember-bench and time a model: on this machine, or with "
                       "--adb on an Android device: the static aarch64/armv7/x86-64 binary for the device's ABI is "
                       "pushed with the model to /data/local/tmp/ember, run there, and its JSON pulled back.")
    b.add_argument("model", help="path of a .tflite file")
    b.add_argument("--adb", action="store_true", help="run on the device adb sees (USB debugging enabled)")
    b.add_argument("--serial", help="the device's serial when several are connected (as adb -s)")
    b.add_argument("--num_threads", type=int, default=1, help="threads of invoke, -1 for all cores (default: 1)")
    b.add_argument("--num_runs", type=int, default=50, help="measured runs (default: 50)")
    b.add_argument("--warmup_runs", type=int, default=1, help="runs before measuring (default: 1)")
    b.add_argument("--input_layer", metavar="NAMES", help="inputs to resize, comma-separated names (benchmark_model's "
                   "flag; default: the inputs in order)")
    b.add_argument("--input_layer_shape", metavar="SHAPES", help="their new shapes, colon-separated, each "
                   "comma-separated dims, e.g. 1,224,224,3 (benchmark_model's flag)")
    b.add_argument("--json", action="store_true", help="print the report as JSON")

    args = parser.parse_args(argv)
    if args.command == "bench":
        if args.serial and not args.adb:
            b.error("--serial needs --adb")
        from .bench import run as bench

        return bench(args)
    if args.command == "quickstart":
        from .quickstart import run
        from .train_digits import RunMismatch, interrupted

        try:
            report = run(args.out, epochs=args.epochs, seed=args.seed, fresh=args.fresh)
            if args.android_assets:
                from .android_assets import write_android_assets

                for path in write_android_assets(report["int8_path"], args.android_assets):
                    print(f"android assets: {path}")
        except KeyboardInterrupt as e:
            print(interrupted(e, args.out), file=sys.stderr)
            return 130  # what a shell reports for a command stopped by SIGINT
        except RunMismatch as e:
            q.error(str(e))
    elif args.command == "launch":
        from .launch import run as launch

        return launch(args.nproc, args.script, args.script_args, hostfile=args.hostfile,
                      allow_run_as_root=args.allow_run_as_root, mpi_args=args.mpi_arg)
    elif args.command == "inspect":
        if args.trace or args.input:
            if not args.trace:
                i.error("INPUT is read with --trace only: ember inspect --trace MODEL INPUT.npy")
            from .trace_model import run as trace

            return trace(args.model, args.input, as_json=args.json)
        from .inspect_model import run as inspect

        return inspect(args.model, as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
