"""``HalfNormal``: |X| for X ~ Normal(0, scale)."""

from __future__ import annotations

import math

import ember

from . import constraints
from ._expand import expand_base
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform
from .utils import _forwarded

__all__ = ["HalfNormal"]


class _Folded(TransformedDistribution):
    """|X| for X symmetric about 0: twice the density on [0, inf)."""

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    _unfolded: type  # the distribution symmetric about 0 that is folded, as _unfolded(0, scale)

    def __init__(self, scale, validate_args=None):
        base_dist = self._unfolded(0, scale, validate_args=False)
        super().__init__(base_dist, AbsTransform(), validate_args=validate_args)

    scale = _forwarded("base_dist.scale", "The scale of the folded distribution.")

    @property
    def mode(self):
        return ember.zeros_like(self.scale)

    def log_prob(self, value):
        """log 2 + the base log-density on [0, inf), -inf below."""
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return ember.where(value >= 0, log_prob, float("-inf"))

    def cdf(self, value):
        """2 F(x) - 1 for the base CDF F."""
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        """F^-1((p + 1) / 2)."""
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        """The base entropy minus log 2."""
        return self.base_dist.entropy() - math.log(2)


class HalfNormal(_Folded):
    """HalfNormal(scale) = |Normal(0, scale)|, reparameterized."""

    expand = expand_base(doc="The distribution with scale expanded to ``batch_shape``.")
    _unfolded = Normal

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)
