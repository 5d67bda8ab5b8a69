"""Datasets, samplers, collation and the DataLoader (single and multi-process)."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import ember
from ember.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    default_collate,
    get_worker_info,
    random_split,
)


def _ds(n=10):
    x = ember.arange(n * 2, dtype=ember.float32).reshape(n, 2)
    y = ember.arange(n)
    return TensorDataset(x, y)


def test_tensor_dataset_batches_and_drop_last():
    dl = DataLoader(_ds(), batch_size=4)
    batches = list(dl)
    assert len(dl) == 3 and len(batches) == 3
    xb, yb = batches[0]
    assert xb.shape == (4, 2) and yb.tolist() == [0, 1, 2, 3]
    assert batches[-1][1].tolist() == [8, 9]
    dl = DataLoader(_ds(), batch_size=4, drop_last=True)
    assert len(dl) == 2 and [b[1].tolist() for b in dl] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_shuffle_with_generator_is_reproducible_and_a_permutation():
    def order(seed):
        g = ember.Generator().manual_seed(seed)
        return [
            i
            for _, y in DataLoader(_ds(20), batch_size=3, shuffle=True, generator=g)
            for i in y.tolist()
        ]

    a, b, c = order(1), order(1), order(2)
    assert a == b and a != c and sorted(a) == list(range(20))
    # Without a generator each pass draws its seed from the default generator: passes
    # differ from each other, and the whole sequence repeats under manual_seed.
    dl = DataLoader(_ds(20), batch_size=5, shuffle=True)

    def two_passes():
        return [[i for _, y in dl for i in y.tolist()] for _ in range(2)]

    ember.manual_seed(3)
    first, second = two_passes()
    assert first != second and sorted(first) == sorted(second) == list(range(20))
    ember.manual_seed(3)
    assert two_passes() == [first, second]


def test_sampler_and_batch_sampler_options():
    ds = _ds()
    dl = DataLoader(ds, sampler=SubsetRandomSampler([1, 3, 5]), batch_size=2)
    assert sorted(i for _, y in dl for i in y.tolist()) == [1, 3, 5]
    bs = BatchSampler(SequentialSampler(ds), 3, drop_last=False)
    assert list(bs) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]] and len(bs) == 4
    dl = DataLoader(ds, batch_sampler=[[9, 0], [4]])
    assert [y.tolist() for _, y in dl] == [[9, 0], [4]]
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_sampler=bs, batch_size=2)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=SequentialSampler(ds), shuffle=True)
    rs = RandomSampler(
        ds, replacement=True, num_samples=25, generator=ember.Generator().manual_seed(0)
    )
    drawn = list(rs)
    assert len(drawn) == 25 and all(0 <= i < 10 for i in drawn)
    # batch_size=None: no automatic batching, samples are converted only.
    x, y = next(iter(DataLoader(ds, batch_size=None)))
    assert x.shape == (2,) and y.item() == 0


def test_default_collate_structures():
    # PyTorch's default_collate gives: dict of batches; numbers -> float64/int64 tensors,
    # NumPy scalars keep their dtype, tuples -> lists, namedtuples kept, strings as lists.
    Point = collections.namedtuple("Point", ["x", "y"])
    samples = [
        {
            "a": np.float32(i),
            "b": np.arange(3) + i,
            "c": (i, float(i)),
            "s": f"n{i}",
            "p": Point(i, [i, i + 1]),
        }
        for i in range(4)
    ]
    e = default_collate(samples)
    assert set(e) == {"a", "b", "c", "s", "p"}
    assert e["a"].dtype == ember.float32 and e["a"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert e["b"].dtype == ember.int64 and e["b"].tolist()[1] == [1, 2, 3]
    assert isinstance(e["c"], list) and e["c"][0].tolist() == [0, 1, 2, 3]
    assert e["c"][0].dtype == ember.int64 and e["c"][1].dtype == ember.float64
    assert e["s"] == ["n0", "n1", "n2", "n3"]
    assert isinstance(e["p"], Point) and e["p"].y[1].tolist() == [1, 2, 3, 4]
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        default_collate([ember.zeros(2), ember.zeros(3)])


class Squares(Dataset):
    def __len__(self):
        return 13

    def __getitem__(self, i):
        if i == 99:
            raise KeyError("bad index 99")
        return {"x": np.array([i, i * i], dtype=np.float64), "i": i}


def test_workers_give_the_same_batches_in_order():
    single = list(DataLoader(Squares(), batch_size=4))
    multi = list(DataLoader(Squares(), batch_size=4, num_workers=2))
    assert len(single) == len(multi) == 4
    for a, b in zip(single, multi):
        assert a["x"].tolist() == b["x"].tolist() and a["i"].tolist() == b["i"].tolist()


def test_worker_exception_propagates():
    dl = DataLoader(Squares(), batch_sampler=[[0, 1], [99]], num_workers=2)
    with pytest.raises(KeyError, match="bad index 99"):
        list(dl)


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))

    def __len__(self):
        return self.n


def test_iterable_dataset_single_and_multi_process():
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    got = [b.tolist() for b in DataLoader(Stream(8), batch_size=2, num_workers=2)]
    # Workers are read round-robin: worker 0's first batch, worker 1's first, ...
    assert got == [[0, 2], [1, 3], [4, 6], [5, 7]]
    assert get_worker_info() is None


def test_subset_concat_random_split():
    ds = _ds(10)
    sub = Subset(ds, [2, 4])
    assert len(sub) == 2 and sub[1][1].item() == 4
    cat = ConcatDataset([ds, sub])
    assert len(cat) == 12 and cat[11][1].item() == 4 and cat[-1][1].item() == 4
    a, b = random_split(ds, [7, 3], generator=ember.Generator().manual_seed(0))
    assert len(a) == 7 and len(b) == 3
    assert sorted(a.indices + b.indices) == list(range(10))
    parts = random_split(range(10), [0.5, 0.3, 0.2])
    assert [len(p) for p in parts] == [5, 3, 2]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(ds, [5, 6])


def test_training_loop_over_a_dataloader():
    import ember.nn as nn
    import ember.optim as optim

    ember.manual_seed(0)
    x = ember.randn(64, 3)
    y = (x @ ember.tensor([[1.0], [-2.0], [0.5]])).reshape(-1)
    model = nn.Linear(3, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    dl = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    first = last = None
    for _ in range(30):
        for xb, yb in dl:
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(xb).reshape(-1), yb)
            loss.backward()
            opt.step()
            first = loss.item() if first is None else first
            last = loss.item()
    assert last < 1e-3 < first
