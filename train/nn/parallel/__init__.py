"""`ember.nn.parallel`: DistributedDataParallel, torch.nn.parallel's name and meaning."""

from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
