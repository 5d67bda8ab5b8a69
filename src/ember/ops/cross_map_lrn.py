"""``CrossMapLRN2d``: the legacy (Lua Torch) local response normalisation across channels.

PyTorch keeps this layer as a Python ``Function`` whose forward and backward are written
out by hand, and both carry quirks that Ember reproduces so that answers agree:

- the running channel sum never drops channel 0: with ``P = int((size - 1) / 2 + 1)``,
  ``s[c] = sum(x[j]^2 for max(0, c-P+1) <= j <= min(C-1, c+P-1)) + (x[0]^2 if c >= P)``;
- the backward's window over ``g * out / scale`` is shifted by one channel from the
  forward's, so it is PyTorch's rule rather than the derivative of the forward;
- ``size == 1`` fails in the backward (an out-of-range channel slice).

``out = x * (k + alpha / size * s)^-beta``.
"""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from ._spec import OpSpec
from .registry import LOOP, declare


class CrossMapLRN2d(Node):
    """PyTorch's rule: dx = g scale^-beta - 2 alpha beta / size * x * band(g out / scale)"""

    def forward(self, x, size, alpha, beta, k):
        xp = self.xp
        channels = x.shape[1]
        pre = int((size - 1) / 2 + 1)
        sq = x * x
        csum = xp.concatenate([xp.zeros_like(sq[:, :1]), xp.cumsum(sq, axis=1)], axis=1)
        c = xp.arange(channels)
        lo, hi = xp.maximum(c - pre + 1, 0), xp.minimum(c + pre - 1, channels - 1)
        total = csum[:, hi + 1] - csum[:, lo]
        total[:, pre:] += sq[:, :1]  # the channel the running sum never drops
        scale = total * (alpha / size) + k
        out = xp.power(scale, -beta) * x
        self.x, self.out, self.scale = x, out, scale
        self.size, self.alpha, self.beta = size, alpha, beta
        return out

    def backward(self, grad):
        xp, size, channels = self.xp, self.size, self.x.shape[1]
        lead = int(size - (size - 1) / 2)
        if lead > size - 1:
            raise RuntimeError(
                f"start ({lead}) + length ({channels}) exceeds dimension size "
                f"({channels + size - 1})."
            )
        # band[c, j] = 1 where channel j's ratio enters channel c's sum (PyTorch's window).
        c = xp.arange(channels)
        off = c[None, :] - c[:, None] + lead  # j - c + lead, in [0, size) inside the band
        band = ((off >= 0) & (off < size)).astype(self.x.dtype)
        ratio = grad * Tensor._make(self.out / self.scale)
        summed = (ratio.permute(0, 2, 3, 1) @ Tensor._make(band.T)).permute(0, 3, 1, 2)
        cache = 2 * self.alpha * self.beta / size
        first = grad * Tensor._make(xp.power(self.scale, -self.beta))
        return first - Tensor._make(cache * self.x) * summed, None, None, None, None


def cross_map_lrn2d(input, size: int, alpha=1e-4, beta=0.75, k=1):
    """Legacy cross-channel response normalisation of a 4-d input (PyTorch's CrossMapLRN2d)."""
    if input.dim() != 4:
        raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
    return CrossMapLRN2d.apply(input, size, alpha, beta, k)


def _layer(size, alpha, beta, k):
    return lambda t, x: t.nn.CrossMapLRN2d(size, alpha, beta, k)(x)


declare(
    CrossMapLRN2d,
    None,
    grad_fn="CrossMapLRN2dBackward",
    vmap=LOOP,
    spec=(
        # PyTorch's backward is not the forward's derivative: no finite differences, and
        # PyTorch's own backward cannot be differentiated again.
        OpSpec(
            "cross_map_lrn2d",
            _layer(3, 0.5, 0.75, 1.5),
            [((2, 6, 3, 3),), ((1, 2, 2, 3),)],
            shapes=None,
            fd=False,
            second_order=False,
        ),
        OpSpec(
            "cross_map_lrn2d_even",
            _layer(4, 1.0, 0.6, 2.0),
            [((2, 7, 2, 3),)],
            shapes=None,
            fd=False,
            second_order=False,
        ),
    ),
)

__all__: list = []
