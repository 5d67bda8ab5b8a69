"""Dropout layers."""

from __future__ import annotations

from .. import functional as F
from ..module import Module
from ._family import Family


class _DropoutNd(Module, Family):
    _fn = "dropout"

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"

    def forward(self, input):
        """Drop in training mode (kept units scaled by 1/(1-p)); identity in eval mode."""
        return getattr(F, self._fn)(input, self.p, self.training, self.inplace)


class Dropout(_DropoutNd, fn="dropout"):
    """Zero elements with probability ``p`` in training."""


class Dropout1d(_DropoutNd, fn="dropout1d"):
    """Zero whole channels of (N, C, L) inputs."""


class Dropout2d(_DropoutNd, fn="dropout2d"):
    """Zero whole channels of (N, C, H, W) inputs."""


class Dropout3d(_DropoutNd, fn="dropout3d"):
    """Zero whole channels of (N, C, D, H, W) inputs."""


class AlphaDropout(_DropoutNd, fn="alpha_dropout"):
    """Dropout for SELU networks."""


class FeatureAlphaDropout(_DropoutNd, fn="feature_alpha_dropout"):
    """Alpha dropout of whole channels."""
