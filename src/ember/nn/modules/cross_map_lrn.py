"""``CrossMapLRN2d``: legacy cross-channel local response normalisation."""

from __future__ import annotations

from ...ops.cross_map_lrn import cross_map_lrn2d
from ..module import Module


class CrossMapLRN2d(Module):
    """Normalise each channel by ``(k + alpha / size * sum of nearby channels' x^2)^beta``."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        """Normalise across channels (PyTorch's legacy rule, quirks included)."""
        return cross_map_lrn2d(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
