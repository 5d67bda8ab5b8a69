"""Pooling layers."""

from __future__ import annotations

from .. import functional as F
from ..module import Module
from ._family import Family


class _WindowPool(Module, Family):
    """A pooling layer over sliding windows (the stride defaults to the window size)."""

    _fn = "max_pool2d"

    def __init__(self, kernel_size, stride, padding, ceil_mode):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode


class _MaxPoolNd(_WindowPool):
    def __init__(
        self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False
    ):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.dilation = dilation
        self.return_indices = return_indices

    def extra_repr(self):
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )

    def forward(self, input):
        """Max over each window."""
        return getattr(F, self._fn)(input, self.kernel_size, self.stride, self.padding,
                                    self.dilation, ceil_mode=self.ceil_mode,
                                    return_indices=self.return_indices)  # fmt: skip


class MaxPool1d(_MaxPoolNd, fn="max_pool1d"):
    """1-d max pooling."""


class MaxPool2d(_MaxPoolNd, fn="max_pool2d"):
    """2-d max pooling (the gradient goes to each window's first maximum)."""


class MaxPool3d(_MaxPoolNd, fn="max_pool3d"):
    """3-d max pooling."""


class _AvgPoolNd(_WindowPool):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):  # fmt: skip
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"

    def forward(self, input):
        """Mean over each window."""
        args = (
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
        )
        if self._fn == "avg_pool1d":
            return F.avg_pool1d(*args)
        return getattr(F, self._fn)(*args, self.divisor_override)


class AvgPool1d(_AvgPoolNd, fn="avg_pool1d"):
    """1-d average pooling."""

    def extra_repr(self):
        k, s, p = (
            x if isinstance(x, tuple) else (x,)
            for x in (self.kernel_size, self.stride, self.padding)
        )
        return f"kernel_size={k}, stride={s}, padding={p}"


class AvgPool2d(_AvgPoolNd, fn="avg_pool2d"):
    """2-d average pooling."""


class AvgPool3d(_AvgPoolNd, fn="avg_pool3d"):
    """3-d average pooling."""


class _AdaptivePool(Module, Family):
    _fn = "adaptive_avg_pool2d"

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self):
        return f"output_size={self.output_size}"

    def forward(self, input):
        """Pool to the fixed output size."""
        if "max" in self._fn:
            return getattr(F, self._fn)(input, self.output_size, self.return_indices)
        return getattr(F, self._fn)(input, self.output_size)


class AdaptiveAvgPool1d(_AdaptivePool, fn="adaptive_avg_pool1d"):
    """Average pooling to a fixed length."""


class AdaptiveAvgPool2d(_AdaptivePool, fn="adaptive_avg_pool2d"):
    """Average pooling to a fixed (H, W)."""


class AdaptiveAvgPool3d(_AdaptivePool, fn="adaptive_avg_pool3d"):
    """Average pooling to a fixed (D, H, W)."""


class AdaptiveMaxPool1d(_AdaptivePool, fn="adaptive_max_pool1d"):
    """Max pooling to a fixed length."""


class AdaptiveMaxPool2d(_AdaptivePool, fn="adaptive_max_pool2d"):
    """Max pooling to a fixed (H, W)."""
