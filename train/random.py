"""One seeded generator for every source of randomness in Ember (init, shuffling, dropout, random transforms),
with torch's names for seeding and for saving and restoring its state (what a checkpoint needs to resume
bit for bit)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

_generator = np.random.default_rng(0)


def manual_seed(seed: int) -> np.random.Generator:
    """Seed Ember's global generator, as torch.manual_seed does."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def default_generator() -> np.random.Generator:
    return _generator


def get_rng_state(generator: np.random.Generator | None = None) -> dict[str, Any]:
    """The state of `generator` (Ember's global one by default) as plain values that `ember.save` can store."""
    return copy.deepcopy((generator or _generator).bit_generator.state)


def set_rng_state(state: dict[str, Any], generator: np.random.Generator | None = None) -> None:
    """Restore a state from `get_rng_state` into `generator` (Ember's global one by default)."""
    target = generator or _generator
    if state.get("bit_generator") != type(target.bit_generator).__name__:
        raise ValueError(f"set_rng_state: the state is for a {state.get('bit_generator')} generator, "
                         f"this generator is {type(target.bit_generator).__name__}")
    target.bit_generator.state = state


@contextmanager
def using_generator(generator: np.random.Generator) -> Iterator[np.random.Generator]:
    """Make `generator` Ember's global generator inside the block (DataLoader runs each batch's transforms under
    a generator derived from the epoch's seed and the batch index, so worker processes draw what the main
    process would)."""
    global _generator
    saved, _generator = _generator, generator
    try:
        yield generator
    finally:
        _generator = saved
