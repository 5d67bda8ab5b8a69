"""3-d adaptive max pooling layer."""

from __future__ import annotations

from .pooling import _AdaptivePool


class AdaptiveMaxPool3d(_AdaptivePool, fn="adaptive_max_pool3d"):
    """Max pooling to a fixed (D, H, W)."""
