"""``Independent``: reinterpret batch dims of a distribution as event dims."""

from __future__ import annotations

import ember

from . import constraints
from .distribution import Distribution
from .utils import _forwarded, _sum_rightmost

__all__ = ["Independent"]


class Independent(Distribution):
    """``base_distribution`` with its ``reinterpreted_batch_ndims`` rightmost batch dims
    moved into the event (log_prob and entropy sum over them)."""

    arg_constraints = {}

    def __init__(self, base_distribution, reinterpreted_batch_ndims, validate_args=None):
        n_batch = len(base_distribution.batch_shape)
        if reinterpreted_batch_ndims > n_batch:
            raise ValueError(
                "Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), "
                f"actual {reinterpreted_batch_ndims} vs {n_batch}"
            )
        shape = tuple(base_distribution.batch_shape) + tuple(base_distribution.event_shape)
        event_dim = reinterpreted_batch_ndims + len(base_distribution.event_shape)
        cut = len(shape) - event_dim
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        super().__init__(
            ember.Size(shape[:cut]), ember.Size(shape[cut:]), validate_args=validate_args
        )

    def expand(self, batch_shape, _instance=None):
        """The distribution with the base expanded so the batch becomes ``batch_shape``."""
        new = self._get_checked_instance(Independent, _instance)
        batch_shape = ember.Size(batch_shape)
        folded = tuple(self.event_shape[: self.reinterpreted_batch_ndims])
        new.base_dist = self.base_dist.expand(tuple(batch_shape) + folded)
        new.reinterpreted_batch_ndims = self.reinterpreted_batch_ndims
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    has_rsample = _forwarded(
        "base_dist.has_rsample", "Whether the base distribution has a reparameterized sampler."
    )

    @property
    def has_enumerate_support(self):
        if self.reinterpreted_batch_ndims > 0:
            return False
        return self.base_dist.has_enumerate_support

    @constraints.dependent_property
    def support(self):
        """The base support, with the folded dims made part of each event."""
        result = self.base_dist.support
        if self.reinterpreted_batch_ndims:
            result = constraints.independent(result, self.reinterpreted_batch_ndims)
        return result

    mean = _forwarded("base_dist.mean", "The base distribution's mean.")
    mode = _forwarded("base_dist.mode", "The base distribution's mode.")
    variance = _forwarded("base_dist.variance", "The base distribution's variance.")

    def sample(self, sample_shape=ember.Size()):
        """Samples of the base distribution."""
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape=ember.Size()):
        """Reparameterized samples of the base distribution."""
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value):
        """The base log_prob summed over the folded dims."""
        return _sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self):
        """The base entropy summed over the folded dims."""
        return _sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def enumerate_support(self, expand=True):
        """The base support (only when no batch dims are folded)."""
        if self.reinterpreted_batch_ndims > 0:
            raise NotImplementedError("Enumeration over cartesian product is not implemented")
        return self.base_dist.enumerate_support(expand=expand)

    def __repr__(self):
        return f"{type(self).__name__}({self.base_dist}, {self.reinterpreted_batch_ndims})"
