"""`ember.data`: data sets, image transforms, samplers and the DataLoader."""

from . import datasets, transforms
from .dataloader import DataLoader, default_collate
from .dataset import Dataset, TensorDataset
from .sampler import DistributedSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "Dataset", "DistributedSampler", "RandomSampler", "Sampler", "SequentialSampler",
           "TensorDataset", "datasets", "default_collate", "transforms"]
