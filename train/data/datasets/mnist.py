"""MNIST and Fashion-MNIST: 28x28 grey images in IDX files, downloaded on request (torchvision's names, mirrors,
checksums and folder layout: `root/MNIST/raw/`, `root/FashionMNIST/raw/`).

A sample is (image, label): the image an (28, 28) uint8 array (ToTensor makes it a (1, 28, 28) float tensor in
[0, 1]), the label an int. `.data` and `.targets` hold the whole split as arrays."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from .download import Resource, require
from .idx import read_idx
from .labelled import LabelledImages


class MNIST(LabelledImages):
    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = {
        True: (Resource("train-images-idx3-ubyte.gz", "md5:f68b3c2dcbeaaa9fbdd348bbdeb94873"),
               Resource("train-labels-idx1-ubyte.gz", "md5:d53e105ee54ea40749a09fcbcd1e9432")),
        False: (Resource("t10k-images-idx3-ubyte.gz", "md5:9fb629c4189551a2d022fa330f9573f3"),
                Resource("t10k-labels-idx1-ubyte.gz", "md5:ec29112dd5afa0611ce80d1b7f02629c")),
    }
    classes = [str(i) for i in range(10)]

    def __init__(self, root: str, train: bool = True, transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None, download: bool = False) -> None:
        self.root, self.train = os.path.expanduser(os.fspath(root)), train
        super().__init__(transform, target_transform)
        images, labels = require(self.resources[train], self.raw_folder, self.mirrors, type(self).__name__,
                                 download)
        self.data, self.targets = read_idx(images), read_idx(labels).astype(np.int64)
        if self.data.ndim != 3 or self.data.dtype != np.uint8 or len(self.targets) != len(self.data):
            raise ValueError(f"{images}: expected N images of uint8 HxW and N labels, got {self.data.dtype} "
                             f"{self.data.shape} and {self.targets.shape} labels")

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, type(self).__name__, "raw")


class FashionMNIST(MNIST):
    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = {
        True: (Resource("train-images-idx3-ubyte.gz", "md5:8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
               Resource("train-labels-idx1-ubyte.gz", "md5:25c81989df183df01b3e8a0aad5dffbe")),
        False: (Resource("t10k-images-idx3-ubyte.gz", "md5:bef4ecab320f06d8554ea6380940ec79"),
                Resource("t10k-labels-idx1-ubyte.gz", "md5:bb300cfdad3c16e7a12a480ee83cd310")),
    }
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
