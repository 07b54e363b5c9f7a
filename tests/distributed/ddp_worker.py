"""Run under `mpiexec -n 2`: the scenarios of test_ddp.py. Each prints one JSON line per rank ("RESULT {...}")
that the test reads; a failed check raises, which aborts the job."""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

import ember
import ember.distributed as dist
from ember import nn
from ember.data import DataLoader, DistributedSampler, TensorDataset
from ember.data.datasets import Digits


def digits_cnn(seed: int, sync: bool = True) -> nn.Module:
    """tools/train_digits.py's CNN in float64, dropout off (per-process dropout masks cannot equal one process's
    masks of the concatenated batch), its BatchNorms made SyncBatchNorm for the distributed replica (`sync`); the
    single-process reference keeps plain BatchNorm."""
    from ember.tools.train_digits import build_cnn
    ember.manual_seed(seed)
    model = build_cnn()
    if sync:
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    for t in list(model.parameters()) + [b for b in model.buffers() if b.data.dtype == np.float32]:
        t.data = t.data.astype(np.float64)
    return model


def digits_mlp(seed: int) -> nn.Module:
    """The quickstart's MLP in float64 (no batch statistics: micro-batches accumulate exactly)."""
    from ember.tools.train_digits import build_mlp
    ember.manual_seed(seed)
    model = build_mlp()
    for p in model.parameters():
        p.data = p.data.astype(np.float64)
    return model


def batches(steps: int, per_rank: int, world: int) -> list[tuple[np.ndarray, np.ndarray]]:
    data = Digits(train=True)
    rng = np.random.default_rng(0)
    out = []
    for _ in range(steps):
        idx = rng.choice(len(data), per_rank * world, replace=False)
        xs = np.stack([np.asarray(data[i][0], np.float64).reshape(1, 8, 8) for i in idx])
        ys = np.array([int(data[i][1]) for i in idx])
        out.append((xs, ys))
    return out


def flat_params(model: nn.Module) -> np.ndarray:
    return np.concatenate([p.data.reshape(-1) for p in model.parameters()] +
                          [b.data.reshape(-1).astype(np.float64) for b in model.buffers()])


def same_on_all_ranks(values: np.ndarray) -> bool:
    lo, hi = values.copy(), values.copy()
    dist.all_reduce(lo, dist.ReduceOp.MIN)
    dist.all_reduce(hi, dist.ReduceOp.MAX)
    return bool(np.array_equal(lo, hi))


