"""Embedding lookups."""

from __future__ import annotations

from ...autograd import Function
from ...backend import xp_of
from ...tensor import Tensor


class _RowGradScale(Function):
    """Identity forward; backward multiplies each looked-up row's gradient by a fixed factor.

    The factor is 0 at ``padding_idx`` and 1/count with ``scale_grad_by_freq``. PyTorch's
    double backward of an embedding applies the padding mask but not the frequency scale,
    so only the mask is recorded for higher order; the scale rides along detached.
    """

    @staticmethod
    def forward(ctx, rows, mask, scale):
        ctx.mask, ctx.scale = mask, scale
        return rows.view_as(rows)

    @staticmethod
    def backward(ctx, grad):
        g = grad if ctx.mask is None else grad * ctx.mask
        if ctx.scale is not None:
            g = g + (g * (ctx.scale - 1)).detach()
        return g, None, None


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
    """Rows of ``weight`` at the indices ``input``.

    No gradient reaches ``padding_idx``; with ``scale_grad_by_freq`` each row's gradient is
    divided by how often its index occurs in ``input``.
    """
    if padding_idx is not None:
        n = weight.shape[0]
        assert -n <= padding_idx < n, "Padding_idx must be within num_embeddings"
    idx = _indices(input, "embedding")
    _check_range(idx, weight.shape[0])
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    out = weight[Tensor._make(idx)]
    if not weight._requires_grad or (padding_idx is None and not scale_grad_by_freq):
        return out
    mask = scale = None
    if padding_idx is not None:
        mask = Tensor._make((idx != padding_idx)[..., None].astype(out._data.dtype))
    if scale_grad_by_freq:
        xp = xp_of(idx)
        flat = idx.reshape(-1)
        counts = xp.bincount(flat, minlength=weight.shape[0])[flat].reshape(idx.shape)
        scale = Tensor._make((1.0 / counts)[..., None].astype(out._data.dtype))
    return _RowGradScale.apply(out, mask, scale)
