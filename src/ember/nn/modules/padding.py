"""Padding layers: zero, constant, reflection, replication and circular, in 1-3 dimensions."""

from __future__ import annotations

from .. import functional as F
from ..module import Module
from ._family import Family


def _expand(padding, n):
    return tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * (2 * n)


class _PadNd(Module, Family):
    _mode = "constant"
    _nd = 1

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, self._nd)

    def forward(self, input):
        """Pad ``input``."""
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        """Pad ``input`` with ``value``."""
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd, nd=1):
    """Pad the last dimension with a constant."""


class ConstantPad2d(_ConstantPadNd, nd=2):
    """Pad the last two dimensions with a constant."""


class ConstantPad3d(_ConstantPadNd, nd=3):
    """Pad the last three dimensions with a constant."""


class _ZeroPad:
    """Constant padding whose value is zero (and left out of the repr)."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    """Pad the last dimension with zeros."""


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    """Pad the last two dimensions with zeros."""


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    """Pad the last three dimensions with zeros."""


class _ReflectionPadNd(_PadNd, mode="reflect"):
    """Padding with the mirror image of the edge."""


class ReflectionPad1d(_ReflectionPadNd, nd=1):
    """Pad the last dimension with its mirror image (edge not repeated)."""


class ReflectionPad2d(_ReflectionPadNd, nd=2):
    """Pad the last two dimensions with their mirror image."""


class ReflectionPad3d(_ReflectionPadNd, nd=3):
    """Pad the last three dimensions with their mirror image."""


class _ReplicationPadNd(_PadNd, mode="replicate"):
    """Padding that repeats the edge values."""


class ReplicationPad1d(_ReplicationPadNd, nd=1):
    """Pad the last dimension by repeating its edge values."""


class ReplicationPad2d(_ReplicationPadNd, nd=2):
    """Pad the last two dimensions by repeating their edge values."""


class ReplicationPad3d(_ReplicationPadNd, nd=3):
    """Pad the last three dimensions by repeating their edge values."""


class _CircularPadNd(_PadNd, mode="circular"):
    """Periodic padding."""

    def forward(self, input):
        """Pad ``input`` periodically."""
        if input.dim() not in (self._nd + 1, self._nd + 2):
            raise ValueError(
                f"expected {self._nd + 1}D or {self._nd + 2}D input (got {input.dim()}D input)"
            )
        return super().forward(input)


class CircularPad1d(_CircularPadNd, nd=1):
    """Pad the last dimension periodically (wrapping around)."""


class CircularPad2d(_CircularPadNd, nd=2):
    """Pad the last two dimensions periodically."""


class CircularPad3d(_CircularPadNd, nd=3):
    """Pad the last three dimensions periodically."""
