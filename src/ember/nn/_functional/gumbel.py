"""``gumbel_softmax``: differentiable samples of a categorical distribution."""

from __future__ import annotations

import warnings

from ...dtypes import scalar_type_name


def gumbel_softmax(logits, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1):
    """softmax((logits + g) / tau) with Gumbel noise g drawn from Ember's generator; with
    ``hard``, the one-hot argmax whose gradient is the soft sample's (straight-through)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", UserWarning, stacklevel=2)
    if not logits.is_floating_point():
        # PyTorch's error from its exponential sampler, which the noise is drawn with.
        raise RuntimeError(
            "Exponential distribution is a continuous probability distribution. dtype must be "
            f"a floating point but you specified {scalar_type_name(logits)}"
        )
    noise = -logits.new_empty(logits.shape).exponential_().log()
    soft = ((logits + noise) / tau).softmax(dim)
    if not hard:
        return soft
    index = soft.max(dim, keepdim=True)[1]
    one_hot = logits.new_zeros(logits.shape).scatter_(dim, index, 1.0)
    return one_hot - soft.detach() + soft
