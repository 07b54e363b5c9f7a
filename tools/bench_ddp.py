"""DistributedDataParallel on this machine: step time of 1 and 2 MPI ranks (weak scaling: the same batch per
rank), scaling efficiency, bytes all-reduced per step, and how much of the all-reduce time backward hides.

    python tools/bench_ddp.py [--json] [--steps 30] [--ranks 2]

Run as is: it launches itself under mpiexec (--oversubscribe; --allow-run-as-root when run as root) once per rank
count, with one BLAS thread per rank (as ember launch sets). Per model and rank count it reports the median step
(forward, backward with DDP, optimiser step). Hidden fraction (2 ranks): 1 - (backward with DDP - backward of the
bare model) / (the same buckets all-reduced alone after backward), clipped to [0, 1]."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np


def _models() -> dict:
    from ember import nn
    from ember.tools.train_digits import build_cnn

    def mlp() -> nn.Module:
        return nn.Sequential(nn.Flatten(), nn.Linear(64, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                             nn.Linear(1024, 10))

    return {"digits_cnn": (build_cnn, 32), "mlp_1024": (mlp, 64)}


def _worker(steps: int) -> None:
    import ember
    import ember.distributed as dist
    from ember import nn

    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    rows = []
    for name, (build, batch) in _models().items():
        ember.manual_seed(0)
        bare = build()
        ddp = nn.parallel.DistributedDataParallel(build())
        rng = np.random.default_rng(rank)
        x = ember.tensor(rng.standard_normal((batch, 1, 8, 8)).astype(np.float32))
        y = ember.tensor(rng.integers(0, 10, batch))
        loss_fn = nn.CrossEntropyLoss()
        opt = ember.optim.SGD(ddp.parameters(), lr=0.01)
        step_t, back_ddp, back_bare, reduce_alone = [], [], [], []
        for i in range(steps + 3):
            dist.barrier()
            t0 = time.perf_counter()
            opt.zero_grad()
            loss = loss_fn(ddp(x), y)
            t1 = time.perf_counter()
            loss.backward()
            t2 = time.perf_counter()
            opt.step()
            t3 = time.perf_counter()
            loss_bare = loss_fn(bare(x), y)
            t4 = time.perf_counter()
            loss_bare.backward()
            t5 = time.perf_counter()
            flat = np.concatenate([p.grad.data.reshape(-1) for p in bare.parameters()])
            dist.barrier()
            t6 = time.perf_counter()
            dist.all_reduce(flat, dist.ReduceOp.AVG)
            t7 = time.perf_counter()
            for p in bare.parameters():
                p.grad = None
            if i >= 3:
                step_t.append(t3 - t0)
                back_ddp.append(t2 - t1)
                back_bare.append(t5 - t4)
                reduce_alone.append(t7 - t6)
        med = statistics.median
        exposed = med(back_ddp) - med(back_bare)
        hidden = 1.0 - exposed / med(reduce_alone) if world > 1 and med(reduce_alone) > 0 else None
        rows.append({"model": name, "ranks": world, "batch_per_rank": batch, "step_ms": med(step_t) * 1e3,
                     "backward_ddp_ms": med(back_ddp) * 1e3, "backward_bare_ms": med(back_bare) * 1e3,
                     "allreduce_alone_ms": med(reduce_alone) * 1e3, "bytes_allreduced_per_step": ddp.bytes_per_step,
                     "buckets": len(ddp._buckets),
                     "hidden_fraction": None if hidden is None else min(max(hidden, 0.0), 1.0)})
    if rank == 0:
        print("ROWS " + json.dumps(rows), flush=True)
    dist.destroy_process_group()


def _launch(ranks: int, steps: int) -> list[dict]:
    from ember.tools.launch import command, rank_environment
    args = command(ranks, __file__, ["--worker", "--steps", str(steps)],
                   allow_run_as_root=hasattr(os, "geteuid") and os.geteuid() == 0, mpi_args=["--oversubscribe"])
    out = subprocess.run(args, capture_output=True, text=True, timeout=1800, env=rank_environment())
    for line in out.stdout.splitlines():
        if line.startswith("ROWS "):
            return json.loads(line[5:])
    raise RuntimeError(f"bench_ddp: the {ranks}-rank run failed:\n{out.stdout}\n{out.stderr}")


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.steps)
        return 0
    one, many = _launch(1, args.steps), _launch(args.ranks, args.steps)
    report = {"cpu": _cpu(), "cores": os.cpu_count(), "steps": args.steps, "models": []}
    for a, b in zip(one, many, strict=True):
        report["models"].append({"model": a["model"], "batch_per_rank": a["batch_per_rank"],
                                 "step_ms_1": a["step_ms"], f"step_ms_{args.ranks}": b["step_ms"],
                                 "scaling_efficiency": a["step_ms"] / b["step_ms"],
                                 "bytes_allreduced_per_step": b["bytes_allreduced_per_step"],
                                 "buckets": b["buckets"], "allreduce_alone_ms": b["allreduce_alone_ms"],
                                 "hidden_fraction": b["hidden_fraction"]})
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"CPU: {report['cpu']} ({report['cores']} cores), {args.steps} steps, weak scaling")
        print(f"{'model':<12}{'batch/rank':>11}{'1 rank ms':>11}{f'{args.ranks} ranks ms':>12}{'efficiency':>12}"
              f"{'MB/step':>9}{'hidden':>8}")
        for m in report["models"]:
            hidden = "-" if m["hidden_fraction"] is None else f"{m['hidden_fraction']:.2f}"
            print(f"{m['model']:<12}{m['batch_per_rank']:>11}{m['step_ms_1']:>11.2f}"
                  f"{m[f'step_ms_{args.ranks}']:>12.2f}{m['scaling_efficiency']:>12.2f}"
                  f"{m['bytes_allreduced_per_step'] / 1e6:>9.2f}{hidden:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
