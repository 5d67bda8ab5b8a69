"""Power-average pooling: ``(sum over each window of x^p)^(1/p)``, composed of ops."""

from __future__ import annotations

import math

from ...ops.avg_pooling import avg_pool1d, avg_pool2d, avg_pool3d
from ...ops.pooling import max_pool1d, max_pool2d, max_pool3d

_AVG = {1: avg_pool1d, 2: avg_pool2d, 3: avg_pool3d}
_MAX = {1: max_pool1d, 2: max_pool2d, 3: max_pool3d}


def _kernel_volume(kernel_size, nd):
    if nd == 1:
        # PyTorch multiplies by the 1-d kernel size as it was given: a tuple is refused.
        if not isinstance(kernel_size, (int, float)):
            raise TypeError(
                "mul(): argument 'other' (position 1) must be Tensor, not "
                f"{type(kernel_size).__name__}"
            )
        return kernel_size
    if isinstance(kernel_size, (tuple, list)):
        return math.prod(kernel_size)
    return kernel_size**nd


def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode):
    """The p-norm of each window; p = inf is the max of |x|, p = -inf minus the min of it."""
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return _MAX[nd](input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -_MAX[nd](-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    total = _AVG[nd](input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    # relu(|s|) * sign(s) keeps a zero window's gradient zero (PyTorch's composition).
    total = (total.sign() * total.abs().relu()).mul(_kernel_volume(kernel_size, nd))
    return total.pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
    """1-d power-average pooling: ``(sum of x^p over each window)^(1/p)``."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
    """2-d power-average pooling: ``(sum of x^p over each window)^(1/p)``."""
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
    """3-d power-average pooling: ``(sum of x^p over each window)^(1/p)``."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)
