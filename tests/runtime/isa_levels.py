"""Running one model at each instruction-set level of this CPU (EMBER_ISA, read at create) and checking that every
level gives the reference loops' bytes (EMBER_ISA=reference) and LiteRT BUILTIN_REF's results: the harness of the
optimised-kernel tests."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from single_op import one_op_model, run_litert
from tflite_builder import TensorSpec

from ember.runtime import Interpreter

X86_LEVELS = ["portable", "sse41", "avx2", "avx512", "avx512vnni"]
ARM_LEVELS = ["portable", "neon", "neon_dotprod"]


@contextmanager
def isa(level: str | None) -> Iterator[None]:
    """EMBER_ISA set to `level` (None: unset) while interpreters are created, then restored."""
    old = os.environ.get("EMBER_ISA")
    if level is None:
        os.environ.pop("EMBER_ISA", None)
    else:
        os.environ["EMBER_ISA"] = level
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("EMBER_ISA", None)
        else:
            os.environ["EMBER_ISA"] = old


def detected_levels() -> list[str]:
    """The levels up to the one the interpreter picks with EMBER_ISA unset."""
    model = one_op_model("ADD", [TensorSpec("a", [4]), TensorSpec("b", [4])], [TensorSpec("y", [4])])
    with isa(None):
        best = Interpreter(model_content=model).isa
    levels = ARM_LEVELS if best.startswith("neon") else X86_LEVELS
    assert best in levels, best
    return levels[: levels.index(best) + 1]


LEVELS = detected_levels()


def run(interpreter, feeds: Sequence[np.ndarray]) -> np.ndarray:
    """The first output of one invoke on `feeds`."""
    interpreter.allocate_tensors()
    for detail, x in zip(interpreter.get_input_details(), feeds, strict=True):
        interpreter.set_tensor(detail["index"], x)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def run_at(model: bytes, feeds: Sequence[np.ndarray], level: str) -> np.ndarray:
    """`run` on an interpreter created at `level`, which must be the level it really runs."""
    with isa(level):
        it = Interpreter(model_content=model)
    assert it.isa == level, (level, it.isa)
    return run(it, feeds)


def check_all_levels(model: bytes, feeds: Sequence[np.ndarray], quantized: bool, litert: bool = True) -> None:
    """Every level of LEVELS gives the reference loops' bytes; with `litert`, the reference equals LiteRT
    BUILTIN_REF (int8 exactly, float32 within rtol 1e-5 and an absolute floor of 1e-5 of the largest finite
    output)."""
    reference = run_at(model, feeds, "reference")
    for level in LEVELS:
        ours = run_at(model, feeds, level)
        assert ours.dtype == reference.dtype and ours.shape == reference.shape
        differ = np.flatnonzero(ours.view(np.uint8) != reference.view(np.uint8))
        assert differ.size == 0, f"{level}: {differ.size} bytes differ from the reference loops"
    if not litert:
        return
    theirs = run_litert(model, feeds)[0]
    assert theirs.shape == reference.shape
    if quantized:
        mismatch = np.flatnonzero(reference.ravel() != theirs.ravel())
        assert mismatch.size == 0, f"{mismatch.size} of {theirs.size} int8 outputs differ from LiteRT"
    else:
        finite = np.abs(theirs[np.isfinite(theirs)])
        floor = 1e-5 * max(float(finite.max(initial=0.0)), 1e-30)
        np.testing.assert_allclose(reference, theirs, rtol=1e-5, atol=floor)
