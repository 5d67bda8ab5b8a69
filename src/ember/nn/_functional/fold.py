"""Sliding blocks: unfold (im2col) and its adjoint fold (col2im)."""

from __future__ import annotations

import math

from ...backend import np
from ...tensor import Tensor


def _eye_kernel(k, dtype):
    return Tensor._make(np.eye(math.prod(k), dtype=dtype).reshape((-1, 1) + k))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) -> (N, C*kh*kw, L) of sliding blocks."""
    from ...ops.conv import ConvNd, _tuple

    k = _tuple(kernel_size, 2)
    n, c = input.shape[:2]
    x = input.reshape((n * c, 1) + tuple(input.shape[2:]))
    pads = tuple((p, p) for p in _tuple(padding, 2))
    geom = (_tuple(stride, 2), pads, _tuple(dilation, 2), 1)
    cols = ConvNd.apply(x, _eye_kernel(k, input._data.dtype), geom)  # (N*C, K, oh, ow)
    return cols.reshape(n, c * math.prod(k), -1)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im: the adjoint of ``unfold`` (overlapping values add up)."""
    from ...ops.conv import ConvTransposeNd, _tuple

    k = _tuple(kernel_size, 2)
    osz = _tuple(output_size, 2)
    st, dl = _tuple(stride, 2), _tuple(dilation, 2)
    pd = _tuple(padding, 2)
    n = input.shape[0]
    kk = math.prod(k)
    c = input.shape[1] // kk
    oh = (osz[0] + 2 * pd[0] - dl[0] * (k[0] - 1) - 1) // st[0] + 1
    ow = (osz[1] + 2 * pd[1] - dl[1] * (k[1] - 1) - 1) // st[1] + 1
    cols = input.reshape(n * c, kk, oh, ow)
    geom = (st, tuple((p, p) for p in pd), dl, 1)
    out = ConvTransposeNd.apply(cols, _eye_kernel(k, input._data.dtype), geom, osz)
    return out.reshape((n, c) + osz)
