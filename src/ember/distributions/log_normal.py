"""``LogNormal``: exp of a Normal(loc, scale)."""

from __future__ import annotations

from . import constraints
from ._expand import expand_base
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import ExpTransform
from .utils import _forwarded

__all__ = ["LogNormal"]


class LogNormal(TransformedDistribution):
    """LogNormal(loc, scale): exp(X) with X ~ Normal(loc, scale) (reparameterized)."""

    expand = expand_base(doc="The distribution with loc and scale expanded to ``batch_shape``.")
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        base_dist = Normal(loc, scale, validate_args=validate_args)
        super().__init__(base_dist, ExpTransform(), validate_args=validate_args)

    loc = _forwarded("base_dist.loc", "The mean of log(X).")
    scale = _forwarded("base_dist.scale", "The standard deviation of log(X).")

    @property
    def mean(self):
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self):
        return (self.loc - self.scale.square()).exp()

    @property
    def variance(self):
        scale_sq = self.scale.pow(2)
        return scale_sq.expm1() * (2 * self.loc + scale_sq).exp()

    def entropy(self):
        """The Normal entropy plus loc."""
        return self.base_dist.entropy() + self.loc
