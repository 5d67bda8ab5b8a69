"""Samplers against PyTorch's: argument errors, sampling errors, deterministic orders."""

from __future__ import annotations

import pytest

import ember

torch = pytest.importorskip("torch")

INF, NAN = float("inf"), float("nan")


def _outcome(fn):
    try:
        return "ok", fn()
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        return type(e).__name__, str(e)


@pytest.mark.parametrize(
    "make",
    [
        lambda L: L.utils.data.RandomSampler(range(3), replacement=1),
        lambda L: L.utils.data.RandomSampler(range(3), num_samples=0),
        lambda L: L.utils.data.RandomSampler(range(3), num_samples=2.0),
        lambda L: L.utils.data.RandomSampler([]),
        lambda L: list(L.utils.data.RandomSampler([], replacement=True, num_samples=3)),
        lambda L: list(L.utils.data.RandomSampler([], num_samples=3)),
        lambda L: L.utils.data.WeightedRandomSampler([1.0, 2.0], 0),
        lambda L: L.utils.data.WeightedRandomSampler([1.0, 2.0], True),
        lambda L: L.utils.data.WeightedRandomSampler([1.0, 2.0], 3.0),
        lambda L: L.utils.data.WeightedRandomSampler([1.0, 2.0], 3, replacement=None),
        lambda L: L.utils.data.WeightedRandomSampler([[1.0, 2.0]], 3),
        lambda L: list(L.utils.data.WeightedRandomSampler([1.0, 2.0], 3, replacement=False)),
        lambda L: list(L.utils.data.WeightedRandomSampler([1.0, -2.0], 3)),
        lambda L: list(L.utils.data.WeightedRandomSampler([NAN, 1.0], 3)),
        lambda L: list(L.utils.data.WeightedRandomSampler([INF, -1.0], 3)),
        lambda L: list(L.utils.data.WeightedRandomSampler([-1.0, INF], 3)),
        lambda L: list(L.utils.data.WeightedRandomSampler([0.0, 0.0], 3)),
        lambda L: list(L.utils.data.WeightedRandomSampler([], 3)),
        lambda L: list(L.utils.data.WeightedRandomSampler([], 1)),
        lambda L: list(L.utils.data.WeightedRandomSampler([0.0, 0.0], 2, replacement=False)),
        lambda L: list(L.utils.data.WeightedRandomSampler([0.0, 3.0, 0.0], 4)),
        lambda L: list(L.utils.data.WeightedRandomSampler([0.0, 3.0, 0.0], 1)),
        lambda L: (
            L.utils.data.WeightedRandomSampler(L.tensor([1, 2]), 3).weights.dtype == L.float64
        ),
        lambda L: L.utils.data.DistributedSampler(range(4), 2, 2),
        lambda L: L.utils.data.DistributedSampler(range(4), 2, -1),
        lambda L: list(L.utils.data.SubsetRandomSampler([])),
        lambda L: list(L.utils.data.SubsetRandomSampler([7])),
    ],
)
def test_same_outcome_as_pytorch(make):
    assert _outcome(lambda: make(ember)) == _outcome(lambda: make(torch))


@pytest.mark.parametrize("n", [0, 1, 7, 10, 12, 13])
@pytest.mark.parametrize("replicas", [1, 3, 4, 20])
@pytest.mark.parametrize("drop_last", [False, True])
def test_unshuffled_distributed_sampler_is_pytorchs(n, replicas, drop_last):
    for rank in range(replicas):
        ours = ember.utils.data.DistributedSampler(
            range(n), replicas, rank, shuffle=False, drop_last=drop_last
        )
        theirs = torch.utils.data.DistributedSampler(
            range(n), replicas, rank, shuffle=False, drop_last=drop_last
        )
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


@pytest.mark.parametrize("n, replicas, drop_last", [(10, 3, False), (13, 4, True), (5, 8, False)])
def test_shuffled_distributed_sampler_splits_as_pytorchs(n, replicas, drop_last):
    # Orders differ (other random streams); the shape of the split does not.
    ours = [
        list(ember.utils.data.DistributedSampler(range(n), replicas, r, drop_last=drop_last))
        for r in range(replicas)
    ]
    theirs = [
        list(torch.utils.data.DistributedSampler(range(n), replicas, r, drop_last=drop_last))
        for r in range(replicas)
    ]
    assert [len(p) for p in ours] == [len(p) for p in theirs]
    flat_ours, flat_theirs = sum(ours, []), sum(theirs, [])
    assert len(set(flat_ours)) == len(set(flat_theirs))
    assert sorted(set(flat_ours)) == sorted(set(flat_theirs)) or drop_last
    # Every replica sees the same permutation of the epoch: together they repeat nothing
    # beyond the padding.
    assert len(flat_ours) - len(set(flat_ours)) == len(flat_theirs) - len(set(flat_theirs))
