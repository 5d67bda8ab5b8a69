"""Fold and Unfold: sliding blocks to columns and back."""

from __future__ import annotations

from .. import functional as F
from ..module import Module


class _SlidingBlocks(Module):
    """The sliding-block settings (and their repr) shared by Fold and Unfold."""

    def __init__(self, kernel_size, dilation, padding, stride):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def extra_repr(self):
        return (
            f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
            f"padding={self.padding}, stride={self.stride}"
        )


class Fold(_SlidingBlocks):
    """col2im: sum columns of sliding blocks back into an (N, C, H, W) image."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__(kernel_size, dilation, padding, stride)
        self.output_size = output_size

    def forward(self, input):
        """Fold ``input`` (N, C*kh*kw, L)."""
        return F.fold(
            input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride
        )

    def extra_repr(self):
        return f"output_size={self.output_size}, {super().extra_repr()}"


class Unfold(_SlidingBlocks):
    """im2col: every sliding block of an (N, C, H, W) image as one column."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__(kernel_size, dilation, padding, stride)

    def forward(self, input):
        """Unfold ``input``."""
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)
