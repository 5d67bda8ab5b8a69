"""Resampling and rearranging images: interpolate, pixel shuffle."""

from __future__ import annotations

import math

from ...backend import np
from ...tensor import Tensor


def pixel_shuffle(input, upscale_factor: int):
    """(N, C r^2, H, W) -> (N, C, H r, W r)."""
    r = upscale_factor
    n, c, h, w = input.shape[-4:]
    x = input.reshape(n, c // (r * r), r, r, h, w).permute(0, 1, 4, 2, 5, 3)
    return x.reshape(n, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor: int):
    """(N, C, H r, W r) -> (N, C r^2, H, W)."""
    r = downscale_factor
    n, c, h, w = input.shape[-4:]
    x = input.reshape(n, c, h // r, r, w // r, r).permute(0, 1, 3, 5, 2, 4)
    return x.reshape(n, c * r * r, h // r, w // r)


def interpolate(
    input,
    size=None,
    scale_factor=None,
    mode="nearest",
    align_corners=None,
    recompute_scale_factor=None,
    antialias=False,
):
    """Resize with ``mode='nearest'`` (other modes are not implemented in Ember)."""
    if mode != "nearest":
        raise NotImplementedError(f"interpolate mode '{mode}' is not implemented in Ember")
    nd = input.dim() - 2
    in_sz = input.shape[2:]
    if size is None:
        sf = scale_factor if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * nd
        size = tuple(int(math.floor(s * f)) for s, f in zip(in_sz, sf))
        scales = sf
    else:
        size = tuple(size) if isinstance(size, (tuple, list)) else (size,) * nd
        scales = tuple(o / i for o, i in zip(size, in_sz))
    x = input
    for i in range(nd):
        idx = np.minimum(np.floor(np.arange(size[i]) / scales[i]).astype(np.int64), in_sz[i] - 1)
        x = x.index_select(2 + i, Tensor._make(idx))
    return x
