"""Define-by-run autograd: `Function` nodes made by ops, and the engine that walks them backwards."""

from .engine import backward
from .function import Function, add_apply_hook
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad

__all__ = ["Function", "add_apply_hook", "backward", "enable_grad", "inference_mode", "is_grad_enabled", "no_grad"]
