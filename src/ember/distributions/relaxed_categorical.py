"""``RelaxedOneHotCategorical`` (Concrete / Gumbel-softmax) and its log-space base."""

from __future__ import annotations

import ember

from . import constraints
from ._expand import expand_base
from ._over_categorical import _OverCategorical
from ._relaxed import _Relaxed
from ._special import lgamma
from .categorical import Categorical
from .transforms import ExpTransform
from .utils import broadcast_all, clamp_probs

__all__ = ["ExpRelaxedCategorical", "RelaxedOneHotCategorical"]


class ExpRelaxedCategorical(_OverCategorical):
    """The log of a RelaxedOneHotCategorical sample: log-softmax((logits + Gumbel) / t)."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        categorical = Categorical(probs, logits)
        self.temperature = temperature
        self._init_over(categorical, validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution expanded to ``batch_shape``."""
        return self._expand_over(
            ExpRelaxedCategorical, batch_shape, _instance, temperature=self.temperature
        )

    def rsample(self, sample_shape=ember.Size()):
        """log-softmax((logits + Gumbel noise) / temperature)."""
        shape = tuple(self._extended_shape(sample_shape))
        u = clamp_probs(ember.rand(shape, dtype=self.logits.dtype, device=self.logits.device))
        gumbels = -(-u.log()).log()
        scores = (self.logits + gumbels) / self.temperature
        return scores - scores.logsumexp(dim=-1, keepdim=True)

    def log_prob(self, value):
        """The Concrete log-density in log space."""
        k = self._categorical._num_events
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        t = self.temperature
        log_scale = lgamma(ember.full_like(t, float(k))) - t.log().mul(-(k - 1))
        score = logits - value.mul(t)
        score = (score - score.logsumexp(dim=-1, keepdim=True)).sum(-1)
        return score + log_scale


class RelaxedOneHotCategorical(_Relaxed):
    """RelaxedOneHotCategorical(temperature, probs or logits): reparameterized simplex samples."""

    expand = expand_base(doc="The distribution expanded to ``batch_shape``.")
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base_dist = ExpRelaxedCategorical(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base_dist, ExpTransform(), validate_args=validate_args)
