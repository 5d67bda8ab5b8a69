"""Max unpooling layers: the partial inverse of max pooling."""

from __future__ import annotations

from .. import functional as F
from ..module import Module
from ._family import Family


def _ntuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


class _MaxUnpoolNd(Module, Family):
    _nd = 2

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        n = self._nd
        self.kernel_size = _ntuple(kernel_size, n)
        self.stride = _ntuple(stride if stride is not None else kernel_size, n)
        self.padding = _ntuple(padding, n)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"

    def forward(self, input, indices, output_size=None):
        """Put each value back at its index in a zero tensor."""
        fn = getattr(F, f"max_unpool{self._nd}d")
        return fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool1d(_MaxUnpoolNd, nd=1):
    """Partial inverse of ``MaxPool1d``."""


class MaxUnpool2d(_MaxUnpoolNd, nd=2):
    """Partial inverse of ``MaxPool2d``."""


class MaxUnpool3d(_MaxUnpoolNd, nd=3):
    """Partial inverse of ``MaxPool3d``."""
