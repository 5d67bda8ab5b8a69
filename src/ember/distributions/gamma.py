"""``Gamma``: shape ``concentration`` and ``rate``; and ``Chi2``, a Gamma(df / 2, 1 / 2)."""

from __future__ import annotations

import ember

from . import _implicit, constraints
from ._expand import expand_base, expand_params
from ._special import digamma, gammainc, lgamma, xlogy
from .exp_family import ExponentialFamily
from .utils import _broadcast_params

__all__ = ["Gamma", "Chi2"]


class Gamma(ExponentialFamily):
    """Gamma(concentration, rate); ``rsample`` is reparameterized by implicit differentiation."""

    expand = expand_params("concentration", "rate")
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args=None):
        (self.concentration, self.rate), batch_shape = _broadcast_params(concentration, rate)
        super().__init__(batch_shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=ember.Size()):
        """Standard gamma draws divided by the rate (floored at the dtype's tiny)."""
        shape = tuple(self._extended_shape(sample_shape))
        value = _implicit.standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        # floor at the smallest normal number; the gradient passes through unchanged
        tiny = ember.finfo(value.dtype).tiny
        return value + (value.clamp(min=tiny) - value).detach()

    def log_prob(self, value):
        """a log(rate) + (a - 1) log(x) - rate x - lgamma(a)."""
        if not isinstance(value, ember.Tensor):
            value = ember.tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        if self._validate_args:
            self._validate_sample(value)
        a, rate = self.concentration, self.rate
        return xlogy(a, rate) + xlogy(a - 1, value) - rate * value - lgamma(a)

    def entropy(self):
        """a - log(rate) + lgamma(a) + (1 - a) digamma(a)."""
        a = self.concentration
        return a - ember.log(self.rate) + lgamma(a) + (1.0 - a) * digamma(a)

    @property
    def _natural_params(self):
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        return lgamma(x + 1) + (x + 1) * ember.log(-y.reciprocal())

    def cdf(self, value):
        """The regularized incomplete gamma P(concentration, rate * x)."""
        if self._validate_args:
            self._validate_sample(value)
        return gammainc(self.concentration, self.rate * value)


class Chi2(Gamma):
    """The chi-squared distribution with ``df`` degrees of freedom."""

    expand = expand_base(doc="The distribution with df expanded to ``batch_shape``.")
    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    @property
    def df(self):
        """The degrees of freedom (2 * concentration)."""
        return self.concentration * 2
