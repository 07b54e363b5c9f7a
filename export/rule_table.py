"""A table of export rules keyed by traced op name (`Linear`, `Conv2d`, ...), shared by the TFLite lowering and the
ONNX writer: rules register with a decorator, and a missing rule is refused with the op, its module and the list of
what is supported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import ExportError
from .ir import Node


class RuleTable(dict[str, Callable[..., None]]):
    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target

    def rule(self, *names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
        def register(fn: Callable[..., None]) -> Callable[..., None]:
            for name in names:
                self[name] = fn
            return fn

        return register

    def apply(self, context: Any, node: Node) -> None:
        """Run the rule of `node.op` on (context, node)."""
        fn = self.get(node.op)
        if fn is None:
            raise ExportError(
                f"op {node.op} in module '{node.scope or '<top>'}' has no {self.target} export rule yet "
                f"(supported: {', '.join(sorted(self))}); rewrite the module with supported ops"
            )
        fn(context, node)
