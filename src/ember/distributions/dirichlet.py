"""``Dirichlet``: distributions on the simplex with ``concentration`` over the last dim."""

from __future__ import annotations

import ember

from . import _implicit, constraints
from ._expand import expand_params
from ._special import digamma, lgamma, xlogy
from .exp_family import ExponentialFamily
from .utils import _one_hot

__all__ = ["Dirichlet"]


class Dirichlet(ExponentialFamily):
    """Dirichlet(concentration); ``rsample`` is reparameterized by implicit differentiation."""

    expand = expand_params(
        "concentration",
        doc="The distribution with concentration expanded to ``batch_shape + (K,)``.",
    )
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(
            concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args
        )

    def rsample(self, sample_shape=()):
        """Normalized gamma draws, differentiable w.r.t. the concentration."""
        shape = tuple(self._extended_shape(sample_shape))
        return _implicit.dirichlet(self.concentration.expand(shape))

    def log_prob(self, value):
        """sum (a_i - 1) log x_i + lgamma(sum a) - sum lgamma(a_i)."""
        if self._validate_args:
            self._validate_sample(value)
        a = self.concentration
        return xlogy(a - 1.0, value).sum(-1) + lgamma(a.sum(-1)) - lgamma(a).sum(-1)

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        am1 = (self.concentration - 1).clamp(min=0.0)
        # with every concentration below one the density peaks at a vertex
        all_below = (self.concentration < 1).all(dim=-1, keepdim=True)
        total = am1.sum(-1, True)
        mode = am1 / ember.where(all_below, ember.ones_like(total), total)
        vertex = _one_hot(mode.argmax(dim=-1), am1.shape[-1], mode.dtype)
        return ember.where(all_below, vertex, mode)

    @property
    def variance(self):
        a = self.concentration
        a0 = a.sum(-1, True)
        return a * (a0 - a) / (a0.pow(2) * (a0 + 1))

    def entropy(self):
        """log B(a) + (a0 - K) digamma(a0) - sum (a_i - 1) digamma(a_i)."""
        a = self.concentration
        k = a.size(-1)
        a0 = a.sum(-1)
        return (
            lgamma(a).sum(-1)
            - lgamma(a0)
            - (k - a0) * digamma(a0)
            - ((a - 1.0) * digamma(a)).sum(-1)
        )

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return lgamma(x).sum(-1) - lgamma(x.sum(-1))
