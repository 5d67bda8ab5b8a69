"""Distributions built over a ``Categorical``: the shapes and parameters they read from it."""

from __future__ import annotations

import ember

from .distribution import Distribution
from .utils import _forwarded


class _OverCategorical(Distribution):
    """A distribution whose ``probs``/``logits`` are those of its ``_categorical``."""

    def _init_over(self, categorical, validate_args):
        """Keep ``categorical``; batch shape and event shape (K,) are read from it."""
        self._categorical = categorical
        batch_shape = categorical.batch_shape
        event_shape = categorical.param_shape[-1:]
        Distribution.__init__(self, batch_shape, event_shape, validate_args=validate_args)

    def _expand_over(self, cls, batch_shape, _instance, **copied):
        """``expand``: the categorical expanded, the attributes ``copied`` set as given."""
        new = self._get_checked_instance(cls, _instance)
        batch_shape = ember.Size(batch_shape)
        for name, value in copied.items():
            setattr(new, name, value)
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    logits = _forwarded("_categorical.logits", "The normalized log-probabilities.")
    probs = _forwarded("_categorical.probs", "The normalized probabilities.")
    param_shape = _forwarded("_categorical.param_shape", "The shape of the parameter given.")
