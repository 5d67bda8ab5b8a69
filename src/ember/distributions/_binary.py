"""The ``probs``/``logits`` pair of the one-chance distributions (Bernoulli and its kin)."""

from __future__ import annotations

from .categorical import _check_one_of
from .utils import _batch_shape_of, broadcast_all, lazy_property, logits_to_probs, probs_to_logits


class _BinaryProbsLogits:
    """Exactly one of ``probs``/``logits`` is given; the other is derived from it on first use."""

    def _init_probs_or_logits(self, probs, logits):
        """Store whichever parameter was given; return it (broadcast) and the batch shape."""
        _check_one_of(probs, logits)
        name, given = ("probs", probs) if probs is not None else ("logits", logits)
        (param,) = broadcast_all(given)
        setattr(self, name, param)
        return param, _batch_shape_of(given, param)

    @lazy_property
    def logits(self):
        """The log-odds log(p / (1 - p)), with p clamped into [eps, 1 - eps]."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        """The chance of success: sigmoid(logits)."""
        return logits_to_probs(self.logits, is_binary=True)


class _BinaryParam(_BinaryProbsLogits):
    """A one-chance distribution that keeps the parameter given as ``_param``."""

    @property
    def param_shape(self):
        """The shape of the parameter given."""
        return self._param.size()
