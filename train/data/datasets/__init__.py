"""Data sets. Digits ships inside scikit-learn (offline, the default for examples and tests); MNIST,
FashionMNIST and CIFAR10 download on request (`download=True`) into `root`, verify checksums and cache."""

from .cifar import CIFAR10
from .digits import Digits
from .download import DownloadError
from .mnist import MNIST, FashionMNIST

__all__ = ["CIFAR10", "MNIST", "Digits", "DownloadError", "FashionMNIST"]
