"""`LabelledImages`: images with integer labels and optional transforms, the shape MNIST's and CIFAR's data sets
share (torchvision's VisionDataset item protocol)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..dataset import Dataset


class LabelledImages(Dataset):
    data: np.ndarray
    targets: np.ndarray

    def __init__(self, transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None) -> None:
        self.transform, self.target_transform = transform, target_transform

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image, target = self.data[index], int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target
