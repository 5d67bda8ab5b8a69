"""``Laplace``: the double-exponential distribution with ``loc`` and ``scale``."""

from __future__ import annotations

import ember

from ._expand import expand_params
from ._loc_scale import _LocScale
from .distribution import Distribution

__all__ = ["Laplace"]


class Laplace(_LocScale, Distribution):
    """Laplace(loc, scale); ``rsample`` is reparameterized through the inverse CDF."""

    expand = expand_params("loc", "scale")

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return 2**0.5 * self.scale

    def rsample(self, sample_shape=ember.Size()):
        """loc - scale * sign(u) * log(1 - |u|) with u uniform on (eps - 1, 1)."""
        shape = tuple(self._extended_shape(sample_shape))
        eps = ember.finfo(self.loc.dtype).eps
        u = ember.empty(shape, dtype=self.loc.dtype, device=self.loc.device).uniform_(eps - 1, 1)
        return self.loc - self.scale * u.sign() * ember.log1p(-u.abs())

    def log_prob(self, value):
        """-log(2 scale) - |x - loc| / scale."""
        if self._validate_args:
            self._validate_sample(value)
        return -ember.log(2 * self.scale) - ember.abs(value - self.loc) / self.scale

    def cdf(self, value):
        """1/2 - sign(x - loc) * expm1(-|x - loc| / scale) / 2."""
        if self._validate_args:
            self._validate_sample(value)
        d = value - self.loc
        return 0.5 - 0.5 * d.sign() * ember.expm1(-d.abs() / self.scale)

    def icdf(self, value):
        """loc - scale * sign(p - 1/2) * log(1 - 2|p - 1/2|)."""
        term = value - 0.5
        return self.loc - self.scale * term.sign() * ember.log1p(-2 * term.abs())

    def entropy(self):
        """1 + log(2 scale)."""
        return 1 + ember.log(2 * self.scale)
