from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

import ember
from ember.data import DataLoader, Dataset, TensorDataset
from ember.data.datasets import Digits


def test_digits_split_is_fixed_disjoint_and_complete():
    train, test = Digits(train=True), Digits(train=False)
    assert (len(train), len(test)) == (1437, 360)
    x, y = train[0]
    assert x.shape == (1, 8, 8) and x.dtype == np.float32 and 0.0 <= x.min() and x.max() <= 1.0
    # every image of the UCI set appears exactly once across the two splits
    raw = load_digits()
    both = np.concatenate([train.tensors[0], test.tensors[0]]).reshape(1797, 64) * 16
    assert sorted(map(bytes, both.astype(np.uint8))) == sorted(map(bytes, raw.data.astype(np.uint8)))
    labels = np.concatenate([train.tensors[1], test.tensors[1]])
    assert np.bincount(labels).tolist() == np.bincount(raw.target).tolist()
    np.testing.assert_array_equal(Digits(train=False).tensors[1], test.tensors[1])


def test_loader_batches_and_drop_last():
    data = TensorDataset(np.arange(10, dtype=np.float32).reshape(10, 1), np.arange(10))
    batches = list(DataLoader(data, batch_size=4))
    assert [b[0].shape for b in batches] == [(4, 1), (4, 1), (2, 1)]
    assert len(DataLoader(data, batch_size=4, drop_last=True)) == 2
    assert [b[1].shape for b in DataLoader(data, batch_size=4, drop_last=True)] == [(4,), (4,)]


def test_seeded_shuffle_is_reproducible_and_a_permutation():
    data = TensorDataset(np.arange(50), np.arange(50))
    order1 = np.concatenate([b[0].numpy() for b in DataLoader(data, batch_size=7, shuffle=True, seed=3)])
    order2 = np.concatenate([b[0].numpy() for b in DataLoader(data, batch_size=7, shuffle=True, seed=3)])
    np.testing.assert_array_equal(order1, order2)
    assert sorted(order1.tolist()) == list(range(50)) and order1.tolist() != list(range(50))
    ember.manual_seed(5)
    a = np.concatenate([b[0].numpy() for b in DataLoader(data, batch_size=50, shuffle=True)])
    ember.manual_seed(5)
    b = np.concatenate([b[0].numpy() for b in DataLoader(data, batch_size=50, shuffle=True)])
    np.testing.assert_array_equal(a, b)


def test_collate_dicts_and_generic_datasets():
    class Pairs(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": np.full(2, i, np.float64), "y": i}

    batch = next(iter(DataLoader(Pairs(), batch_size=3)))
    assert batch["x"].shape == (3, 2) and batch["x"].dtype == np.float32
    assert batch["y"].numpy().tolist() == [0, 1, 2]


def test_tensor_dataset_rejects_ragged_inputs():
    with pytest.raises(ValueError, match="tensor 0 has 3 rows but tensor 1 has 2"):
        TensorDataset(np.zeros(3), np.zeros(2))


class _Noisy(Dataset):
    """Samples whose values depend on Ember's generator (as a random transform's do)."""

    def __len__(self):
        return 37

    def __getitem__(self, i):
        return ember.random.default_generator().standard_normal(3) + i, i


@pytest.mark.parametrize("shuffle,drop_last", [(True, False), (False, True)])
def test_workers_yield_exactly_what_the_main_process_yields(shuffle, drop_last):
    def passes(num_workers, **kwargs):
        ember.manual_seed(11)
        loader = DataLoader(_Noisy(), batch_size=5, shuffle=shuffle, drop_last=drop_last, num_workers=num_workers,
                            **kwargs)
        out = [[(x.numpy(), y.numpy()) for x, y in loader] for _ in range(2)]
        loader.shutdown_workers()
        return out, ember.random.default_generator().integers(1 << 30)

    (reference, after), (with_workers, after_workers) = passes(0), passes(3, prefetch_factor=1)
    persistent, _ = passes(2, persistent_workers=True)
    for run in (with_workers, persistent):
        assert len(run) == len(reference) == 2
        for epoch, epoch_ref in zip(run, reference, strict=True):
            assert len(epoch) == len(epoch_ref) == (7 if drop_last else 8)
            for (x, y), (x_ref, y_ref) in zip(epoch, epoch_ref, strict=True):
                np.testing.assert_array_equal(x, x_ref)
                np.testing.assert_array_equal(y, y_ref)
    assert after == after_workers  # the global generator advanced the same way
    assert not np.array_equal(reference[0][0][0], reference[1][0][0])  # each pass draws new numbers


def test_worker_errors_reach_the_caller():
    class Broken(Dataset):
        def __len__(self):
            return 8

        def __getitem__(self, i):
            if i == 6:
                raise KeyError(f"sample {i} is missing")
            return np.zeros(2), i

    with pytest.raises(KeyError, match="sample 6 is missing"):
        list(DataLoader(Broken(), batch_size=2, num_workers=2))


def test_tensor_dataset_subclass_with_its_own_getitem_is_not_fast_pathed():
    class Doubled(TensorDataset):
        def __getitem__(self, i):
            x, y = super().__getitem__(i)
            return 2 * x, y

    data = Doubled(np.arange(4, dtype=np.float32).reshape(4, 1), np.arange(4))
    x, _ = next(iter(DataLoader(data, batch_size=4)))
    np.testing.assert_array_equal(x.numpy().ravel(), [0, 2, 4, 6])


def test_loader_arguments_are_checked():
    data = TensorDataset(np.zeros(3))
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(data, num_workers=-1)
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(data, batch_size=0)
