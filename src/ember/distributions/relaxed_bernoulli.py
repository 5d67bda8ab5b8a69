"""``RelaxedBernoulli`` (binary Concrete) and its logit-space base ``LogitRelaxedBernoulli``."""

from __future__ import annotations

import ember

from . import constraints
from ._binary import _BinaryParam
from ._expand import expand_base
from ._relaxed import _Relaxed
from .distribution import Distribution
from .transforms import SigmoidTransform
from .utils import broadcast_all, clamp_probs

__all__ = ["LogitRelaxedBernoulli", "RelaxedBernoulli"]


class LogitRelaxedBernoulli(_BinaryParam, Distribution):
    """The logit of a RelaxedBernoulli sample: (logistic noise + logits) / temperature."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.real

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self.temperature = temperature
        self._param, batch_shape = self._init_probs_or_logits(probs, logits)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution with its parameter expanded to ``batch_shape``."""
        new = self._expand_params(
            LogitRelaxedBernoulli, batch_shape, _instance, ("probs", "logits")
        )
        new.temperature = self.temperature
        new._param = new.__dict__["logits" if "logits" in self.__dict__ else "probs"]
        return new

    def rsample(self, sample_shape=ember.Size()):
        """(logit(u) + logit(p)) / temperature with u uniform, both clamped into (0, 1)."""
        shape = tuple(self._extended_shape(sample_shape))
        probs = clamp_probs(self.probs.expand(shape))
        u = clamp_probs(ember.rand(shape, dtype=probs.dtype, device=probs.device))
        return (u.log() - (-u).log1p() + probs.log() - (-probs).log1p()) / self.temperature

    def log_prob(self, value):
        """log t + (logits - t x) - 2 log(1 + exp(logits - t x))."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        diff = logits - value.mul(self.temperature)
        return self.temperature.log() + diff - 2 * diff.exp().log1p()


class RelaxedBernoulli(_Relaxed):
    """RelaxedBernoulli(temperature, probs or logits): a reparameterized sample in (0, 1)."""

    expand = expand_base(doc="The distribution expanded to ``batch_shape``.")
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base_dist = LogitRelaxedBernoulli(temperature, probs, logits)
        super().__init__(base_dist, SigmoidTransform(), validate_args=validate_args)
