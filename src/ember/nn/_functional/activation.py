"""Activations composed here: randomized leaky ReLU and the in-place spellings PyTorch has."""

from __future__ import annotations

from ...ops import inplace as _inplace


def _family(name):
    from .. import functional as F

    return getattr(F, name)


def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False):  # fmt: skip
    """Leaky ReLU whose negative slope is drawn from U(lower, upper) per element in training
    and is ``(lower + upper) / 2`` in evaluation."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return _family("leaky_relu")(input, (lower + upper) / 2, inplace)
    from ...ops.where import where
    from ...random import _rng
    from ...tensor import Tensor

    data = input._data
    slope = Tensor._make(_rng(None).uniform(lower, upper, data.shape).astype(data.dtype))

    def fn(t):
        return where(t >= 0, t, t * slope)

    return _inplace.inplace(input, fn) if inplace else fn(input)


def rrelu_(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False):
    """In-place ``rrelu``."""
    return rrelu(input, lower, upper, training, inplace=True)


def threshold_(input, threshold: float, value: float):
    """In-place ``threshold``."""
    return _family("threshold")(input, threshold, value, inplace=True)


def celu_(input, alpha: float = 1.0):
    """In-place ``celu``."""
    return _family("celu")(input, alpha, inplace=True)


def selu_(input):
    """In-place ``selu``."""
    return _family("selu")(input, inplace=True)
