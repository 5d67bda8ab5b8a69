"""PyTorch's top-level forms of layer functions (``torch.batch_norm``, ``torch.dropout``, ...).

They take PyTorch's positional order at the top level, which differs from
``nn.functional``'s (``batch_norm(input, weight, bias, running_mean, running_var, training,
momentum, eps, cudnn_enabled)``), reductions as PyTorch's numbers (1 mean, 2 sum, anything
else none: PyTorch's binding reduces nothing by default) and dropout's bad probability as a
``RuntimeError``; each delegates to the functional form.
"""

from __future__ import annotations

from ...ops import inplace as _inplace
from ...ops.ctc import ctc_loss
from ...ops.normalization import batch_norm as _batch_norm
from ...ops.normalization import group_norm as _group_norm
from ...ops.normalization import layer_norm as _layer_norm
from ...ops.where import where
from ...random import _rng
from ...tensor import Tensor
from . import activation as _activation
from . import distance as _distance
from . import dropout as _dropout
from . import embedding as _embedding
from . import linear as _linear
from . import losses as _losses
from . import normalization as _normalization
from . import shuffle as _shuffle
from .grid import affine_grid_generator, grid_sampler, grid_sampler_2d, grid_sampler_3d

__all__ = [
    "affine_grid_generator",
    "alpha_dropout",
    "alpha_dropout_",
    "batch_norm",
    "bilinear",
    "celu_",
    "channel_shuffle",
    "cosine_similarity",
    "ctc_loss",
    "dropout",
    "dropout_",
    "embedding",
    "feature_alpha_dropout",
    "feature_alpha_dropout_",
    "feature_dropout",
    "feature_dropout_",
    "grid_sampler",
    "grid_sampler_2d",
    "grid_sampler_3d",
    "group_norm",
    "instance_norm",
    "layer_norm",
    "native_channel_shuffle",
    "pairwise_distance",
    "pixel_shuffle",
    "pixel_unshuffle",
    "rms_norm",
    "rrelu",
    "rrelu_",
    "selu_",
    "threshold_",
    "triplet_margin_loss",
]

_REDUCTION_NAMES = {1: "mean", 2: "sum"}


def batch_norm(
    input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled
):
    """Batch normalisation in PyTorch's top-level argument order."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(
    input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled
):
    """Instance normalisation in PyTorch's top-level argument order."""
    return _normalization.instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    """Layer normalisation over the last ``len(normalized_shape)`` dimensions."""
    return _layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    """Group normalisation of the channels of ``input``."""
    return _group_norm(input, num_groups, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalisation over the last dimensions."""
    return _normalization.rms_norm(input, normalized_shape, weight, eps)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` at ``indices``; a negative ``padding_idx`` (or one past the rows)
    marks no row as padding."""
    if padding_idx < 0 or padding_idx >= weight.shape[0]:
        padding_idx = None
    return _embedding.embedding(
        indices, weight, padding_idx, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse
    )


def _checked_p(p):
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")


def _feature(input, p, train, alpha, inplace):
    _checked_p(p)
    if not train or p == 0:
        return input
    return _dropout._features(input, p, True, inplace, 2, alpha)


def _elementwise(fn, input, p, train, inplace):
    _checked_p(p)
    return fn(input, p, train, inplace=inplace)


def dropout(input, p, train):
    """Elementwise dropout (``train`` on) in PyTorch's top-level form."""
    return _elementwise(_dropout.dropout, input, p, train, False)


def dropout_(input, p, train):
    """In-place ``dropout``."""
    return _elementwise(_dropout.dropout, input, p, train, True)


def alpha_dropout(input, p, train):
    """Alpha dropout (SELU-preserving) in PyTorch's top-level form."""
    return _elementwise(_dropout.alpha_dropout, input, p, train, False)


def alpha_dropout_(input, p, train):
    """In-place ``alpha_dropout``."""
    return _elementwise(_dropout.alpha_dropout, input, p, train, True)


def feature_dropout(input, p, train):
    """Dropout of whole channels: one draw per entry of the first two dimensions."""
    return _feature(input, p, train, False, False)


def feature_dropout_(input, p, train):
    """In-place ``feature_dropout``."""
    return _feature(input, p, train, False, True)


def feature_alpha_dropout(input, p, train):
    """Alpha dropout of whole channels: one draw per entry of the first two dimensions."""
    return _feature(input, p, train, True, False)


def feature_alpha_dropout_(input, p, train):
    """In-place ``feature_alpha_dropout``."""
    return _feature(input, p, train, True, True)


def _rrelu(input, lower, upper, training, generator, inplace):
    if generator is None or not training or lower > upper:
        return _activation.rrelu(input, lower, upper, training, inplace)
    data = input._data
    slope = Tensor._make(_rng(generator).uniform(lower, upper, data.shape).astype(data.dtype))

    def fn(t):
        return where(t >= 0, t, t * slope)

    return _inplace.inplace(input, fn) if inplace else fn(input)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """Randomized leaky ReLU; slopes drawn from ``generator`` when given."""
    return _rrelu(input, lower, upper, training, generator, False)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """In-place ``rrelu``."""
    return _rrelu(input, lower, upper, training, generator, True)


def selu_(input):
    """In-place ``selu``."""
    return _activation.selu_(input)


def celu_(input, alpha=1.0):
    """In-place ``celu``."""
    return _activation.celu_(input, alpha)


def threshold_(input, threshold, value):
    """In-place ``threshold``."""
    return _activation.threshold_(input, threshold, value)


def pixel_shuffle(input, upscale_factor):
    """(*, C r^2, H, W) to (*, C, H r, W r)."""
    return _shuffle.pixel_shuffle(input, upscale_factor)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H r, W r) to (*, C r^2, H, W)."""
    return _shuffle.pixel_unshuffle(input, downscale_factor)


def channel_shuffle(input, groups):
    """Interleave the channels of ``groups`` groups."""
    return _shuffle.channel_shuffle(input, groups)


def native_channel_shuffle(input, groups):
    """``channel_shuffle`` (PyTorch's native kernel name)."""
    return _shuffle.native_channel_shuffle(input, groups)


def bilinear(input1, input2, weight, bias=None):
    """x1^T A x2 + b for each output feature."""
    return _linear.bilinear(input1, input2, weight, bias)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim``."""
    return _distance.cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """p-norm of ``x1 - x2 + eps`` along the last dimension."""
    return _distance.pairwise_distance(x1, x2, p, eps, keepdim)


def triplet_margin_loss(
    anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction=0
):
    """Triplet margin loss, reduced by PyTorch's number (0 none, 1 mean, 2 sum)."""
    if type(reduction) is not int:
        raise TypeError(
            "triplet_margin_loss(): argument 'reduction' (position 8) must be int, not "
            f"{type(reduction).__name__}"
        )
    return _losses.triplet_margin_loss(
        anchor, positive, negative, margin, p, eps, swap,
        reduction=_REDUCTION_NAMES.get(reduction, "none"))  # fmt: skip
