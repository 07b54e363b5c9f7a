"""Training-step benchmark: Ember against PyTorch on the same models, data and optimiser.

    python tools/bench_train.py --json [--device cpu|cuda] [--steps 30]

prints one JSON line {"mlp": {...}, "cnn": {...}, "config": {...}}, each model with ember_ms, torch_ms (median time
of one training step: forward, cross-entropy, backward, SGD with momentum), ratio (ember / torch), ember_peak_mb and
torch_peak_mb. The models: MLP 64-128-128-10 on a batch of 64; CNN conv3x3(1->16)+BN+ReLU+maxpool2,
conv3x3(16->32)+BN+ReLU+maxpool2, linear(1568->10) on 1x28x28 images, batch 64.

Fairness:
- Both run single-threaded: the BLAS/OpenMP thread variables are set before numpy or torch is imported,
  threadpoolctl caps any pool that still starts, and torch.set_num_threads(1).
- Times come from one process, Ember and PyTorch interleaved in rounds (drift hits both alike), after warm-up
  steps, with the same initial weights (copied from torch) and the same batch.
- Peak memory is measured in a fresh child process per framework and model, so neither sees the other's
  allocations or caches: the child builds model, optimiser and batch, resets the kernel's peak-RSS mark
  (/proc/self/clear_refs, falling back to ru_maxrss when that is not allowed), runs the steps, and reports peak RSS
  minus the RSS before the first step: what training adds, whichever allocator made it. On CUDA it is the peak of
  bytes allocated on the GPU after one warm-up step (so library workspaces are not counted), over what the warm-up
  left allocated (torch.cuda.max_memory_allocated; for cupy, a memory hook counting live pool blocks).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402 - the thread variables must be set before numpy is imported
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

BATCH = 64


# models ------------------------------------------------------------------------------------------------------
def torch_model(kind: str) -> Any:
    import torch.nn as tnn

    if kind == "mlp":
        return tnn.Sequential(tnn.Linear(64, 128), tnn.ReLU(), tnn.Linear(128, 128), tnn.ReLU(), tnn.Linear(128, 10))
    return tnn.Sequential(
        tnn.Conv2d(1, 16, 3, padding=1), tnn.BatchNorm2d(16), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Conv2d(16, 32, 3, padding=1), tnn.BatchNorm2d(32), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Flatten(), tnn.Linear(1568, 10),
    )


def ember_model(kind: str) -> Any:
    from ember import nn

    if kind == "mlp":
        return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))
    missing = [n for n in ("Conv2d", "BatchNorm2d", "MaxPool2d") if not hasattr(nn, n)]
    if missing:
        raise NotImplementedError(f"ember.nn has no {', '.join(missing)} yet: the CNN benchmark needs them")
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1568, 10),
    )


def batch(kind: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    shape = (BATCH, 64) if kind == "mlp" else (BATCH, 1, 28, 28)
    return rng.standard_normal(shape).astype(np.float32), rng.integers(0, 10, BATCH)


class Runner:
    """One framework's model, optimiser and batch on a device, and a `step()` that trains once and waits for
    the device."""

    def __init__(self, framework: str, kind: str, device: str, weights: dict[str, np.ndarray] | None = None) -> None:
        x, y = batch(kind)
        self.framework = framework
        if framework == "torch":
            import torch

            torch.set_num_threads(1)
            dev = torch.device(device)
            self.model = torch_model(kind).to(dev)
            self.x, self.y = torch.tensor(x, device=dev), torch.tensor(y, device=dev)
            self.opt = torch.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9)
            self.loss_fn = torch.nn.functional.cross_entropy
            self.sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
        else:
            import ember

            self.model = ember_model(kind)
            if weights:
                own = self.model.state_dict()
                self.model.load_state_dict({k: v for k, v in weights.items() if k in own}, strict=False)
            self.model.to(device)
            self.x, self.y = ember.tensor(x, device=device), ember.tensor(y, device=device)
            self.opt = ember.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9)
            self.loss_fn = ember.nn.functional.cross_entropy
            if device.startswith("cuda"):
                import cupy

                self.sync = cupy.cuda.runtime.deviceSynchronize
            else:
                self.sync = lambda: None

    def step(self) -> float:
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(self.x), self.y)
        loss.backward()
        self.opt.step()
        self.sync()
        return float(loss.item())


def torch_weights(kind: str) -> dict[str, np.ndarray]:
    import torch

    torch.manual_seed(0)
    model = torch_model(kind)
    return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()
                   if v.dtype.is_floating_point}


# timing (one process, interleaved) -----------------------------------------------------------------------------
def time_steps(kind: str, device: str, steps: int, rounds: int = 5, warmup: int = 3) -> dict[str, Any]:
    import torch

    weights = torch_weights(kind)
    theirs = Runner("torch", kind, device)
    theirs.model.load_state_dict({k: torch.tensor(v) for k, v in weights.items()}, strict=False)
    ours = Runner("ember", kind, device, weights)
    first = (ours.step(), theirs.step())
    for _ in range(warmup):
        ours.step()
        theirs.step()
    times: dict[str, list[float]] = {"ember": [], "torch": []}
    per_round = max(1, steps // rounds)
    for _ in range(rounds):
        for name, runner in (("ember", ours), ("torch", theirs)):
            for _ in range(per_round):
                start = time.perf_counter()
                runner.step()
                times[name].append(time.perf_counter() - start)
    ember_ms, torch_ms = (1e3 * statistics.median(times[n]) for n in ("ember", "torch"))
    return {"ember_ms": round(ember_ms, 4), "torch_ms": round(torch_ms, 4), "ratio": round(ember_ms / torch_ms, 3),
            "first_loss_ember": round(first[0], 6), "first_loss_torch": round(first[1], 6)}


# memory (a child process per framework and model) -------------------------------------------------------------------
def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # Linux >= 4.0: reset the peak RSS (VmHWM) to the current RSS
        return True
    except OSError:
        return False


class _CupyPeak:
    """A cupy memory hook that follows the bytes held in live pool blocks and keeps their peak."""

    def __new__(cls) -> Any:
        from cupy.cuda import memory_hook

        class Hook(memory_hook.MemoryHook):
            name = "EmberPeakHook"

            def __init__(self) -> None:
                self.live: dict[int, int] = {}
                self.current = self.peak = 0

            def malloc_postprocess(self, device_id, size, mem_size, mem_ptr, pmem_id):  # noqa: ANN001
                self.live[mem_ptr] = mem_size
                self.current += mem_size
                self.peak = max(self.peak, self.current)

            def free_postprocess(self, device_id, mem_size, mem_ptr, pmem_id):  # noqa: ANN001
                self.current -= self.live.pop(mem_ptr, mem_size)

        return Hook()


def child(framework: str, kind: str, device: str, steps: int) -> dict[str, Any]:
    _limit_threads()
    runner = Runner(framework, kind, device)
    if device.startswith("cuda"):
        runner.step()  # one step first: cuBLAS/cuDNN workspaces and kernel caches are one-time costs on a GPU
        if framework == "torch":
            import torch

            torch.cuda.synchronize()
            base = torch.cuda.memory_allocated()
            torch.cuda.reset_peak_memory_stats()
            for _ in range(steps):
                runner.step()
            return {"peak_mb": (torch.cuda.max_memory_allocated() - base) / 2**20, "method": "cuda allocated bytes"}
        hook = _CupyPeak()
        with hook:
            for _ in range(steps):
                runner.step()
        return {"peak_mb": hook.peak / 2**20, "method": "cuda allocated bytes (cupy memory hook)"}
    reset = _reset_peak_rss()
    base = _status_kb("VmRSS") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(steps):
        runner.step()
    peak = _status_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"peak_mb": max(peak - base, 0) / 1024, "method": "peak RSS - RSS before the first step"
            + ("" if reset else " (ru_maxrss: clear_refs was not allowed)")}


def peak_mb(framework: str, kind: str, device: str, steps: int) -> tuple[float, str]:
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", framework, "--model", kind,
                          "--device", device, "--steps", str(steps)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{framework} {kind} memory child failed: {out.stderr.strip().splitlines()[-1:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return round(result["peak_mb"], 3), result["method"]


def _limit_threads() -> None:
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # the environment variables above already ask for one thread
        pass


def bench(kind: str, device: str, steps: int) -> dict[str, Any]:
    try:
        result = time_steps(kind, device, steps)
        result["ember_peak_mb"], method = peak_mb("ember", kind, device, min(steps, 10))
        result["torch_peak_mb"], _ = peak_mb("torch", kind, device, min(steps, 10))
        result["memory"] = method
        return result
    except NotImplementedError as e:
        return {"error": str(e)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Ember vs PyTorch training-step time and peak memory")
    parser.add_argument("--json", action="store_true", help="print one JSON line (the only output format)")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--steps", type=int, default=30, help="timed steps per framework and model (default 30)")
    parser.add_argument("--models", default="mlp,cnn", help="comma-separated subset of mlp,cnn")
    parser.add_argument("--child", choices=["ember", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--model", choices=["mlp", "cnn"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.model, args.device, args.steps)))
        return 0
    _limit_threads()
    import torch

    torch.set_num_threads(1)
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda needs a GPU that torch can see")
    report: dict[str, Any] = {kind: bench(kind, args.device, args.steps) for kind in args.models.split(",")}
    report["config"] = {"device": args.device, "batch": BATCH, "steps": args.steps, "threads": 1,
                        "numpy": np.__version__, "torch": torch.__version__}
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
