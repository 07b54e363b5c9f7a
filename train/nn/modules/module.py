"""`Module`: the base of layers and models, with PyTorch's registration, state and hook interface."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from ... import device as device_mod
from ...ops.errors import module_stack
from ...tensor import Tensor
from ..parameter import Parameter

# Global hooks run around every module call (torch.nn.modules.module.register_module_forward_*_hook);
# the exporter's tracer uses them to know which module each op belongs to.
_global_pre_hooks: list[Callable] = []
_global_hooks: list[Callable] = []


def register_module_forward_pre_hook(hook: Callable[[Module, tuple], Any]) -> Callable[[], None]:
    _global_pre_hooks.append(hook)
    return lambda: _global_pre_hooks.remove(hook)


def register_module_forward_hook(hook: Callable[[Module, tuple, Any], Any]) -> Callable[[], None]:
    _global_hooks.append(hook)
    return lambda: _global_hooks.remove(hook)


class IncompatibleKeys(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        module_stack.append(self)  # so an op's error can name the module it ran in (ops/errors.py)
        try:
            for hook in (*_global_pre_hooks, *self._forward_pre_hooks.values()):
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
            out = self.forward(*args, **kwargs)
            for hook in (*self._forward_hooks.values(), *_global_hooks):
                result = hook(self, args, out)
                if result is not None:
                    out = result
            return out
        finally:
            module_stack.pop()

    # registration ---------------------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {name!r} before Module.__init__() (call super().__init__())")
        if name in self._buffers and (value is None or isinstance(value, Tensor)) and not isinstance(value, Parameter):
            self._buffers[name] = value
            return
        for store in (self._parameters, self._buffers, self._modules):
            store.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)
            return
        self.__dict__.pop(name, None)

    def __getattr__(self, name: str) -> Any:
        for store in ("_parameters", "_buffers", "_modules"):
            d = self.__dict__.get(store)
            if d is not None and name in d:
                return d[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if param is None:
            self._parameters[name] = None
        else:
            setattr(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        self.__dict__.pop(name, None)
        self._buffers[name] = tensor
        if not persistent:
            self.__dict__.setdefault("_non_persistent", set()).add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        self._modules[name] = module

    # traversal ------------------------------------------------------------------------------------------
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        stack = [(prefix, self)]
        seen: set[int] = set()
        while stack:
            name, module = stack.pop(0)
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{n}" if name else n, m) for n, m in module._modules.items() if m is not None]
            stack[0:0] = children

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named_members(self, store: str, prefix: str, recurse: bool) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()
        modules = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for mod_name, module in modules:
            for name, value in getattr(module, store).items():
                if value is None or id(value) in seen:
                    continue
                if store == "_buffers" and name in module.__dict__.get("_non_persistent", ()):
                    continue
                seen.add(id(value))
                yield (f"{mod_name}.{name}" if mod_name else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        yield from self._named_members("_parameters", prefix, recurse)  # type: ignore[misc]

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # state ----------------------------------------------------------------------------------------------
    def state_dict(self) -> OrderedDict[str, Tensor]:
        state: OrderedDict[str, Tensor] = OrderedDict()
        for name, module in self.named_modules():
            prefix = f"{name}." if name else ""
            for key, value in module._parameters.items():
                if value is not None:
                    state[prefix + key] = value.detach()
            for key, value in module._buffers.items():
                if value is not None and key not in module.__dict__.get("_non_persistent", ()):
                    state[prefix + key] = value.detach()
        return state

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> IncompatibleKeys:
        own = self.state_dict()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}: missing keys {missing}, "
                f"unexpected keys {unexpected} (pass strict=False to load the keys that match)"
            )
        targets = self._state_targets()
        for key, value in state_dict.items():
            if key not in targets:
                continue
            target = targets[key]
            array = value.data if isinstance(value, Tensor) else value
            if tuple(array.shape) != target.shape:
                raise RuntimeError(
                    f"size mismatch for {key}: the checkpoint has shape {tuple(array.shape)}, "
                    f"the model has {target.shape}"
                )
            target.data = target._xp.asarray(device_mod.move(array, target.device), dtype=target.dtype).copy()
        return IncompatibleKeys(missing, unexpected)

    def _state_targets(self) -> dict[str, Tensor]:
        targets = {}
        for name, module in self.named_modules():
            prefix = f"{name}." if name else ""
            for store in (module._parameters, module._buffers):
                targets.update({prefix + k: v for k, v in store.items() if v is not None})
        return targets

    # modes, devices, hooks ------------------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    def to(self, target: Any) -> Module:
        dev = device_mod.device(target)
        for m in self.modules():
            for store in (m._parameters, m._buffers):
                for value in store.values():
                    if value is not None:
                        value.data = device_mod.move(value.data, dev)
                        if value.grad is not None:
                            value.grad.data = device_mod.move(value.grad.data, dev)
        return self

    def _cast_floating(self, dtype: Any) -> Module:
        """Floating parameters and buffers (and their gradients) converted to `dtype`, in place."""
        for m in self.modules():
            for store in (m._parameters, m._buffers):
                for value in store.values():
                    if value is not None and value.data.dtype.kind == "f":
                        value.data = value.data.astype(dtype)
                        if value.grad is not None:
                            value.grad.data = value.grad.data.astype(dtype)
        return self

    def double(self) -> Module:
        """torch.nn.Module.double: floating parameters and buffers to float64."""
        return self._cast_floating(np.float64)

    def float(self) -> Module:
        return self._cast_floating(np.float32)

    def half(self) -> Module:
        """float16 storage; numpy computes float16 ops in float16 (slow on CPUs: for checkpoints and export)."""
        return self._cast_floating(np.float16)

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self, index: int = 0) -> Module:
        return self.to(device_mod.device("cuda", index))

    def apply(self, fn: Callable[[Module], None]) -> Module:
        for m in reversed(list(self.modules())):
            fn(m)
        return self

    def register_forward_pre_hook(self, hook: Callable) -> Callable[[], None]:
        key = object()
        self._forward_pre_hooks[key] = hook
        return lambda: self._forward_pre_hooks.pop(key, None)

    def register_forward_hook(self, hook: Callable) -> Callable[[], None]:
        key = object()
        self._forward_hooks[key] = hook
        return lambda: self._forward_hooks.pop(key, None)

    # printing -------------------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"({name}): " + repr(m).replace("\n", "\n  ") for name, m in self._modules.items()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + ")" if not lines else head + "\n  " + "\n  ".join(lines) + "\n)"
