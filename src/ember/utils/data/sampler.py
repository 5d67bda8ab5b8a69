"""Samplers: which indices a DataLoader visits, and in what batches."""

from __future__ import annotations

from ...random import _rng
from ._streams import Permutation, checked_cdf, private_generator, uniform_indices, weighted_indices


class Sampler:
    """Base class: an iterable of dataset indices."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


def _positive_int(name, value):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value}")


class RandomSampler(Sampler):
    """A random permutation (or ``num_samples`` draws with replacement), drawn lazily.

    Indices are drawn a chunk at a time from ``generator`` (or from a generator seeded once
    per pass from the default one), so ``num_samples=10**10`` costs no more memory than ten.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                "num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples}"
            )

    @property
    def num_samples(self):
        """How many indices one pass yields."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        rng = _rng(private_generator(self.generator))
        if self.replacement:
            yield from uniform_indices(n, self.num_samples, rng)
            return
        full, rest = divmod(self.num_samples, n)
        for _ in range(full):
            for chunk in Permutation(n, rng).chunks():
                yield from chunk
        if rest:
            for chunk in Permutation(n, rng).chunks(rest):
                yield from chunk

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in random order, drawn lazily."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        indices = self.indices
        rng = _rng(private_generator(self.generator))
        for chunk in Permutation(len(indices), rng).chunks():
            for i in chunk:
                yield indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``.

    With replacement the draws are made a chunk at a time (any ``num_samples``); without
    replacement ``num_samples`` cannot exceed ``len(weights)`` and the draw is made at once.
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        from ... import as_tensor, float64

        _positive_int("num_samples", num_samples)
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        weights = as_tensor(weights, dtype=float64)
        if weights.dim() != 1:
            raise ValueError(
                "weights should be a 1d sequence but given weights have shape "
                f"{tuple(weights.shape)}"
            )
        self.weights = weights
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        from ... import multinomial

        weights = self.weights
        generator = private_generator(self.generator)
        if not self.replacement or self.num_samples == 1:
            # One draw, or draws without replacement: at most len(weights) of them.
            if self.replacement and len(weights) == 0:
                raise RuntimeError(
                    "aminmax(): cannot compute aminmax over an empty dimension as the "
                    "operation has no identity."
                )
            drawn = multinomial(weights, self.num_samples, False, generator=generator)
            yield from drawn.tolist()
            return
        cdf = checked_cdf(weights.numpy())
        yield from weighted_indices(cdf, self.num_samples, _rng(generator))

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size``."""

    def __init__(self, sampler, batch_size, drop_last):
        _positive_int("batch_size", batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
