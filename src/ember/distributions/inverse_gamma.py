"""``InverseGamma``: 1 / X for X ~ Gamma(concentration, rate)."""

from __future__ import annotations

import ember

from . import constraints
from ._expand import expand_base
from ._special import digamma, lgamma
from .gamma import Gamma
from .transformed_distribution import TransformedDistribution
from .transforms import PowerTransform
from .utils import _forwarded

__all__ = ["InverseGamma"]


class InverseGamma(TransformedDistribution):
    """InverseGamma(concentration, rate) = 1 / Gamma(concentration, rate), reparameterized."""

    expand = expand_base(doc="The distribution with its parameters expanded to ``batch_shape``.")
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        base_dist = Gamma(concentration, rate, validate_args=validate_args)
        neg_one = -base_dist.rate.new_ones(())
        super().__init__(base_dist, PowerTransform(neg_one), validate_args=validate_args)

    concentration = _forwarded("base_dist.concentration", "The Gamma concentration.")
    rate = _forwarded("base_dist.rate", "The Gamma rate.")

    @property
    def mean(self):
        result = self.rate / (self.concentration - 1)
        return ember.where(self.concentration > 1, result, float("inf"))

    @property
    def mode(self):
        return self.rate / (self.concentration + 1)

    @property
    def variance(self):
        a = self.concentration
        result = self.rate.square() / ((a - 1).square() * (a - 2))
        return ember.where(a > 2, result, float("inf"))

    def entropy(self):
        """a + log(rate) + lgamma(a) - (1 + a) digamma(a)."""
        a = self.concentration
        return a + self.rate.log() + lgamma(a) - (1 + a) * digamma(a)
