"""Dropout in its forms: elementwise, whole channels, and SELU's alpha dropout."""

from __future__ import annotations

import warnings

from ...ops import inplace as _inplace
from ...tensor import Tensor

_SELU_ALPHA_P = -1.7580993408473766  # -scale * alpha of SELU: the value a dropped unit takes


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _apply(input, fn, inplace):
    return _inplace.inplace(input, fn) if inplace else fn(input)


def _masked(input, p, shape, alpha, inplace):
    """Drop with one draw per element of ``shape`` (broadcast over ``input``)."""
    from ...random import _rng

    if p == 1.0:
        return _apply(input, lambda t: t * 0.0, inplace)
    keep = (_rng(None).random(shape) >= p).astype(input._data.dtype)
    if not alpha:
        scale = Tensor._make(keep * keep.dtype.type(1.0 / (1.0 - p)))
        return _apply(input, lambda t: t * scale, inplace)
    a = (1 - p + _SELU_ALPHA_P**2 * p * (1 - p)) ** -0.5
    mul = Tensor._make(keep * keep.dtype.type(a))
    dropped = (1 - keep) * (a * _SELU_ALPHA_P) - a * _SELU_ALPHA_P * p
    add = Tensor._make(dropped.astype(keep.dtype))
    return _apply(input, lambda t: t * mul + add, inplace)


def _features(input, p, training, inplace, lead, alpha):
    # One draw per entry of the first ``lead`` dimensions (sample and channel).
    _check_p(p)
    if input.dim() < lead:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if not training or p == 0.0:
        return input
    shape = tuple(input.shape[:lead]) + (1,) * (input.dim() - lead)
    return _masked(input, p, shape, alpha, inplace)


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (train only)."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    return _masked(input, p, tuple(input.shape), False, inplace)


def alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """Dropout that keeps SELU's self-normalising mean and variance."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    return _masked(input, p, tuple(input.shape), True, inplace)


def feature_alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """Alpha dropout of whole channels (one draw per sample and channel)."""
    return _features(input, p, training, inplace, 2, True)


def _spatial_note(n, batched):
    return (
        f"Note that dropout{n}d exists to provide channel-wise dropout on inputs with {n} "
        f"spatial dimension{'s' if n > 1 else ''}, a channel dimension, and an optional batch "
        f"dimension (i.e. {batched - 1}D or {batched}D inputs)."
    )


def dropout1d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of (N, C, L) or (C, L) inputs."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. "
            + _spatial_note(1, 3)
        )
    return _features(input, p, training, inplace, 2 if input.dim() == 3 else 1, False)


def _warn_unusual_dims(n, d):
    if d not in (n + 1, n + 2):
        warnings.warn(
            f"dropout{n}d: Received a {d}-D input to dropout{n}d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. " + _spatial_note(n, n + 2),
            stacklevel=3,
        )


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of (N, C, H, W) or (C, H, W) inputs."""
    _warn_unusual_dims(2, input.dim())
    if input.dim() == 3:
        # PyTorch reads a 3-D input as (N, C, L) here, and says so.
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _features(input, p, training, inplace, 2, False)


def dropout3d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    _warn_unusual_dims(3, input.dim())
    return _features(input, p, training, inplace, 2 if input.dim() == 5 else 1, False)