def scenario_equivalence(steps: int = 4) -> dict:
    rank, world = dist.get_rank(), dist.get_world_size()
    per_rank = 16
    ddp = nn.parallel.DistributedDataParallel(digits_cnn(seed=100 + rank), bucket_cap_mb=0.01)  # several buckets
    single = digits_cnn(seed=100, sync=False)  # rank 0's initial weights, alone on the whole batch
    opt_ddp = ember.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    opt_single = ember.optim.SGD(single.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    diffs, identical = [], True
    for xs, ys in batches(steps, per_rank, world):
        mine = slice(rank * per_rank, (rank + 1) * per_rank)
        opt_ddp.zero_grad()
        loss_fn(ddp(ember.tensor(xs[mine])), ember.tensor(ys[mine])).backward()
        opt_ddp.step()
        opt_single.zero_grad()
        loss_fn(single(ember.tensor(xs)), ember.tensor(ys)).backward()
        opt_single.step()
        a, b = flat_params(ddp.module), flat_params(single)
        identical = identical and same_on_all_ranks(a)
        diffs.append(float(np.max(np.abs(a - b))))
    return {"identical": identical, "max_abs_diff": max(diffs), "diffs": diffs, "buckets": len(ddp._buckets)}


def scenario_no_sync() -> dict:
    """Two micro-batches accumulated under no_sync, then one synchronised: equals one process on all of it."""
    rank, world = dist.get_rank(), dist.get_world_size()
    ddp = nn.parallel.DistributedDataParallel(digits_mlp(seed=7))
    single = digits_mlp(seed=7)
    loss_fn = nn.CrossEntropyLoss()
    (xs, ys), = batches(1, 16, world)
    halves = [slice(0, 8), slice(8, 16)]
    mine = [slice(rank * 16 + h.start, rank * 16 + h.stop) for h in halves]
    with ddp.no_sync():
        loss_fn(ddp(ember.tensor(xs[mine[0]])), ember.tensor(ys[mine[0]])).backward()
    local = np.concatenate([p.grad.data.reshape(-1) for p in ddp.module.parameters()])
    loss_fn(ddp(ember.tensor(xs[mine[1]])), ember.tensor(ys[mine[1]])).backward()
    synced = np.concatenate([p.grad.data.reshape(-1) for p in ddp.module.parameters()])
    # One process: the same four micro-batches' gradients summed, divided by the world size.
    for r in range(world):
        for h in halves:
            s = slice(r * 16 + h.start, r * 16 + h.stop)
            loss_fn(single(ember.tensor(xs[s])), ember.tensor(ys[s])).backward()
    expected = np.concatenate([p.grad.data.reshape(-1) for p in single.parameters()]) / world
    return {"local_differs": not same_on_all_ranks(local), "identical": same_on_all_ranks(synced),
            "max_abs_diff": float(np.max(np.abs(synced - expected)))}


def scenario_unused(find: bool) -> dict:
    class TwoHeads(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body, self.used, self.unused = nn.Linear(4, 4), nn.Linear(4, 2), nn.Linear(4, 2)

        def forward(self, x):
            return self.used(self.body(x))

    ember.manual_seed(0)
    ddp = nn.parallel.DistributedDataParallel(TwoHeads(), find_unused_parameters=find)
    x = ember.tensor(np.random.default_rng(dist.get_rank()).standard_normal((3, 4)).astype(np.float32))
    ddp(x).sum().backward()
    try:
        ddp(x).sum().backward()
    except RuntimeError as error:
        return {"error": str(error)}
    grads = np.concatenate([p.grad.data.reshape(-1) for p in ddp.module.used.parameters()])
    return {"error": None, "identical": same_on_all_ranks(grads),
            "unused_grad_is_none": ddp.module.unused.weight.grad is None}


def scenario_collectives() -> dict:
    rank, world = dist.get_rank(), dist.get_world_size()
    xp = np
    if dist.get_backend() == "nccl":
        import cupy as xp
    t = ember.tensor(xp.arange(6, dtype=xp.float32) + rank)
    dist.all_reduce(t, dist.ReduceOp.AVG)
    gathered = [ember.tensor(xp.zeros(3, xp.int64)) for _ in range(world)]
    dist.all_gather(gathered, ember.tensor(xp.full(3, rank * 10, xp.int64)))
    out = xp.zeros(2, xp.float64)
    dist.reduce_scatter(out, [xp.full(2, float(rank + r), xp.float64) for r in range(world)])
    b = xp.full(4, float(rank), xp.float32)
    dist.broadcast(b, src=world - 1)
    maxed = xp.array([rank], xp.int32)
    dist.all_reduce(maxed, dist.ReduceOp.MAX)
    dist.barrier()
    return {"avg": t.data.tolist(), "gathered": [g.data.tolist() for g in gathered], "scattered": out.tolist(),
            "broadcast": b.tolist(), "max": int(maxed[0])}


def scenario_sampler(epochs: int = 2, n: int = 37, drop_last: bool = False) -> dict:
    data = TensorDataset(ember.tensor(np.arange(n, dtype=np.int64)))
    sampler = DistributedSampler(data, shuffle=True, seed=3, drop_last=drop_last)
    loader = DataLoader(data, batch_size=5, sampler=sampler)
    seen = []
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        seen.append([int(v) for (batch,) in loader for v in batch.data.tolist()])
    return {"seen": seen}


def scenario_trainer(out_dir: str) -> dict:
    """Trainer(distributed=True): 2 epochs with checkpoints, resumed to 3, against 3 uninterrupted epochs."""
    def run(epochs: int, folder: str, resume: bool = False) -> tuple[nn.Module, list]:
        model = digits_cnn(seed=5)
        opt = ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        loader = DataLoader(Digits(train=True), batch_size=32, shuffle=True, seed=1)
        trainer = ember.Trainer(model, opt, out_dir=folder, progress=False, distributed=True)
        history = trainer.fit(loader, epochs=epochs, resume=resume)
        return trainer.module, history

    straight, history = run(3, os.path.join(out_dir, "straight"))
    run(2, os.path.join(out_dir, "resumed"))
    resumed, _ = run(3, os.path.join(out_dir, "resumed"), resume=True)
    a, b = flat_params(straight), flat_params(resumed)
    return {"identical": same_on_all_ranks(a), "resume_equal": bool(np.array_equal(a, b)),
            "files": sorted(os.listdir(os.path.join(out_dir, "straight"))),
            "train_loss": [row["train_loss"] for row in history]}


def scenario_fail(how: str) -> dict:
    rank = dist.get_rank()
    if rank == 1:
        if how == "raise":
            raise ValueError("rank 1 found a bad batch")
        if how == "kill":
            os.kill(os.getpid(), 9)
        if how == "silent":
            time.sleep(600)  # never joins the collective
    dist.all_reduce(np.ones(4, np.float32))
    return {"survived": True}


def main() -> None:
    scenario, *args = sys.argv[1:]
    timeout = float(os.environ.get("EMBER_TEST_DIST_TIMEOUT", "120"))
    dist.init_process_group(os.environ.get("EMBER_TEST_DIST_BACKEND", "mpi"), timeout=timeout)
    fn = globals()[f"scenario_{scenario}"]
    kwargs = json.loads(args[0]) if args else {}
    result = fn(**kwargs)
    print("RESULT " + json.dumps({"rank": dist.get_rank(), **result}), flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
