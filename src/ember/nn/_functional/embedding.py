"""Embedding lookups."""

from __future__ import annotations

from ...backend import xp_of
from ...tensor import Tensor


def _indices(input, name):
    idx = input._data if isinstance(input, Tensor) else input
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.type()} instead (while checking arguments for "
            f"{name})"
        )
    return idx


def _check_range(idx, n_rows):
    if idx.size and (idx.min() < 0 or idx.max() >= n_rows):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise IndexError(
            f"index out of range in self. Index {bad} is outside the {n_rows} rows of the "
            "embedding weight."
        )


def _renorm_rows(weight, idx, max_norm, norm_type):
    """Rescale, in place, the rows of ``weight`` used by ``idx`` to norm at most ``max_norm``."""
    xp = xp_of(weight._data)
    rows = xp.unique(idx)
    w = weight._data
    norms = (xp.abs(w[rows]) ** norm_type).sum(1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    w[rows] *= scale[:, None].astype(w.dtype)
    weight._version[0] += 1


def embedding(
    input,
    weight,
    padding_idx=None,
    max_norm=None,
    norm_type=2.0,
    scale_grad_by_freq=False,
    sparse=False,
):
    """Rows of ``weight`` at the indices ``input``; no gradient reaches ``padding_idx``."""
    idx = _indices(input, "embedding")
    _check_range(idx, weight.shape[0])
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    out = weight[Tensor._make(idx)]
    if padding_idx is not None and weight._requires_grad:
        from ...ops.where import where

        pad = Tensor._make((idx != padding_idx)[..., None])
        out = where(pad, out, out.detach())
    return out
