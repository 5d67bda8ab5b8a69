"""The relaxed distributions: a transformed base that holds the temperature and parameters."""

from __future__ import annotations

from .transformed_distribution import TransformedDistribution
from .utils import _forwarded


class _Relaxed(TransformedDistribution):
    """A relaxation whose ``temperature``, ``logits`` and ``probs`` are its base's."""

    temperature = _forwarded("base_dist.temperature", "The relaxation temperature.")
    logits = _forwarded("base_dist.logits", "The base distribution's logits.")
    probs = _forwarded("base_dist.probs", "The base distribution's probabilities.")
