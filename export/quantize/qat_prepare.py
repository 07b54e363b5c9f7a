"""Quantisation-aware training, the model side: `prepare_qat` puts fake quantisation where the int8 TFLite graph
will round (module surgery: fused QAT layers with BatchNorm folded into the conv, fake-quant modules and hooks),
the user trains as usual with the switches below, and `qat_convert.convert` writes the int8 `.tflite` with the
parameters training learnt.

Where the int8 graph has tensors, the prepared model rounds: the model input; each Conv2d/Linear output after its
fused activation (Conv2d + BatchNorm2d + ReLU/ReLU6 and Linear + ReLU/ReLU6 in a Sequential, or the groups named
in `fuse=`, become one `QATConv2d`/`QATLinear`); standalone activations and BatchNorms; the output of every other
module that computes (a residual block's `relu(x + f(x))`, a concatenation), unless the module's output already
comes out of a fake-quant. SOFTMAX/LOGISTIC/TANH outputs use TFLite's fixed parameters; max pooling, flatten,
dropout and identity keep their input's grid, average pooling rounds to it (TFLite shares their parameters).

Functional ops inside a custom forward are rounded only when they end a module: an intermediate `x * 2` before
a layer has no fake quantisation (its range then comes from `convert(..., calibration=)`)."""

from __future__ import annotations

import copy
import inspect
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ember import nn
from ember.tensor import Tensor

from .fake_quant import SOURCE, ActivationFakeQuant, FixedFakeQuant, SharedFakeQuant, WeightFakeQuant, source_of
from .observers import Observer
from .qat_modules import QATConv2d, QATLinear

FUSED_ACTIVATIONS = {nn.ReLU: "relu", nn.ReLU6: "relu6"}
# Output values are input values (or a selection of them): the input's grid carries over.
KEEPS_GRID = (nn.MaxPool2d, nn.Flatten, nn.Dropout, nn.Identity, nn.Upsample)
# Output parameters TFLite fixes (ptq.FIXED_OUTPUT); LogSoftmax, a Softmax subclass, is matched before it.
FIXED = {nn.LogSoftmax: (16.0 / 256.0, 127), nn.Softmax: (1.0 / 256.0, -128), nn.Sigmoid: (1.0 / 256.0, -128),
         nn.Tanh: (1.0 / 128.0, 0)}
CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)
QAT_LAYERS = (QATConv2d, QATLinear)
UNTOUCHED = (nn.Embedding,)  # GATHER's output shares the table's parameters


# prepare ------------------------------------------------------------------------------------------------------
def prepare_qat(model: nn.Module, observer: str | Observer | type = "moving_average", *, inplace: bool = False,
                fuse: Sequence[Sequence[str]] = ()) -> nn.Module:
    """A copy of `model` (the model itself with `inplace=True`) ready for quantisation-aware training.

    `observer` chooses activation ranges ("moving_average" as torch's QAT default, "minmax", or an Observer).
    `fuse` names extra groups to fuse in custom modules, e.g. `[("conv1", "bn1", "relu1"), ("fc", "act")]`:
    Conv2d [BatchNorm2d] [ReLU|ReLU6] or Linear [ReLU|ReLU6], applied one after the other in forward(); the
    absorbed modules become Identity. Layers in a Sequential are fused automatically. Train the result like the
    float model (usually starting from trained float weights), then `convert` it."""
    if any(isinstance(m, (*QAT_LAYERS, ActivationFakeQuant)) for m in model.modules()):
        raise ValueError("prepare_qat: the model is already prepared for quantisation-aware training")
    model = model if inplace else copy.deepcopy(model)
    for group in fuse:
        _fuse_named(model, list(group), observer)
    _fuse_sequentials(model, observer)
    _replace_layers(model, observer)
    for m in _plain_modules(model):
        _attach(m, observer)
    _attach_input(model, observer)
    return model


def _children(m: nn.Module) -> Iterable[tuple[str, nn.Module]]:
    return list(m._modules.items())


