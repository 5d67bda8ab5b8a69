"""``CrossMapLRN2d``: legacy cross-channel local response normalisation."""

from __future__ import annotations

from ...ops.cross_map_lrn import cross_map_lrn2d
from .normalization import _ResponseNorm


class CrossMapLRN2d(_ResponseNorm):
    """Normalise each channel by ``(k + alpha / size * sum of nearby channels' x^2)^beta``."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1) -> None:
        super().__init__(size, alpha, beta, k)

    def forward(self, input):
        """Normalise across channels (PyTorch's legacy rule, quirks included)."""
        return cross_map_lrn2d(input, self.size, self.alpha, self.beta, self.k)
