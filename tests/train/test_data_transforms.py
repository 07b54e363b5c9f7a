"""Image transforms: ToTensor and Normalize against torch's arithmetic, the random ones checked for what they may
produce (a window of the padded image, a mirror image) and for reproducibility under ember.manual_seed."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.data import transforms as T


def _image(h=6, w=5, c=3, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, c), dtype=np.uint8)


def test_to_tensor_matches_torch_scaling():
    image = _image()
    ours = T.ToTensor()(image)
    theirs = torch.from_numpy(image).permute(2, 0, 1).float().div(255)
    assert ours.shape == (3, 6, 5) and ours.dtype == np.float32
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert T.ToTensor()(image[:, :, 0]).shape == (1, 6, 5)  # HW grey images get a channel axis
    with pytest.raises(ValueError, match="HWC or HW"):
        T.ToTensor()(np.zeros(4, np.uint8))


def test_normalize_matches_torch():
    x = T.ToTensor()(_image())
    mean, std = [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]
    theirs = (torch.from_numpy(x.numpy()) - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]
    np.testing.assert_allclose(T.Normalize(mean, std)(x).numpy(), theirs.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="does not match mean"):
        T.Normalize([0.5, 0.5], [1, 1])(x)
    with pytest.raises(ValueError, match="zero"):
        T.Normalize([0.5], [0.0])


def test_random_crop_is_a_window_of_the_padded_image_and_covers_every_offset():
    x = T.ToTensor()(_image(4, 4))
    padded = np.pad(x.numpy(), ((0, 0), (2, 2), (2, 2)))
    crop = T.RandomCrop(4, padding=2)
    ember.manual_seed(0)
    seen = set()
    for _ in range(400):
        out = crop(x).numpy()
        assert out.shape == (3, 4, 4)
        matches = [(i, j) for i in range(5) for j in range(5) if np.array_equal(padded[:, i:i + 4, j:j + 4], out)]
        assert matches, "the crop is not a window of the padded image"
        seen.update(matches)
    assert seen == {(i, j) for i in range(5) for j in range(5)}
    with pytest.raises(ValueError, match="larger than"):
        T.RandomCrop(8)(x)
    assert T.RandomCrop(6, pad_if_needed=True)(x).shape == (3, 6, 6)


def test_random_horizontal_flip():
    x = T.ToTensor()(_image())
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(x).numpy(), x.numpy()[:, :, ::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=0.0)(x).numpy(), x.numpy())
    ember.manual_seed(1)
    flips = sum(not np.array_equal(T.RandomHorizontalFlip()(x).numpy(), x.numpy()) for _ in range(1000))
    assert 430 < flips < 570


def test_random_transforms_follow_ember_seed():
    pipeline = T.Compose([T.ToTensor(), T.RandomCrop(4, padding=1), T.RandomHorizontalFlip(),
                          T.Normalize([0.5] * 3, [0.5] * 3)])

    def draw():
        ember.manual_seed(7)
        return [pipeline(_image(seed=s)).numpy() for s in range(20)]

    for a, b in zip(draw(), draw(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_transforms_keep_arrays_as_arrays():
    chw = np.arange(12, dtype=np.float32).reshape(1, 3, 4)
    assert isinstance(T.RandomHorizontalFlip(p=1.0)(chw), np.ndarray)
    assert isinstance(T.Normalize([1.0], [2.0])(chw), np.ndarray)
    assert isinstance(T.RandomCrop(2)(chw), np.ndarray)
