"""`ember.data`: data sets, image transforms and the DataLoader."""

from . import datasets, transforms
from .dataloader import DataLoader, default_collate
from .dataset import Dataset, TensorDataset

__all__ = ["DataLoader", "Dataset", "TensorDataset", "datasets", "default_collate", "transforms"]
