"""Index streams for the samplers: drawn in small chunks, so memory never grows with length.

A sampler may promise ``10**10`` indices; it must still yield its first one at once and hold
only a chunk at a time.  Uniform and weighted draws with replacement are chunked directly.
A permutation of ``n`` is an array while ``n`` is at most ``MATERIALIZE_MAX`` (an exact
uniform shuffle, as PyTorch's ``randperm``); beyond that it is a keyed bijection of
``range(n)`` (a Feistel network with cycle walking) read position by position, so it costs
a few words of memory for any ``n``: every index still appears exactly once per pass, but the
order is a pseudo-random one rather than a draw from all ``n!`` orders.
"""

from __future__ import annotations

from ...backend import np
from ...random import Generator, _rng

CHUNK = 1024
MATERIALIZE_MAX = 1 << 24
_ROUNDS = 6
_U64 = np.uint64


def private_generator(generator):
    """``generator`` itself, or a fresh one seeded from the default generator (as PyTorch)."""
    if generator is not None:
        return generator
    seed = int(_rng(None).integers(0, 2**63 - 1))
    return Generator().manual_seed(seed)


def uniform_indices(n: int, count: int, rng):
    """Yield ``count`` indices drawn uniformly from ``range(n)``, a chunk at a time."""
    if count > 0 and n <= 0:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from=0 >= to={n}")
    for start in range(0, count, CHUNK):
        yield from rng.integers(0, n, min(CHUNK, count - start)).tolist()


def weighted_indices(cdf, count: int, rng):
    """Yield ``count`` indices drawn with replacement from a cumulative distribution."""
    last = len(cdf) - 1
    for start in range(0, count, CHUNK):
        u = rng.random(min(CHUNK, count - start))
        yield from np.minimum(np.searchsorted(cdf, u, side="right"), last).tolist()


def checked_cdf(weights):
    """The cumulative distribution of ``weights``, refused as ``multinomial`` with replacement."""
    bad = ~(weights >= 0) | np.isinf(weights)
    if bad.any():
        first = weights[int(np.argmax(bad))]
        what = "< 0" if not first >= 0 else "= infinity or NaN"
        raise RuntimeError(
            f"invalid multinomial distribution (encountering probability entry {what})"
        )
    top = weights.max() if len(weights) else 0.0
    if top <= 0:
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    # Scaled by the largest weight first, so that a sum of huge weights cannot overflow.
    cdf = np.cumsum(weights / top)
    cdf /= cdf[-1]
    cdf[-1] = 1.0
    return cdf


def _mix(x, key):
    # splitmix64's finaliser: a strong 64-bit mixer, cheap on whole arrays.
    x = x ^ key
    x = (x ^ (x >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> _U64(27))) * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


class Permutation:
    """A random permutation of ``range(n)`` read by position (``take``), drawn from ``rng``."""

    def __init__(self, n: int, rng, table_max: int = MATERIALIZE_MAX):
        self.n = n
        if n <= table_max:
            self._table = np.arange(n, dtype=np.int32 if n < 2**31 else np.int64)
            rng.shuffle(self._table)
            return
        self._table = None
        self._half = _U64(max(1, ((n - 1).bit_length() + 1) // 2))
        self._mask = _U64((1 << int(self._half)) - 1)
        self._keys = rng.integers(0, 2**64, size=_ROUNDS, dtype=np.uint64)

    def _encrypt(self, x):
        left, right = x >> self._half, x & self._mask
        for key in self._keys:
            left, right = right, left ^ (_mix(right, key) & self._mask)
        return (left << self._half) | right

    def take(self, positions):
        """The permuted values at ``positions`` (an integer array of positions below ``n``)."""
        if self._table is not None:
            return self._table[positions]
        y = self._encrypt(positions.astype(np.uint64))
        # Cycle walking: the network permutes a power-of-four range; step again until inside.
        out = y >= _U64(self.n)
        while out.any():
            y[out] = self._encrypt(y[out])
            out = y >= _U64(self.n)
        return y

    def chunks(self, stop: int | None = None, start: int = 0, step: int = 1):
        """Yield the values at positions ``range(start, stop, step)``, as lists of a chunk."""
        stop = self.n if stop is None else stop
        for lo in range(start, stop, CHUNK * step):
            hi = min(stop, lo + CHUNK * step)
            positions = np.arange(lo, hi, step, dtype=np.int64)
            yield self.take(positions % self.n).tolist()
