"""ember.distributed and DistributedDataParallel on 2 MPI ranks (mpiexec --oversubscribe): collectives against
closed-form answers, DDP training against one process on the concatenated batch, samplers, failures."""

from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import run_scenario


def _two(scenario: str, **kwargs: object) -> dict[int, dict]:
    result, results = run_scenario(scenario, **kwargs)
    assert result.returncode == 0 and sorted(results) == [0, 1], result.stdout + result.stderr
    return results


def test_collectives_give_the_closed_form_answers() -> None:
    results = _two("collectives")
    for rank, r in results.items():
        assert r["avg"] == [i + 0.5 for i in range(6)]  # (x + x+1) / 2
        assert r["gathered"] == [[0, 0, 0], [10, 10, 10]]
        assert r["scattered"] == [float(2 * rank + 1)] * 2  # (0 + rank) + (1 + rank)
        assert r["broadcast"] == [1.0] * 4  # src = the last rank
        assert r["max"] == 1


def test_ddp_equals_one_process_on_the_concatenated_batch() -> None:
    # Digits CNN in float64 with SyncBatchNorm, several buckets, SGD with momentum: after every step both ranks hold
    # identical parameters and they equal one process trained on both halves of the batch.
    results = _two("equivalence")
    for r in results.values():
        assert r["identical"]
        assert r["buckets"] > 1
        assert r["max_abs_diff"] < 1e-12, r["diffs"]


def test_no_sync_accumulates_locally_then_averages() -> None:
    for r in _two("no_sync").values():
        assert r["local_differs"]  # inside no_sync nothing was reduced
        assert r["identical"]
        assert r["max_abs_diff"] < 1e-12


def test_an_unused_parameter_is_named_without_find_unused_parameters() -> None:
    for r in _two("unused", find=False).values():
        assert "got no gradient: unused.weight, unused.bias" in r["error"]
        assert "find_unused_parameters=True" in r["error"]


def test_find_unused_parameters_leaves_unused_grads_alone() -> None:
    for r in _two("unused", find=True).values():
        assert r["error"] is None and r["identical"] and r["unused_grad_is_none"]


@pytest.mark.parametrize("n, drop_last", [(36, False), (37, False), (37, True)])
def test_distributed_sampler_shards_every_epoch(n: int, drop_last: bool) -> None:
    results = _two("sampler", n=n, drop_last=drop_last, epochs=2)
    for epoch in range(2):
        shards = [results[r]["seen"][epoch] for r in (0, 1)]
        assert len(shards[0]) == len(shards[1])
        together = sorted(shards[0] + shards[1])
        if n % 2 == 0:
            assert together == list(range(n))  # every sample exactly once
        elif drop_last:
            assert len(together) == n - 1 and len(set(together)) == n - 1
        else:
            assert set(together) == set(range(n)) and len(together) == n + 1  # one padded repeat
    assert results[0]["seen"][0] != results[0]["seen"][1]  # set_epoch reshuffles


def test_trainer_distributed_checkpoints_on_rank_0_and_resumes(tmp_path) -> None:
    results = _two("trainer", out_dir=str(tmp_path), timeout=400)
    for r in results.values():
        assert r["identical"] and r["resume_equal"]
        assert r["files"] == ["checkpoint.safetensors", "curves.png", "log.csv"]
    assert results[0]["train_loss"] == results[1]["train_loss"]  # metrics are summed over ranks
    assert results[0]["train_loss"][-1] < results[0]["train_loss"][0]


@pytest.mark.parametrize("how", ["raise", "kill", "silent"])
def test_a_failed_rank_fails_the_job_in_bounded_time(how: str) -> None:
    start = time.monotonic()
    result, results = run_scenario("fail", how=how, env={"EMBER_TEST_DIST_TIMEOUT": "5"}, timeout=120)
    elapsed = time.monotonic() - start
    assert result.returncode != 0 and not results, result.stdout + result.stderr
    assert elapsed < 60
    out = result.stdout + result.stderr
    if how == "raise":
        assert "rank 1 of 2 failed with ValueError: rank 1 found a bad batch; aborting all 2 ranks" in out
    elif how == "kill":
        assert "rank 1" in out and "signal 9" in out
    else:
        assert "rank 0 of 2: all_reduce(SUM) did not complete within 5 s" in out


def test_sampler_without_a_group_needs_its_rank() -> None:
    from ember.data import DistributedSampler
    with pytest.raises(RuntimeError, match="pass num_replicas and rank"):
        DistributedSampler(list(range(4)))
    shards = [list(DistributedSampler(list(range(10)), num_replicas=3, rank=r, shuffle=False)) for r in range(3)]
    assert shards == [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]  # torch's padding: the order's start repeated
    assert np.array_equal(sorted(sum(shards, [])), sorted(list(range(10)) + [0, 1]))
