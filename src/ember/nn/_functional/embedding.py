"""Embedding lookups: ``embedding`` (an op, ``ops.embedding``) and ``embedding_bag``."""

from __future__ import annotations

from ...autograd import Function
from ...backend import np
from ...ops.embedding import check_range, embedding, indices, renorm_rows  # noqa: F401
from ...tensor import Tensor


class _RowGradScale(Function):
    """Identity forward; backward multiplies each looked-up row's gradient by a fixed factor
    (1/count with ``scale_grad_by_freq``).

    PyTorch's double backward does not apply the frequency scale, so the scale rides
    along detached.
    """

    @staticmethod
    def forward(ctx, rows, scale):
        ctx.scale = scale
        return rows.view_as(rows)

    @staticmethod
    def backward(ctx, grad):
        return grad + (grad * (ctx.scale - 1)).detach(), None


def _bag_freq_scale(idx, rows):
    """Per embedding row, the factor ``scale_grad_by_freq`` applies to its gradient.

    PyTorch's CPU kernel divides the gradient of the j-th distinct index (in sorted order)
    by the count of the j-th entry of the *sorted input*, which is that index's own count
    only while no earlier index repeats; Ember divides the same way so the numbers agree.
    """
    counts = np.bincount(idx, minlength=rows)
    distinct = np.unique(idx)
    table = np.ones(rows)
    table[distinct] = 1.0 / counts[np.sort(idx)[: distinct.size]]
    return table


def _bag_checks(input, weight, offsets, mode, per_sample_weights, scale_grad_by_freq, sparse):
    """PyTorch's argument checks; returns flat indices, offsets and per-sample weights."""
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
            f"then it must have the same shape as the input ({input.shape})"
        )
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}"
        )
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch "
                f"of fixed length sequences. However, found offsets of type {type(offsets)}"
            )
        offsets = np.arange(0, input.numel(), input.shape[1])
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
        input = input.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        offsets = np.asarray(offsets._data)
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}"
        )
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    return input, offsets.astype(np.int64), per_sample_weights


def _bags(idx, offsets, include_last_offset, padding_idx):
    """(B, L) positions into ``idx`` of each bag's members, and which of them count."""
    n = idx.size
    if offsets.size and offsets[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
            f"position 0. However, got {int(offsets[0])}\n[ torch.LongTensor{{}} ]"
        )
    if offsets.size and offsets[-1] > n:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {n} but got offsets[-1] of "
            f"{int(offsets[-1])}"
        )
    if np.any(np.diff(offsets) < 0):
        raise RuntimeError(
            "Expected i < index_size to be true, but got false.  (Could this error message be "
            "improved?  If so, please report an enhancement request to PyTorch.)"
        )
    starts = offsets[:-1] if include_last_offset else offsets
    ends = offsets[1:] if include_last_offset else np.append(offsets[1:], n)
    width = max(int((ends - starts).max()) if starts.size else 0, 1)
    pos = starts[:, None] + np.arange(width)[None, :]
    inside = pos < ends[:, None]
    pos = np.where(inside, pos, 0)
    valid = inside if padding_idx is None else inside & (idx[pos] != padding_idx) if n else inside
    return pos, valid


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):  # fmt: skip
    """Sum, mean or max of the embeddings in each bag, without building the full lookup.

    Bags are the rows of a 2-D ``input``, or the runs of a 1-D ``input`` starting at each
    of ``offsets``. Entries equal to ``padding_idx`` are left out (an empty bag gives 0);
    ``per_sample_weights`` scales each entry (mode 'sum' only).
    """
    import warnings

    from ...ops.where import where

    if weight.dtype.name == "int64" and input.is_floating_point():
        warnings.warn(
            "Argument order of nn.functional.embedding_bag was changed. Usage "
            "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
            "`embedding_bag(input, weight, ...)`.",
            stacklevel=2,
        )
        weight, input = input, weight
    input, offs, psw = _bag_checks(
        input, weight, offsets, mode, per_sample_weights, scale_grad_by_freq, sparse
    )
    if input.dim() == 1 and offsets is None:
        include_last_offset = False
    idx = indices(input, "embedding_bag")
    if max_norm is not None:
        renorm_rows(weight, idx, max_norm, norm_type)
    if psw is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub."
        )
    rows = weight.shape[0]
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise RuntimeError(
                f"padding_idx must be within the number of embeddings, {-rows} through "
                f"{rows - 1}, but got {padding_idx}"
            )
        padding_idx %= rows
    bad = np.flatnonzero((idx < 0) | (idx >= rows))
    if bad.size:
        fast = mode != "max" and weight.dtype.name in ("float32", "float16")
        if not fast:  # PyTorch's two CPU kernels word this error apart
            raise RuntimeError(
                "embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be "
                f"{int(idx[bad[0]])}"
            )
        raise RuntimeError(
            f"Index {int(bad[0])} of input takes value {int(idx[bad[0]])} which is not in the "
            f"valid range [0, {rows})"
        )
    pos, valid = _bags(idx, offs, include_last_offset and input.dim() == 1, padding_idx)
    gathered = weight[Tensor._make(idx[pos] if idx.size else np.zeros_like(pos))]  # (B, L, D)
    if scale_grad_by_freq and weight._requires_grad and idx.size:
        scale = Tensor._make(
            _bag_freq_scale(idx, rows)[idx[pos]][..., None].astype(gathered._data.dtype)
        )
        gathered = _RowGradScale.apply(gathered, scale)
    keep = Tensor._make(valid[..., None])
    if mode == "max":
        best = where(keep, gathered, float("-inf")).max(1)[0]
        return where(Tensor._make(valid.any(1)[:, None]), best, 0.0)
    w = Tensor._make(valid[..., None].astype(gathered._data.dtype))
    if psw is not None:
        w = w * psw[Tensor._make(pos)].unsqueeze(-1)
    total = (gathered * w).sum(1)
    if mode == "sum":
        return total
    count = np.maximum(valid.sum(1), 1)[:, None].astype(gathered._data.dtype)
    return total / Tensor._make(count)
