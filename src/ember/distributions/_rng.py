"""Samplers the distributions draw from Ember's default generator.

PyTorch has these as ``torch._standard_gamma``, ``torch.poisson``, ``torch.binomial``;
Ember's numbers are its own (a PCG64 stream), reproducible under ``ember.manual_seed``.
"""

from __future__ import annotations

import ember

from ..backend import np
from ..random import default_generator


def _rng():
    return default_generator._rng


def _out(array, like):
    return ember.tensor(np.asarray(array, dtype=like._data.dtype), device=like.device)


def standard_gamma(concentration):
    """Gamma(concentration, 1) samples, one per entry (no gradient)."""
    a = np.asarray(concentration._data, dtype=np.float64)
    out = _rng().standard_gamma(a)
    # float32 samples must stay positive, as PyTorch's do (it clamps to the smallest normal)
    tiny = np.finfo(concentration._data.dtype).tiny
    return _out(np.maximum(out, tiny), concentration)


def poisson(rate):
    """Poisson(rate) counts as floats of rate's dtype."""
    return _out(_rng().poisson(np.asarray(rate._data, dtype=np.float64)), rate)


def binomial(count, prob):
    """Binomial(count, prob) counts as floats of prob's dtype (count and prob broadcast)."""
    n = np.asarray(count._data, dtype=np.float64)
    p = np.asarray(prob._data, dtype=np.float64)
    n, p = np.broadcast_arrays(n, p)
    draws = _rng().binomial(n.astype(np.int64), np.clip(np.nan_to_num(p), 0.0, 1.0))
    return _out(draws, prob)


def dirichlet(concentration):
    """Dirichlet samples over the last dim: normalized Gamma draws (no gradient)."""
    a = np.asarray(concentration._data, dtype=np.float64)
    tiny = np.finfo(concentration._data.dtype).tiny
    g = np.maximum(_rng().standard_gamma(a), tiny)
    return _out(g / g.sum(-1, keepdims=True), concentration)


def multinomial_counts(total_count, probs, shape):
    """Counts of ``total_count`` categorical draws per event; ``shape`` is sample+batch."""
    p = np.asarray(probs._data, dtype=np.float64)
    p = p / p.sum(-1, keepdims=True)
    draws = _rng().multinomial(total_count, np.broadcast_to(p, tuple(shape) + p.shape[-1:]))
    return _out(draws, probs)
