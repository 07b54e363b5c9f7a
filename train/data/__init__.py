"""`ember.data`: data sets and the DataLoader."""

from . import datasets
from .dataloader import DataLoader, default_collate
from .dataset import Dataset, TensorDataset

__all__ = ["DataLoader", "Dataset", "TensorDataset", "datasets", "default_collate"]
