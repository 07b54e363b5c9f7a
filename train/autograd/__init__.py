"""Define-by-run autograd: `Function` nodes made by ops, the engine that walks them backwards, and gradcheck."""

from .engine import backward
from .function import Function, add_apply_hook
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad
from .gradcheck import GradcheckError, gradcheck

__all__ = ["Function", "GradcheckError", "add_apply_hook", "backward", "enable_grad", "gradcheck", "inference_mode",
           "is_grad_enabled", "no_grad"]