def _plain_modules(model: nn.Module) -> list[nn.Module]:
    """The user's modules, not inside the QAT layers or fake-quant modules prepare_qat created."""
    found, stack = [], [model]
    while stack:
        m = stack.pop()
        if not isinstance(m, (*QAT_LAYERS, ActivationFakeQuant, SharedFakeQuant)):
            found.append(m)
            stack.extend(c for _, c in _children(m) if c is not None)
    return found


def _fused(layers: list[nn.Module], observer: Any) -> nn.Module | None:
    """The QAT layer for a run of layers (Conv2d [BN] [act] or Linear [act]), or None if they don't fuse."""
    first, rest = layers[0], layers[1:]
    bn = rest.pop(0) if rest and isinstance(first, nn.Conv2d) and isinstance(rest[0], nn.BatchNorm2d) else None
    if bn is not None and not bn.track_running_stats:
        return None
    act = FUSED_ACTIVATIONS.get(type(rest.pop(0))) if rest else None
    if rest or (len(layers) > 1 + (bn is not None) and act is None):
        return None
    if isinstance(first, nn.Conv2d):
        return QATConv2d(first, bn, act, observer)
    if isinstance(first, nn.Linear) and bn is None:
        return QATLinear(first, act, observer)
    return None


def _fuse_named(model: nn.Module, names: list[str], observer: Any) -> None:
    modules = dict(model.named_modules())
    missing = [n for n in names if n not in modules]
    if missing:
        raise ValueError(f"prepare_qat(fuse=...): no module named {missing} (modules: {sorted(modules)[:20]} ...)")
    fused = _fused([modules[n] for n in names], observer)
    if fused is None:
        kinds = ", ".join(type(modules[n]).__name__ for n in names)
        raise ValueError(f"prepare_qat(fuse=...): cannot fuse {names} ({kinds}); fusable groups are Conv2d "
                         "[BatchNorm2d with running stats] [ReLU|ReLU6] and Linear [ReLU|ReLU6]")
    for i, name in enumerate(names):
        parent_name, _, child = name.rpartition(".")
        modules[parent_name].add_module(child, fused if i == 0 else nn.Identity())


def _fuse_sequentials(model: nn.Module, observer: Any) -> None:
    for m in _plain_modules(model):
        if not isinstance(m, nn.Sequential):
            continue
        items = _children(m)
        i = 0
        while i < len(items):
            for length in (3, 2):
                run = [c for _, c in items[i:i + length]]
                fused = _fused(run, observer) if len(run) == length and isinstance(run[0], (nn.Conv2d, nn.Linear)) \
                    else None
                if fused is not None:
                    for j, (name, _) in enumerate(items[i:i + length]):
                        m.add_module(name, fused if j == 0 else nn.Identity())
                    i += length - 1
                    break
            i += 1


def _replace_layers(model: nn.Module, observer: Any) -> None:
    """Every Conv2d/Linear not fused yet becomes a QAT layer with no activation."""
    for m in _plain_modules(model):
        for name, child in _children(m):
            if isinstance(child, (nn.Conv2d, nn.Linear)):
                m.add_module(name, _fused([child], observer))


# hooks are module-level functions that find their fake-quant as a child: a deep copy of the model stays whole
def _quantize_output(module: nn.Module, args: tuple, out: Any) -> Any:
    if not isinstance(out, Tensor) or source_of(out) is not None:
        return None
    return module.activation_post_process(out)


def _keep_grid(module: nn.Module, args: tuple, out: Any) -> Any:
    source = source_of(args[0]) if args else None
    if source is not None and isinstance(out, Tensor) and out is not args[0]:
        setattr(out, SOURCE, source)
    return None


def _round_to_input_grid(module: nn.Module, args: tuple, out: Any) -> Any:
    return module.shared_fake_quant(out, source_of(args[0]))


