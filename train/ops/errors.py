"""Error messages that name the op, the module being called and the shapes involved (STYLE.md).

`Module.__call__` pushes each module onto `module_stack` while it runs, so an op that fails deep inside a
model can say where it was called from; the path is only looked up when an error is raised."""

from __future__ import annotations

from typing import Any

module_stack: list[Any] = []


def _where(module: Any) -> str:
    """" at 'features.0'" when `module` runs inside a model, "" when it is the model being called."""
    root = module_stack[0] if module_stack else module
    name = next((n for n, m in root.named_modules() if m is module), "")
    return f" at '{name}'" if name else ""


def module_path() -> str:
    """" at 'features.0' (Conv2d(...))" for the innermost running module, or "" outside any module."""
    if not module_stack:
        return ""
    current = module_stack[-1]
    return f"{_where(current)} ({type(current).__name__}({current.extra_repr()}))"


def layer_error(module: Any, signature: str, detail: str) -> ValueError:
    """ValueError("Conv2d(3, 16, ...) at 'features.0': detail"), raised by a layer about its input."""
    return ValueError(f"{signature}{_where(module)}: {detail}")


def shape_error(op: str, detail: str) -> ValueError:
    """ValueError("op: detail at 'path' (Layer(...))")."""
    return ValueError(f"{op}: {detail}{module_path()}")


def broadcast_shape(op: str, *shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast of `shapes` (numpy's rules), or a shape_error naming both operands."""
    import numpy as np  # shape arithmetic on tuples only

    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise shape_error(op, "shapes " + " and ".join(str(tuple(s)) for s in shapes)
                          + " cannot be broadcast together") from None
