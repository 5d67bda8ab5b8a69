"""Multi-label, multi-margin and triplet losses, composed from Ember ops with PyTorch's
checks (and the legacy ``size_average``/``reduce`` flags); the functional forms of the
margin ranking, hinge and cosine embedding losses (the top-level forms, ``ops.margin_losses``,
do the work); and the Gaussian NLL loss and the reduction helpers, from ``ops.losses``."""

from __future__ import annotations

from ... import dtypes
from ...backend import np
from ...ops import margin_losses as _top
from ...ops.losses import check_reduction as _check_reduction
from ...ops.losses import gaussian_nll_loss, legacy_reduction, reduction_number  # noqa: F401
from ...ops.losses import reduce_loss as _reduce
from ...tensor import Tensor


def _vector_or_matrix(input):
    if (
        input.dim() not in (1, 2)
        or (input.dim() == 2 and input.shape[1] == 0)
        or (input.dim() == 1 and input.shape[0] == 0)
    ):
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{list(input.shape)}"
        )


_SCALAR_NAMES = {
    "float16": "Half",
    "float32": "Float",
    "float64": "Double",
    "int8": "Char",
    "int16": "Short",
    "int32": "Int",
    "uint8": "Byte",
    "bool": "Bool",
}


def _long_target(target):
    if target.dtype != dtypes.int64:
        found = _SCALAR_NAMES.get(target.dtype.name, target.dtype.name)
        raise RuntimeError(f"expected scalar type Long but found {found}")


def multilabel_soft_margin_loss(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean"
):
    """Mean over classes of the per-class logistic loss (multi-label, targets in {0, 1})."""
    from .. import functional as F

    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")
    loss = -(target * F.logsigmoid(input) + (1 - target) * F.logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    dim = input.dim() - 1
    loss = loss.sum(dim) / input.shape[dim]
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):  # fmt: skip
    """Multi-class hinge loss: mean over classes j != y of max(0, margin - x_y + x_j)^p."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    _check_reduction(reduction)
    _vector_or_matrix(input)
    x = input if input.dim() == 2 else input.unsqueeze(0)
    n, c = x.shape
    t = np.asarray(target._data).reshape(-1)
    if (target.dim() > 1) or t.size != n:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{n}], but got "
            f"{list(target.shape)}. Input has shape {list(input.shape)}."
        )
    _long_target(target)
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got {list(weight.shape)}")
    if t.size and (t.min() < 0 or t.max() >= c):
        raise RuntimeError("target out of range")
    rows = Tensor._make(np.arange(n))
    cols = Tensor._make(t.astype(np.int64))
    picked = x[rows, cols].unsqueeze(1)
    others = Tensor._make((np.arange(c)[None, :] != t[:, None]).astype(x._data.dtype))
    z = (margin - picked + x).relu()
    if p == 2:
        z = z * z
    z = z * others
    if weight is not None:
        z = z * weight[cols].unsqueeze(1)
    loss = z.sum(1) / c
    if input.dim() == 1:
        loss = loss.reshape(tuple(target.shape))
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss: for each target class j and non-target k, max(0, 1 - x_j + x_k),
    summed and divided by the number of classes. ``target`` lists classes up to the first -1."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _vector_or_matrix(input)
    if tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(
            f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}"
        )
    _long_target(target)
    x = input if input.dim() == 2 else input.unsqueeze(0)
    n, c = x.shape
    t = np.asarray(target._data).reshape(n, c)
    # Each row's targets are its entries before the first negative one.
    listed = np.cumprod(t >= 0, axis=1).astype(bool)
    if np.any(listed & (t >= c)):
        raise RuntimeError("argument #2 'target' is out of range")
    counts = np.zeros((n, c))
    rows = np.nonzero(listed)
    np.add.at(counts, (rows[0], t[rows]), 1.0)
    pairs = counts[:, :, None] * (counts == 0)[:, None, :]
    margins = (1 - x.unsqueeze(2) + x.unsqueeze(1)).relu()
    loss = (margins * Tensor._make(pairs.astype(x._data.dtype))).sum((1, 2)) / c
    if input.dim() == 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def _check_triplet_dims(anchor, positive, negative):
    a, p, n = anchor.dim(), positive.dim(), negative.dim()
    if not a == p == n:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {a}D, positive {p}D, and negative {n}D inputs"
        )


def _triplet(anchor, positive, negative, distance, margin, swap):
    import ember

    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = ember.minimum(d_neg, distance(positive, negative))
    return (margin + d_pos - d_neg).clamp_min(0)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):  # fmt: skip
    """max(0, margin + d(a, p) - d(a, n)) with d the p-norm pairwise distance."""
    from .distance import pairwise_distance

    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_triplet_dims(anchor, positive, negative)
    _check_reduction(reduction)

    def distance(x1, x2):
        return pairwise_distance(x1, x2, p, eps)

    return _reduce(_triplet(anchor, positive, negative, distance, margin, swap), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):  # fmt: skip
    """max(0, margin + d(a, p) - d(a, n)) with any distance (pairwise distance by default)."""
    from .distance import pairwise_distance

    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    _check_reduction(reduction)
    distance = distance_function if distance_function is not None else pairwise_distance
    return _reduce(_triplet(anchor, positive, negative, distance, margin, swap), reduction)


def _number(size_average, reduce, reduction):
    """PyTorch's reduction number from the functional arguments (legacy flags first)."""
    return reduction_number(legacy_reduction(size_average, reduce, reduction))


def margin_ranking_loss(
    input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"
):
    """max(0, -y (x1 - x2) + margin)."""
    number = _number(size_average, reduce, reduction)
    if not input1.dim() == input2.dim() == target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    return _top.margin_ranking_loss(input1, input2, target, margin, number)


def hinge_embedding_loss(
    input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"
):
    """x where y != -1, plus max(0, margin - x) where y != 1."""
    number = _number(size_average, reduce, reduction)
    return _top.hinge_embedding_loss(input, target, margin, number)


def cosine_embedding_loss(
    input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"
):
    """1 - cos(x1, x2) where y == 1, max(0, cos(x1, x2) - margin) where y == -1."""
    number = _number(size_average, reduce, reduction)
    return _top.cosine_embedding_loss(input1, input2, target, margin, number)
