from __future__ import annotations

import numpy as np

from ...ops.errors import layer_error
from ...tensor import Tensor
from .. import functional as F
from ..parameter import Parameter
from .module import Module


class _BatchNorm(Module):
    """torch's batch norm: weight 1, bias 0, running mean 0 and var 1; momentum None is a cumulative average."""

    expected_dims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats, self.use_bias = affine, track_running_stats, affine and bias
        self.register_parameter("weight", Parameter(np.ones(num_features, np.float32)) if affine else None)
        self.register_parameter("bias", Parameter(np.zeros(num_features, np.float32)) if self.use_bias else None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, np.float32)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, np.float32)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, np.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in self.expected_dims:
            dims = " or ".join(f"{d}-d" for d in self.expected_dims)
            raise layer_error(self, self._signature(), f"expected a {dims} input, got shape {x.shape}")
        if x.shape[1] != self.num_features:
            raise layer_error(self, self._signature(), f"input of shape {x.shape} has {x.shape[1]} channels, "
                                                       f"expected {self.num_features}")
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data = self.num_batches_tracked.data + 1
            if momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked.data)
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(x, self.running_mean if track else None, self.running_var if track else None,
                            self.weight, self.bias, use_batch_stats, momentum or 0.0, self.eps)

    def _signature(self) -> str:
        return f"{type(self).__name__}({self.num_features})"

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.use_bias}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    expected_dims = (4,)


class SyncBatchNorm(_BatchNorm):
    """torch.nn.SyncBatchNorm: in training, the batch statistics are those of the global batch, every rank's
    samples together (sums all-reduced in forward, and their gradients in backward), so N ranks train exactly
    like one process on the concatenated batch. Outside a process group, or in eval mode, it is BatchNorm.
    `convert_sync_batchnorm(model)` replaces every BatchNorm1d/2d of a model."""

    expected_dims = (2, 3, 4, 5)

    def forward(self, x: Tensor) -> Tensor:
        from ... import distributed as dist
        if not (self.training and dist.is_initialized() and dist.get_world_size() > 1):
            return super().forward(x)
        from ...distributed.autograd import all_reduce_sum
        if x.ndim not in self.expected_dims or x.shape[1] != self.num_features:
            return super().forward(x)  # its checks name the problem
        axes = (0, *range(2, x.ndim))
        shape = (1, self.num_features) + (1,) * (x.ndim - 2)
        counts = np.array([x.numel() // self.num_features], np.int64)
        dist.all_reduce(counts)
        count = float(counts[0])
        mean = all_reduce_sum(x.sum(dim=axes)) / count
        centred = x - mean.reshape(*shape)
        var = all_reduce_sum((centred * centred).sum(dim=axes)) / count
        y = centred / (var.reshape(*shape) + self.eps).sqrt()
        if self.weight is not None:
            y = y * self.weight.reshape(*shape)
        if self.bias is not None:
            y = y + self.bias.reshape(*shape)
        if self.track_running_stats:
            self.num_batches_tracked.data = self.num_batches_tracked.data + 1
            momentum = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked.data)
            xp = x._xp
            m = mean.data.astype(self.running_mean.data.dtype)
            v = (var.data * (count / max(count - 1, 1))).astype(self.running_var.data.dtype)
            self.running_mean.data = xp.asarray((1 - momentum) * self.running_mean.data + momentum * m)
            self.running_var.data = xp.asarray((1 - momentum) * self.running_var.data + momentum * v)
        return y

    @classmethod
    def convert_sync_batchnorm(cls, module: Module) -> Module:
        """`module` with every BatchNorm1d/BatchNorm2d replaced by a SyncBatchNorm holding its parameters and
        statistics (the module itself when it is one)."""
        if isinstance(module, (BatchNorm1d, BatchNorm2d)):
            sync = cls(module.num_features, module.eps, module.momentum, module.affine,
                       module.track_running_stats, bias=module.use_bias)
            for name in ("weight", "bias"):
                if getattr(module, name) is not None:
                    setattr(sync, name, getattr(module, name))
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                if getattr(module, name) is not None:
                    setattr(sync, name, getattr(module, name))
            sync.train(module.training)
            return sync
        for name, child in list(module._modules.items()):
            if child is not None:
                setattr(module, name, cls.convert_sync_batchnorm(child))
        return module
