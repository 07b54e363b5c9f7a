"""Switches that stop ops from recording the graph (`no_grad`, `inference_mode`)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

_enabled = True


def is_grad_enabled() -> bool:
    return _enabled


class _GradMode(contextlib.ContextDecorator):
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __enter__(self) -> None:
        global _enabled
        self.previous, _enabled = _enabled, self.enabled

    def __exit__(self, *exc: Any) -> None:
        global _enabled
        _enabled = self.previous


def no_grad(func: Callable | None = None) -> Any:
    """Context manager or decorator: ops inside record no graph."""
    mode = _GradMode(False)
    return mode(func) if func is not None else mode


def enable_grad(func: Callable | None = None) -> Any:
    mode = _GradMode(True)
    return mode(func) if func is not None else mode


@contextlib.contextmanager
def _inference() -> Iterator[None]:
    with _GradMode(False):
        yield


def inference_mode(func: Callable | None = None) -> Any:
    """Like `no_grad` (Ember has no version counters, so the two behave the same)."""
    if func is None:
        return _inference()

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _inference():
            return func(*args, **kwargs)

    return wrapper
