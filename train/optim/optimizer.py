"""`Optimizer`: parameter groups with their hyper-parameters, per-parameter state, and state_dict."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from ..device import move
from ..nn.parameter import Parameter
from ..tensor import Tensor


class Optimizer:
    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: dict[int, dict[str, Any]] = {}
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list: pass model.parameters()")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.param_groups: list[dict[str, Any]] = []
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        group = {**self.defaults, **group, "params": list(group["params"])}
        for p in group["params"]:
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise ValueError(f"optimizer can only optimise tensors that require grad, got {type(p).__name__}")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._update(p, p.grad.data, self.state.setdefault(id(p), {}), group)
        return loss

    def _update(self, p: Parameter, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError

    def _params(self) -> list[Tensor]:
        return [p for g in self.param_groups for p in g["params"]]

    def state_dict(self) -> dict[str, Any]:
        """torch's layout: {"state": {param index: {name: value}}, "param_groups": [{hyper-parameters,
        "params": [param indices]}]}. Arrays are copies, so the dict is a snapshot."""
        index = {id(p): i for i, p in enumerate(self._params())}
        state = {index[k]: {name: (v.copy() if hasattr(v, "shape") else copy.copy(v)) for name, v in s.items()}
                 for k, s in self.state.items() if k in index}
        groups, start = [], 0
        for g in self.param_groups:
            groups.append({**{k: v for k, v in g.items() if k != "params"},
                           "params": list(range(start, start + len(g["params"])))})
            start += len(g["params"])
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and state; state arrays go to each parameter's device and dtype."""
        params = self._params()
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups) or any(
            len(a["params"]) != len(b["params"]) for a, b in zip(groups, self.param_groups, strict=True)
        ):
            raise ValueError(
                f"optimizer state_dict does not match this optimizer's parameter groups: it has group sizes "
                f"{[len(g['params']) for g in groups]}, this optimizer {[len(g['params']) for g in self.param_groups]}"
            )
        name = type(self).__name__
        for i, saved in enumerate(groups):
            missing = sorted(set(self.defaults) - set(saved))
            if missing:  # each optimiser type has its own hyper-parameters: SGD's momentum, Adam's betas
                raise ValueError(
                    f"{name}.load_state_dict: parameter group {i} of the state lacks {name}'s hyper-parameters "
                    f"{missing} (it has {sorted(k for k in saved if k != 'params')}): it is the state of a different "
                    f"optimizer type; build the optimizer the checkpoint was saved with, or start {name} afresh "
                    "without loading its state")
        restored: dict[int, dict[str, Any]] = {}
        for key, value in state_dict["state"].items():
            if not 0 <= int(key) < len(params):
                raise ValueError(f"{name}.load_state_dict: the state names parameter {key}, but this optimizer has "
                                 f"{len(params)} parameters")
            p = params[int(key)]
            for k, v in value.items():
                shape = tuple(getattr(v.data if isinstance(v, Tensor) else v, "shape", ()))
                if shape not in ((), tuple(p.shape)):
                    raise ValueError(
                        f"{name}.load_state_dict: the state of parameter {key}, {k!r} has shape {shape}, but the "
                        f"parameter has shape {tuple(p.shape)}: the checkpoint is of a different model (or the "
                        "parameters are in another order)")
            restored[id(p)] = {k: _restore(v, p) for k, v in value.items()}
        for mine, saved in zip(self.param_groups, groups, strict=True):
            mine.update({k: (tuple(v) if k == "betas" else v) for k, v in saved.items() if k != "params"})
        self.state = restored


def _restore(value: Any, p: Tensor) -> Any:
    """A state entry of `p` as the optimizer keeps it: arrays on p's device, Python numbers as they are."""
    array = value.data if isinstance(value, Tensor) else value
    if not hasattr(array, "shape"):
        return value
    if array.shape == ():
        return array.item()
    return p._xp.asarray(move(array, p.device), dtype=p.dtype).copy()
