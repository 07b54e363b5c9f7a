"""The arena plan: Interpreter.memory_plan() as an exporter sees it, and the "OfflineMemoryAllocation" metadata
(TFLite Micro's layout) that makes the runtime reuse a plan, verified before use."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from tflite_builder import build_model, mlp_model

from ember.runtime import Interpreter, RuntimeModelError


def _run(interpreter, x: np.ndarray) -> np.ndarray:
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def _with_plan(case, offsets: list[int]) -> bytes:
    plan = Interpreter.offline_plan_metadata(offsets)
    return build_model(case.tensors, case.ops, [0], [8], metadata={"OfflineMemoryAllocation": plan})


@pytest.fixture
def case():
    return mlp_model(np.random.default_rng(7), batch=3, hidden=24)


def test_memory_plan_before_allocation_matches_the_arena(case) -> None:
    it = Interpreter(model_content=case.model)
    plan = it.memory_plan()
    offsets = plan["offsets"]
    assert len(offsets) == len(case.tensors)
    constant = [t.data is not None for t in case.tensors]
    assert all((o == -1) == c for o, c in zip(offsets, constant, strict=True))
    assert all(o % 16 == 0 for o in offsets if o >= 0)
    it.allocate_tensors()
    assert it.arena_bytes() == plan["arena_bytes"]


def test_exported_plan_is_reused_and_gives_the_same_results(case) -> None:
    plan = Interpreter(model_content=case.model).memory_plan()
    model = _with_plan(case, plan["offsets"])
    ours = Interpreter(model_content=model)
    assert ours.memory_plan() == plan
    x = np.random.default_rng(1).standard_normal(case.input_shape).astype(np.float32)
    ref = _run(LiteRTInterpreter(model_content=model), x)  # LiteRT ignores the metadata
    np.testing.assert_allclose(_run(ours, x), ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(_run(ours, x), _run(Interpreter(model_content=case.model), x))


def test_offline_offsets_are_honoured_and_minus_one_is_planned_around(case) -> None:
    greedy = Interpreter(model_content=case.model).memory_plan()["offsets"]
    # Every planned tensor in its own slot, far apart; the reshape output is left to the runtime (-1).
    offsets, at = [], 0
    for o in greedy:
        offsets.append(-1 if o < 0 else at)
        at += 0 if o < 0 else 4096
    offsets[1] = -1
    it = Interpreter(model_content=_with_plan(case, offsets))
    got = it.memory_plan()["offsets"]
    assert [g for i, g in enumerate(got) if i != 1] == [o for i, o in enumerate(offsets) if i != 1]
    assert got[1] >= 0 and got[1] % 16 == 0
    x = np.random.default_rng(2).standard_normal(case.input_shape).astype(np.float32)
    np.testing.assert_array_equal(_run(it, x), _run(Interpreter(model_content=case.model), x))


def _refused(model: bytes, *parts: str) -> None:
    with pytest.raises(RuntimeModelError) as info:
        Interpreter(model_content=model)
    for part in parts:
        assert part in str(info.value), str(info.value)


def test_broken_plans_are_refused_with_a_message(case) -> None:
    greedy = Interpreter(model_content=case.model).memory_plan()["offsets"]
    # input (0) and flatten (1) are both alive at operator 0: the same offset is a collision.
    overlapping = list(greedy)
    overlapping[0] = overlapping[1] = 0
    _refused(_with_plan(case, overlapping), "OfflineMemoryAllocation", "alive together but share bytes")
    _refused(_with_plan(case, greedy[:-1]), "OfflineMemoryAllocation", "the subgraph has 10 tensors")
    misaligned = list(greedy)
    misaligned[0] = 2
    _refused(_with_plan(case, misaligned), "not aligned")
    negative = list(greedy)
    negative[4] = -7
    _refused(_with_plan(case, negative), "offset -7")
    bad_version = np.array([1, 0, len(greedy), *greedy], "<i4").tobytes()
    _refused(build_model(case.tensors, case.ops, [0], [8], metadata={"OfflineMemoryAllocation": bad_version}),
             "version 1")
    _refused(build_model(case.tensors, case.ops, [0], [8], metadata={"OfflineMemoryAllocation": b"\0" * 10}),
             "10 bytes")


def test_huge_offsets_hit_the_arena_cap(case) -> None:
    greedy = Interpreter(model_content=case.model).memory_plan()["offsets"]
    far = [o if o < 0 else 2**31 - 2**20 for o in greedy]
    far = [-1 if o < 0 else (2**31 - 2**20) - 65536 * i for i, o in enumerate(far)]
    it = Interpreter(model_content=_with_plan(case, far))
    with pytest.raises(RuntimeModelError, match="above this interpreter's limit"):
        it.allocate_tensors()
