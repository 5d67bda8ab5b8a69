"""``ExponentialFamily``: distributions whose density is exp(<t(x), theta> - F(theta) + k(x))."""

from __future__ import annotations

import ember

from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Base of exponential-family distributions; gives entropy from the log normalizer.

    Subclasses define ``_natural_params``, ``_log_normalizer`` and ``_mean_carrier_measure``;
    the entropy and the KL divergence between two members then follow from the Bregman
    divergence of the log normalizer, using autograd.
    """

    @property
    def _natural_params(self):
        """The natural parameters, a tuple of tensors."""
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        """The log normalizer F(theta) as a function of the natural parameters."""
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        """The expectation of the carrier measure k(x)."""
        raise NotImplementedError

    def entropy(self):
        """Entropy from the Bregman divergence of the log normalizer."""
        result = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        lg_normal = self._log_normalizer(*nparams)
        gradients = ember.autograd.grad(lg_normal.sum(), nparams, create_graph=True)
        result = result + lg_normal
        for np_, g in zip(nparams, gradients):
            result = result - (np_ * g).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
