"""CIFAR-10: 60,000 32x32 colour images in 10 classes, from the "python version" archive (torchvision's URL,
checksums and layout: the archive in `root/`, its batches in `root/cifar-10-batches-py/`).

The archive is downloaded on request, its MD5 checked, and only the seven batch files are taken out of it (by
name, as regular files: no path in the archive can write outside `root`); each has its own MD5. Batches are read
by a restricted unpickler that builds no object but dicts, lists, strings, numbers and numeric arrays.

A sample is (image, label): the image a (32, 32, 3) uint8 HWC array (ToTensor makes it (3, 32, 32) in [0, 1]),
the label an int. `.data` (N, 32, 32, 3) and `.targets` hold the whole split."""

from __future__ import annotations

import os
import tarfile
from collections.abc import Callable
from typing import Any

import numpy as np

from ...files import write_atomically
from .cifar_pickle import read_cifar_batch, read_cifar_meta
from .download import DownloadError, Resource, fetch, verify
from .labelled import LabelledImages

FOLDER = "cifar-10-batches-py"


class CIFAR10(LabelledImages):
    mirrors = ["https://www.cs.toronto.edu/~kriz/"]
    archive = Resource("cifar-10-python.tar.gz", "md5:c58f30108f718f92721af3b95e74349a")
    train_list = [Resource("data_batch_1", "md5:c99cafc152244af753f735de768cd75f"),
                  Resource("data_batch_2", "md5:d4bba439e000b95fd0a9bffe97cbabec"),
                  Resource("data_batch_3", "md5:54ebc095f3ab1f0389bbae665268c751"),
                  Resource("data_batch_4", "md5:634d18415352ddfa80567beed471001a"),
                  Resource("data_batch_5", "md5:482c414d41f54cd18b22e5b47cb7c3cb")]
    test_list = [Resource("test_batch", "md5:40351d587109b95175f43aff81a1287e")]
    meta = Resource("batches.meta", "md5:5ff9c542aee3614f3951f8cda6e48888")

    def __init__(self, root: str, train: bool = True, transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None, download: bool = False) -> None:
        self.root, self.train = os.path.expanduser(os.fspath(root)), train
        super().__init__(transform, target_transform)
        folder = os.path.join(self.root, FOLDER)
        needed = [*(self.train_list if train else self.test_list), self.meta]
        if not all(verify(os.path.join(folder, r.filename), r.checksum) for r in needed):
            if not download:
                raise DownloadError(
                    f"CIFAR10: the batches are missing or damaged in {os.path.abspath(folder)}/: pass download=True, "
                    f"or put {self.archive.filename} (from {self.mirrors[0]}) in {os.path.abspath(self.root)}/"
                )
            self._extract(fetch(self.archive, self.root, self.mirrors, "CIFAR10"), needed)
        parts = [read_cifar_batch(os.path.join(folder, r.filename)) for r in needed[:-1]]
        self.data = np.concatenate([p[0] for p in parts])
        self.targets = np.concatenate([p[1] for p in parts])
        self.classes = read_cifar_meta(os.path.join(folder, self.meta.filename))

    def _extract(self, archive: str, needed: list[Resource]) -> None:
        folder = os.path.join(self.root, FOLDER)
        os.makedirs(folder, exist_ok=True)
        wanted = {f"{FOLDER}/{r.filename}": r for r in [*self.train_list, *self.test_list, self.meta]}
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                resource = wanted.get(member.name)
                if resource is None or not member.isfile():
                    continue
                source = tar.extractfile(member)
                write_atomically(os.path.join(folder, resource.filename), source.read())
        bad = [r.filename for r in needed if not verify(os.path.join(folder, r.filename), r.checksum)]
        if bad:
            raise DownloadError(f"CIFAR10: {archive} lacks or holds damaged {', '.join(bad)}; delete it and "
                                "download again")
