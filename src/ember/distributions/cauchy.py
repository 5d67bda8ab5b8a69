"""``Cauchy``: the Lorentz distribution with ``loc`` and ``scale`` (no mean, infinite variance)."""

from __future__ import annotations

import math

import ember

from ._expand import expand_params
from ._loc_scale import _LocScale
from .distribution import Distribution

__all__ = ["Cauchy"]


class Cauchy(_LocScale, Distribution):
    """Cauchy(loc, scale); ``rsample`` is reparameterized (loc + scale * tan(pi (u - 1/2)))."""

    expand = expand_params("loc", "scale")

    @property
    def mean(self):
        return self._constant(float("nan"), self.loc)

    @property
    def variance(self):
        return self._constant(float("inf"), self.loc)

    def rsample(self, sample_shape=ember.Size()):
        """loc + scale * standard Cauchy noise."""
        shape = tuple(self._extended_shape(sample_shape))
        u = ember.rand(shape, dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + ember.tan(math.pi * (u - 0.5)) * self.scale

    def log_prob(self, value):
        """-log(pi) - log(scale) - log(1 + ((x - loc) / scale)^2)."""
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        return -math.log(math.pi) - self.scale.log() - (z**2).log1p()

    def cdf(self, value):
        """atan((x - loc) / scale) / pi + 1/2."""
        if self._validate_args:
            self._validate_sample(value)
        return ember.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value):
        """loc + scale * tan(pi (p - 1/2))."""
        return ember.tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self):
        """log(4 pi scale)."""
        return math.log(4 * math.pi) + self.scale.log()