def _adaptive_pool(module: nn.Module, args: tuple, out: Any) -> Any:
    # to 1x1 it lowers to MEAN (own parameters), otherwise to AVERAGE_POOL_2D (its input's)
    if tuple(out.shape[2:]) == (1, 1):
        return module.activation_post_process(out)
    return _round_to_input_grid(module, args, out)


def _quantize_input(module: nn.Module, args: tuple) -> tuple:
    """Round every float tensor argument (x, and a float mask of a multi-input model) on its own grid."""
    names = getattr(module, "_input_fake_quants", ("input_fake_quant",))
    return tuple(getattr(module, names[i])(a) if i < len(names) and isinstance(a, Tensor)
                 and np.issubdtype(np.dtype(a.dtype), np.floating)
                 else a for i, a in enumerate(args))


def _attach(m: nn.Module, observer: Any) -> None:
    if isinstance(m, (*CONTAINERS, *UNTOUCHED)):
        return
    if isinstance(m, KEEPS_GRID):
        m.register_forward_hook(_keep_grid)
    elif isinstance(m, nn.AvgPool2d):
        m.add_module("shared_fake_quant", SharedFakeQuant())
        m.register_forward_hook(_round_to_input_grid)
    elif isinstance(m, nn.AdaptiveAvgPool2d):
        m.add_module("shared_fake_quant", SharedFakeQuant())
        m.add_module("activation_post_process", ActivationFakeQuant(observer))
        m.register_forward_hook(_adaptive_pool)
    else:
        fixed = next((p for cls, p in FIXED.items() if isinstance(m, cls)), None)
        m.add_module("activation_post_process", FixedFakeQuant(*fixed) if fixed else ActivationFakeQuant(observer))
        m.register_forward_hook(_quantize_output)


def _attach_input(model: nn.Module, observer: Any) -> None:
    entry = model
    while isinstance(entry, nn.Sequential) and len(entry):
        entry = entry[0]
    if isinstance(entry, CONTAINERS):
        raise ValueError(f"prepare_qat: cannot find the module that takes the model input ({type(entry).__name__})")
    names = ["input_fake_quant"] + [f"input_fake_quant_{name}" for name in _positional(entry)[1:]]
    for name in names:
        entry.add_module(name, ActivationFakeQuant(observer))
    entry._input_fake_quants = tuple(names)
    entry.register_forward_pre_hook(_quantize_input)


def _positional(module: nn.Module) -> list[str]:
    """forward()'s positional parameter names (each may be a model input: to_tflite(model, (x, mask), ...))."""
    try:
        params = inspect.signature(module.forward).parameters.values()
    except (TypeError, ValueError):
        return ["x"]
    return [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)] or ["x"]


# switches -----------------------------------------------------------------------------------------------------
def _fake_quants(model: nn.Module) -> list[ActivationFakeQuant]:
    return [m for m in model.modules() if isinstance(m, ActivationFakeQuant) and not isinstance(m, FixedFakeQuant)]


def freeze_observers(model: nn.Module) -> nn.Module:
    """Stop updating activation ranges (typically for the last epochs, as torch's disable_observer)."""
    for m in _fake_quants(model):
        m.observer_enabled = False
    return model


def enable_observers(model: nn.Module) -> nn.Module:
    for m in _fake_quants(model):
        m.observer_enabled = True
    return model


def freeze_bn_stats(model: nn.Module, frozen: bool = True) -> nn.Module:
    """Folded BatchNorms use (and stop updating) their running statistics in training too; `frozen=False` undoes."""
    for m in model.modules():
        if isinstance(m, QATConv2d):
            m.bn_frozen = frozen
    return model


def enable_fake_quant(model: nn.Module, enabled: bool = True) -> nn.Module:
    """Turn rounding on or off everywhere (observers keep their own switch): off, the model computes in float."""
    for m in model.modules():
        if isinstance(m, (ActivationFakeQuant, WeightFakeQuant)):
            m.fake_quant_enabled = enabled
    return model


__all__ = ["enable_fake_quant", "enable_observers", "freeze_bn_stats", "freeze_observers", "prepare_qat"]
