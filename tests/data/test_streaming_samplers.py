"""Samplers over 10**10 indices stream: a memory-capped process draws from each, then the
index statistics and ``len()`` are compared with PyTorch's samplers."""

from __future__ import annotations

import itertools
import json
import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import ember
from ember.utils.data import (
    DataLoader,
    DistributedSampler,
    RandomSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from ember.utils.data._streams import Permutation

torch = pytest.importorskip("torch")
tdata = torch.utils.data

HUGE = 10**10
K = 8192  # indices read from each stream
BINS = 16

# Everything below runs with its address space capped at what importing Ember took plus
# 1 GiB: one int32 per index of a 10**10 stream would need 40 GB.
_CAPPED = textwrap.dedent(
    """
    import itertools, json, multiprocessing, re, resource, sys
    import ember
    import ember.nn as nn
    from ember.utils.data import (DataLoader, DistributedSampler, RandomSampler,
        SubsetRandomSampler, TensorDataset, WeightedRandomSampler)

    vm = int(re.search(r"VmSize:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (vm + 2**30, resource.RLIM_INFINITY))
    HUGE, K = 10**10, int(sys.argv[1])

    class Sized:
        def __init__(self, n):
            self.n = n
        def __len__(self):
            return self.n

    def head(sampler):
        return list(itertools.islice(sampler, K))

    ember.manual_seed(0)
    out = {
        "rs_replacement": head(RandomSampler(range(1000), replacement=True, num_samples=HUGE)),
        "rs_passes": head(RandomSampler(range(1000), num_samples=HUGE)),
        "rs_huge_dataset": head(RandomSampler(Sized(HUGE))),
        "subset": head(SubsetRandomSampler(range(0, 3 * HUGE, 3))),
        "weighted": head(WeightedRandomSampler([1.0, 2.0, 3.0, 4.0], HUGE)),
        "distributed": head(DistributedSampler(Sized(HUGE), num_replicas=4, rank=1)),
        "distributed_ordered": head(
            DistributedSampler(Sized(HUGE), num_replicas=4, rank=3, shuffle=False)
        ),
    }

    # The loader pattern of iteration-counting trainers, with and without workers.
    x = ember.randn(1000, 4)
    y = x @ ember.tensor([1.0, -2.0, 0.5, 3.0])
    ds = TensorDataset(x, y)
    for workers in (0, 2):
        sampler = RandomSampler(ds, replacement=True, num_samples=HUGE)
        loader = DataLoader(ds, sampler=sampler, shuffle=False, batch_size=32,
                            num_workers=workers)
        model = nn.Linear(4, 1)
        opt = ember.optim.SGD(model.parameters(), lr=0.2)
        losses = []
        data_iter = iter(loader)
        for step in range(100):
            xb, yb = next(data_iter)
            loss = nn.functional.mse_loss(model(xb).reshape(-1), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            losses.append(loss.item())
        del data_iter  # the trainer stops here, mid-stream
        out[f"train_{workers}"] = {
            "losses": losses,
            "len": len(loader),
            "children": len(multiprocessing.active_children()),
        }
    out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def capped():
    r = subprocess.run(
        [sys.executable, "-c", _CAPPED, str(K)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout)


class _Sized:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


def _torch_head(sampler, k=K):
    return list(itertools.islice(sampler, k))


def _same_distribution(a, b, lo, hi, bins=BINS):
    """Two-sample chi-square over equal-width bins; deterministic seeds make it exact."""
    ha = np.histogram(a, bins=bins, range=(lo, hi))[0].astype(float)
    hb = np.histogram(b, bins=bins, range=(lo, hi))[0].astype(float)
    ka, kb = math.sqrt(hb.sum() / ha.sum()), math.sqrt(ha.sum() / hb.sum())
    keep = (ha + hb) > 0
    chi2 = (((ka * ha - kb * hb) ** 2)[keep] / (ha + hb)[keep]).sum()
    # 15 degrees of freedom: the 1e-4 critical value is 42.6.
    assert chi2 < 42.6, (chi2, ha, hb)


def test_len_is_pytorchs():
    pairs = [
        (
            RandomSampler(range(1000), replacement=True, num_samples=HUGE),
            tdata.RandomSampler(range(1000), replacement=True, num_samples=HUGE),
        ),
        (RandomSampler(_Sized(HUGE)), tdata.RandomSampler(_Sized(HUGE))),
        (
            SubsetRandomSampler(range(0, 3 * HUGE, 3)),
            tdata.SubsetRandomSampler(range(0, 3 * HUGE, 3)),
        ),
        (WeightedRandomSampler([1.0, 2.0], HUGE), tdata.WeightedRandomSampler([1.0, 2.0], HUGE)),
    ]
    for replicas, rank, drop in [(4, 1, False), (3, 2, True), (7, 0, False)]:
        pairs.append(
            (
                DistributedSampler(_Sized(HUGE + 1), replicas, rank, drop_last=drop),
                tdata.DistributedSampler(_Sized(HUGE + 1), replicas, rank, drop_last=drop),
            )
        )
    for ours, theirs in pairs:
        assert len(ours) == len(theirs), type(ours).__name__
    ds = _Sized(HUGE)
    loader = DataLoader(ds, sampler=RandomSampler(ds, True, HUGE), batch_size=32)
    t_loader = tdata.DataLoader(ds, sampler=tdata.RandomSampler(ds, True, HUGE), batch_size=32)
    assert len(loader) == len(t_loader) == math.ceil(HUGE / 32)


def test_random_sampler_with_replacement_streams(capped):
    torch.manual_seed(0)
    theirs = _torch_head(tdata.RandomSampler(range(1000), replacement=True, num_samples=HUGE))
    ours = capped["rs_replacement"]
    assert len(ours) == K and min(ours) >= 0 and max(ours) < 1000
    _same_distribution(ours, theirs, 0, 1000)


def test_repeated_permutations_stream(capped):
    # num_samples > len: whole permutations one after another, in PyTorch as here.
    torch.manual_seed(0)
    theirs = _torch_head(tdata.RandomSampler(range(1000), num_samples=HUGE))
    ours = capped["rs_passes"]
    full = K // 1000 * 1000
    assert np.array_equal(np.bincount(ours[:full]), np.bincount(theirs[:full]))
    assert all(sorted(ours[i : i + 1000]) == list(range(1000)) for i in range(0, full, 1000))
    assert ours[:1000] != ours[1000:2000]  # each pass is a new permutation


def test_permutation_of_a_huge_dataset_streams(capped):
    # PyTorch materialises randperm(10**10); its statistics are taken over 10**6 instead,
    # both scaled to [0, 1).
    torch.manual_seed(0)
    theirs = np.array(_torch_head(tdata.RandomSampler(range(10**6)))) / 10**6
    ours = capped["rs_huge_dataset"]
    assert len(set(ours)) == K and min(ours) >= 0 and max(ours) < HUGE
    _same_distribution(np.array(ours) / HUGE, theirs, 0.0, 1.0)


def test_subset_random_sampler_streams(capped):
    torch.manual_seed(0)
    theirs = np.array(_torch_head(tdata.SubsetRandomSampler(range(0, 3 * 10**6, 3)))) / 3e6
    ours = capped["subset"]
    assert len(set(ours)) == K and all(i % 3 == 0 for i in ours)
    _same_distribution(np.array(ours) / (3 * HUGE), theirs, 0.0, 1.0)


def test_weighted_sampler_streams(capped):
    torch.manual_seed(0)
    theirs = list(tdata.WeightedRandomSampler([1.0, 2.0, 3.0, 4.0], K))
    ours = capped["weighted"]
    _same_distribution(ours, theirs, 0, 4, bins=4)
    freq = np.bincount(ours, minlength=4) / K
    assert np.allclose(freq, [0.1, 0.2, 0.3, 0.4], atol=0.03)


def test_distributed_sampler_streams(capped):
    torch.manual_seed(0)
    theirs = np.array(_torch_head(tdata.DistributedSampler(range(10**6), 4, 1))) / 10**6
    ours = capped["distributed"]
    assert len(set(ours)) == K and max(ours) < HUGE
    _same_distribution(np.array(ours) / HUGE, theirs, 0.0, 1.0)
    # Unshuffled: the rank's positions, rank, rank + replicas, ... as in PyTorch.
    assert capped["distributed_ordered"] == list(range(3, 4 * K, 4))


@pytest.mark.parametrize("workers", [0, 2])
def test_training_loop_over_an_endless_sampler(capped, workers):
    run = capped[f"train_{workers}"]
    assert run["len"] == math.ceil(HUGE / 32)
    losses = run["losses"]
    assert len(losses) == 100 and np.mean(losses[-10:]) < 0.02 * np.mean(losses[:10])
    assert run["children"] == 0  # the stopped loader left no worker behind


@pytest.mark.parametrize(
    "make",
    [
        lambda g: RandomSampler(range(50), replacement=True, num_samples=HUGE, generator=g),
        lambda g: RandomSampler(range(50), num_samples=HUGE, generator=g),
        lambda g: RandomSampler(_Sized(HUGE), generator=g),
        lambda g: SubsetRandomSampler(range(HUGE), generator=g),
        lambda g: WeightedRandomSampler([1.0, 5.0, 2.0], HUGE, generator=g),
    ],
)
def test_streams_are_reproducible(make):
    def head(sampler):
        return list(itertools.islice(sampler, 3000))

    ember.manual_seed(7)
    a = head(make(None))
    ember.manual_seed(7)
    assert head(make(None)) == a
    assert head(make(None)) != a  # the next pass draws a new seed
    g = ember.Generator()
    b = head(make(g.manual_seed(3)))
    assert head(make(g.manual_seed(3))) == b and b != a


def test_keyed_permutation_is_a_shuffle():
    # Above the table limit a permutation is a keyed bijection; force it on small sizes.
    rng = np.random.default_rng(0)
    for n in (1, 2, 3, 1000, 4097, 65537):
        p = Permutation(n, rng, table_max=0)
        values = p.take(np.arange(n))
        assert np.array_equal(np.sort(values), np.arange(n)), n
    values = Permutation(100_003, rng, table_max=0).take(np.arange(100_003)).astype(float)
    assert abs(np.corrcoef(np.arange(100_003), values)[0, 1]) < 0.02
    # Neighbouring positions land far apart.
    assert np.median(np.abs(np.diff(values))) > 10_000
    other = Permutation(100_003, rng, table_max=0).take(np.arange(100_003))
    assert (other != values).mean() > 0.99


def test_permutation_chunks_follow_positions():
    rng = np.random.default_rng(1)
    for table_max in (0, 1 << 24):
        p = Permutation(5000, rng, table_max=table_max)
        whole = p.take(np.arange(5000)).tolist()
        assert [i for c in p.chunks() for i in c] == whole
        assert [i for c in p.chunks(5003, 2, 3) for i in c] == [
            whole[j % 5000] for j in range(2, 5003, 3)
        ]
