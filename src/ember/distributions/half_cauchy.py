"""``HalfCauchy``: |X| for X ~ Cauchy(0, scale)."""

from __future__ import annotations

import math

import ember

from ._expand import expand_base
from .cauchy import Cauchy
from .half_normal import _Folded
from .utils import _forwarded

__all__ = ["HalfCauchy"]


class HalfCauchy(_Folded):
    """HalfCauchy(scale) = |Cauchy(0, scale)|, reparameterized."""

    expand = expand_base(doc="The distribution with scale expanded to ``batch_shape``.")
    _unfolded = Cauchy

    @property
    def mean(self):
        return self._constant(math.inf, self.scale)

    variance = _forwarded("base_dist.variance", "The variance of the folded Cauchy (infinite).")

    def log_prob(self, value):
        """log 2 + the Cauchy log-density on [0, inf), -inf below."""
        if not isinstance(value, ember.Tensor):
            value = ember.tensor(value, dtype=self.scale.dtype, device=self.scale.device)
        return super().log_prob(value)
