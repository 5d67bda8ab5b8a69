"""Power-average pooling layers."""

from __future__ import annotations

from .. import functional as F
from ..module import Module
from ._family import Family


class _LPPoolNd(Module, Family):
    _nd = 2

    def __init__(self, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, ceil_mode={self.ceil_mode}"
        )

    def forward(self, input):
        """The p-norm of each window."""
        fn = getattr(F, f"lp_pool{self._nd}d")
        return fn(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)


class LPPool1d(_LPPoolNd, nd=1):
    """1-d power-average pooling."""


class LPPool2d(_LPPoolNd, nd=2):
    """2-d power-average pooling."""


class LPPool3d(_LPPoolNd, nd=3):
    """3-d power-average pooling."""
