"""Padding layers: zero, constant, reflection, replication and circular, in 1-3 dimensions."""

from __future__ import annotations

from .. import functional as F
from ..module import Module


def _expand(padding, n):
    return tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * (2 * n)


class _PadNd(Module):
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


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension with a constant."""

    _nd = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dimensions with a constant."""

    _nd = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dimensions with a constant."""

    _nd = 3


def _zero_init(self, padding):
    _ConstantPadNd.__init__(self, padding, 0.0)


def _zero_repr(self):
    return f"{self.padding}"


class ZeroPad1d(ConstantPad1d):
    """Pad the last dimension with zeros."""

    __init__ = _zero_init
    extra_repr = _zero_repr


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dimensions with zeros."""

    __init__ = _zero_init
    extra_repr = _zero_repr


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dimensions with zeros."""

    __init__ = _zero_init
    extra_repr = _zero_repr


class _ReflectionPadNd(_PadNd):
    _mode = "reflect"


class ReflectionPad1d(_ReflectionPadNd):
    """Pad the last dimension with its mirror image (edge not repeated)."""

    _nd = 1


class ReflectionPad2d(_ReflectionPadNd):
    """Pad the last two dimensions with their mirror image."""

    _nd = 2


class ReflectionPad3d(_ReflectionPadNd):
    """Pad the last three dimensions with their mirror image."""

    _nd = 3


class _ReplicationPadNd(_PadNd):
    _mode = "replicate"


class ReplicationPad1d(_ReplicationPadNd):
    """Pad the last dimension by repeating its edge values."""

    _nd = 1


class ReplicationPad2d(_ReplicationPadNd):
    """Pad the last two dimensions by repeating their edge values."""

    _nd = 2


class ReplicationPad3d(_ReplicationPadNd):
    """Pad the last three dimensions by repeating their edge values."""

    _nd = 3


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input):
        """Pad ``input`` periodically."""
        if input.dim() not in (self._nd + 1, self._nd + 2):
            raise ValueError(
                f"expected {self._nd + 1}D or {self._nd + 2}D input (got {input.dim()}D input)"
            )
        return super().forward(input)


class CircularPad1d(_CircularPadNd):
    """Pad the last dimension periodically (wrapping around)."""

    _nd = 1


class CircularPad2d(_CircularPadNd):
    """Pad the last two dimensions periodically."""

    _nd = 2


class CircularPad3d(_CircularPadNd):
    """Pad the last three dimensions periodically."""

    _nd = 3
