"""``DistributedSampler``: each process takes its own slice of the data set."""

from __future__ import annotations

import math

from ...random import Generator, _rng
from ._streams import Permutation
from .sampler import Sampler


def _chunked(permutation, stop, start, step):
    for chunk in permutation.chunks(stop, start, step):
        yield from chunk


class DistributedSampler(Sampler):
    """Indices of one replica's share of a data set, reshuffled per epoch like PyTorch's.

    With ``drop_last=False`` the index list is padded by repeating its start so every
    replica gets the same number of samples; with ``drop_last=True`` the tail is dropped.
    Each replica reads only its own positions of the epoch's permutation, a chunk at a time,
    so a data set of any length costs no index list.
    """

    def __init__(
        self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False
    ):
        if num_replicas is None or rank is None:
            from ...distributed import get_rank, get_world_size

            num_replicas = get_world_size() if num_replicas is None else num_replicas
            rank = get_rank() if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n, total, step = len(self.dataset), self.total_size, self.num_replicas
        if self.shuffle:
            rng = _rng(Generator().manual_seed(self.seed + self.epoch))
            return _chunked(Permutation(n, rng), total, self.rank, step)
        # Unshuffled: position j of the padded list is index j % n (the padding repeats
        # the start); with drop_last the list simply stops at total_size.
        return (j % n for j in range(self.rank, total, step))

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use ``epoch`` to reseed the shuffle, so every epoch sees a new order."""
        self.epoch = epoch
