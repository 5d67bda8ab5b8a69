"""Distances and similarities between vectors."""

from __future__ import annotations

from ...backend import np
from ...tensor import Tensor


def broadcast_pair(a, b):
    """``a`` and ``b`` expanded to their common shape (PyTorch's error if there is none)."""
    try:
        shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    except ValueError:
        a + b  # raises the library's broadcasting error, which names the dimension
        raise
    return a.expand(shape), b.expand(shape)


def _clamped_norm(x, dim, eps):
    """``max(||x||, eps)`` whose gradient is that of ``||x||`` (the clamp is not recorded)."""
    n = x.norm(2, dim, keepdim=True)
    floor = n.detach()
    return n + (floor.clamp_min(eps) - floor)


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8):
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim``."""
    x1, x2 = broadcast_pair(x1, x2)
    return ((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim)


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
    """p-norm of ``x1 - x2 + eps`` along the last dimension."""
    d = x1 - x2 + eps
    return d.norm(p, d.dim() - 1, keepdim=keepdim)


def pdist(input, p: float = 2.0):
    """p-norm distances between every pair of rows of a 2-D input (upper triangle, row order)."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = np.triu_indices(input.shape[0], 1)
    rows_i = input[Tensor._make(i.astype(np.int64))]
    rows_j = input[Tensor._make(j.astype(np.int64))]
    return (rows_i - rows_j).norm(p, 1)
