"""``StudentT``: Student's t with ``df`` degrees of freedom, ``loc`` and ``scale``."""

from __future__ import annotations

import math

import ember

from . import constraints
from ._special import digamma, lgamma
from .distribution import Distribution
from .gamma import Chi2
from .utils import _standard_normal, broadcast_all

__all__ = ["StudentT"]


class StudentT(Distribution):
    """StudentT(df, loc=0, scale=1); ``rsample`` is reparameterized (normal over chi)."""

    arg_constraints = {
        "df": constraints.positive,
        "loc": constraints.real,
        "scale": constraints.positive,
    }
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with df, loc and scale expanded to ``batch_shape``."""
        new = self._expand_params(StudentT, batch_shape, _instance, ("df", "loc", "scale"))
        new._chi2 = self._chi2.expand(batch_shape)
        return new

    @property
    def mean(self):
        return self.loc.masked_fill(self.df <= 1, float("nan"))

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        df = self.df
        # the finite branch sees df > 2 only, so no inf reaches the gradient of the others
        safe = ember.where(df > 2, df, ember.full_like(df, 3.0))
        finite = self.scale.pow(2) * safe / (safe - 2)
        m = ember.where(df > 2, finite, df)
        m = m.masked_fill((df <= 2) & (df > 1), float("inf"))
        return m.masked_fill(df <= 1, float("nan"))

    def rsample(self, sample_shape=ember.Size()):
        """loc + scale * X / sqrt(Z / df) with X ~ N(0, 1), Z ~ Chi2(df)."""
        shape = self._extended_shape(sample_shape)
        x = _standard_normal(shape, dtype=self.df.dtype, device=self.df.device)
        z = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * (x * ember.rsqrt(z / self.df))

    def log_prob(self, value):
        """The t log-density."""
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        df = self.df
        norm = (
            self.scale.log()
            + 0.5 * df.log()
            + 0.5 * math.log(math.pi)
            + lgamma(0.5 * df)
            - lgamma(0.5 * (df + 1.0))
        )
        return -0.5 * (df + 1.0) * ember.log1p(y**2.0 / df) - norm

    def entropy(self):
        """The t entropy."""
        df = self.df
        lbeta = lgamma(0.5 * df) + math.lgamma(0.5) - lgamma(0.5 * (df + 1))
        return (
            self.scale.log()
            + 0.5 * (df + 1) * (digamma(0.5 * (df + 1)) - digamma(0.5 * df))
            + 0.5 * df.log()
            + lbeta
        )
