"""``Multinomial``: counts of ``total_count`` categorical draws over the last dim."""

from __future__ import annotations

import ember

from . import _rng, constraints
from ._over_categorical import _OverCategorical
from ._special import lgamma
from .binomial import Binomial
from .categorical import Categorical
from .utils import broadcast_all

__all__ = ["Multinomial"]


class Multinomial(_OverCategorical):
    """Multinomial(total_count, probs or logits); samples are count vectors (floats)."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        categorical = Categorical(probs=probs, logits=logits)
        self._binomial = Binomial(total_count=total_count, probs=categorical.probs)
        self._init_over(categorical, validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution expanded to ``batch_shape``."""
        return self._expand_over(Multinomial, batch_shape, _instance, total_count=self.total_count)

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        """Nonnegative counts summing to at most total_count."""
        return constraints.multinomial(self.total_count)

    def sample(self, sample_shape=ember.Size()):
        """Count vectors of shape ``sample_shape + batch_shape + (K,)``."""
        shape = tuple(sample_shape) + tuple(self.batch_shape)
        with ember.no_grad():
            return _rng.multinomial_counts(self.total_count, self.probs, shape)

    def entropy(self):
        """The multinomial entropy, through the binomial marginals."""
        n = ember.tensor(self.total_count)
        term1 = n * self._categorical.entropy() - lgamma(n + 1)
        support = self._binomial.enumerate_support(expand=False)[1:]
        binomial_probs = ember.exp(self._binomial.log_prob(support))
        weights = lgamma(support + 1)
        return term1 + (binomial_probs * weights).sum([0, -1])

    def log_prob(self, value):
        """log n! - sum log x_i! + sum x_i log p_i (0 * -inf counts as 0)."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        log_factorial_n = lgamma(value.sum(-1) + 1)
        log_factorial_xs = lgamma(value + 1).sum(-1)
        logits = logits.masked_fill((value == 0) & (logits == float("-inf")), 0)
        return log_factorial_n - log_factorial_xs + (logits * value).sum(-1)
