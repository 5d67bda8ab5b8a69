"""The relaxed distributions: a transformed base that holds the temperature and parameters."""

from __future__ import annotations

from .transformed_distribution import TransformedDistribution


class _Relaxed(TransformedDistribution):
    """A relaxation whose ``temperature``, ``logits`` and ``probs`` are its base's."""

    @property
    def temperature(self):
        """The relaxation temperature."""
        return self.base_dist.temperature

    @property
    def logits(self):
        """The base distribution's logits."""
        return self.base_dist.logits

    @property
    def probs(self):
        """The base distribution's probabilities."""
        return self.base_dist.probs
