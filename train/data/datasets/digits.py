"""The UCI handwritten digits (1,797 8x8 images, 10 classes), as shipped inside scikit-learn, so it works
offline. Pixels are scaled from 0..16 to [0, 1]; images are (1, 8, 8) float32, labels int64.

Split (fixed and documented): permute the 1,797 samples with `numpy.random.default_rng(0)`; the first 1,437
(80 %) are the training set, the last 360 the test set."""

from __future__ import annotations

import numpy as np

from ..dataset import TensorDataset

N_TRAIN = 1437
SPLIT_SEED = 0


def _load_arrays() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:  # pragma: no cover - scikit-learn is a dependency
        raise RuntimeError("the Digits data set ships with scikit-learn: pip install scikit-learn") from e
    bunch = load_digits()
    images = (bunch.images.astype(np.float32) / 16.0)[:, None, :, :]
    return images, bunch.target.astype(np.int64)


class Digits(TensorDataset):
    classes = [str(i) for i in range(10)]

    def __init__(self, train: bool = True) -> None:
        images, labels = _load_arrays()
        order = np.random.default_rng(SPLIT_SEED).permutation(len(labels))
        keep = order[:N_TRAIN] if train else order[N_TRAIN:]
        super().__init__(images[keep], labels[keep])
