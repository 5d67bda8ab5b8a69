"""``OneHotCategorical``: a categorical distribution whose samples are one-hot vectors."""

from __future__ import annotations

import ember

from . import constraints
from ._over_categorical import _OverCategorical
from .categorical import Categorical
from .utils import _forwarded, _one_hot

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough"]


class OneHotCategorical(_OverCategorical):
    """One-hot samples of a ``Categorical(probs or logits)``; event_shape is (K,)."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._init_over(Categorical(probs, logits), validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution expanded to ``batch_shape``."""
        return self._expand_over(OneHotCategorical, batch_shape, _instance)

    @property
    def _param(self):
        return self._categorical._param

    mean = _forwarded("_categorical.probs", "The probabilities of each category.")

    @property
    def mode(self):
        probs = self._categorical.probs
        return _one_hot(probs.argmax(dim=-1), probs.shape[-1], probs.dtype)

    @property
    def variance(self):
        return self._categorical.probs * (1 - self._categorical.probs)

    def sample(self, sample_shape=ember.Size()):
        """One-hot vectors in the parameter dtype."""
        indices = self._categorical.sample(ember.Size(sample_shape))
        return _one_hot(indices, self._categorical._num_events, self._categorical.probs.dtype)

    def log_prob(self, value):
        """The categorical log-probability of the hot index."""
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.max(-1)[1])

    def entropy(self):
        """The categorical entropy."""
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        """The K one-hot vectors along dim 0, expanded over the batch if ``expand``."""
        n = self.event_shape[0]
        values = ember.eye(n, dtype=self._param.dtype, device=self._param.device)
        values = values.view((n,) + (1,) * len(self.batch_shape) + (n,))
        if expand:
            values = values.expand((n,) + tuple(self.batch_shape) + (n,))
        return values


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """One-hot samples whose gradient is the straight-through estimate (through ``probs``)."""

    has_rsample = True

    def rsample(self, sample_shape=ember.Size()):
        """The one-hot sample plus (probs - probs.detach())."""
        samples = self.sample(sample_shape)
        probs = self._categorical.probs
        return samples + (probs - probs.detach())
