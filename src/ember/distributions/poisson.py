"""``Poisson``: counts with mean ``rate``."""

from __future__ import annotations

import ember

from . import _rng, constraints
from ._expand import expand_params
from ._special import lgamma, xlogy
from .exp_family import ExponentialFamily
from .utils import _batch_shape_of, broadcast_all

__all__ = ["Poisson"]


class Poisson(ExponentialFamily):
    """Poisson(rate) on {0, 1, 2, ...}; samples are floats in the rate's dtype."""

    expand = expand_params("rate")
    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(_batch_shape_of(rate, self.rate), validate_args=validate_args)

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=ember.Size()):
        """Poisson counts of shape ``sample_shape + batch_shape``."""
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            return _rng.poisson(self.rate.expand(shape))

    def log_prob(self, value):
        """k log(rate) - rate - log(k!)."""
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return xlogy(value, rate) - rate - lgamma(value + 1)

    @property
    def _natural_params(self):
        return (ember.log(self.rate),)

    def _log_normalizer(self, x):
        return ember.exp(x)
