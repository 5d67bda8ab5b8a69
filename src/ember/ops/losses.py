"""Loss functions.  Nodes only where stability needs one (cross entropy, BCE, BCE with
logits); the rest are compositions of primitives.

Cross entropy in every form (class indices, ``weight``, ``ignore_index``,
``label_smoothing``, class probabilities) is one fused node on (M, C) logits and a
(M, C) coefficient matrix ``A``: ``loss_i = -sum_c A_ic * log_softmax(x)_ic``.
"""

from __future__ import annotations

import warnings

from ..autograd.node import Node, array_backward
from ..tensor_base import TensorBase as Tensor
from ._spec import OpSpec, register

__all__ = [
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "kl_div",
    "soft_margin_loss",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "cosine_embedding_loss",
]


def _needs(node, i):
    n = node.needs_input_grad
    return n is not None and n[i]


def legacy_reduction(size_average, reduce, reduction):
    """Map the deprecated ``size_average``/``reduce`` flags onto ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn(
        "size_average and reduce args will be deprecated, please use reduction='"
        + ("sum" if size_average is False and reduce is not False else "mean")
        + "' instead.",
        UserWarning,
        stacklevel=3,
    )
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_reduction(reduction):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


# ----- cross entropy ---------------------------------------------------------------------
class CrossEntropy(Node):
    """loss_i = -sum_c A_ic logp_ic: dx = g (softmax(x) sum_c A_ic - A), dA = -g logp"""

    def forward(self, x, a):
        xp = self.xp
        shift = x.max(axis=1, keepdims=True) if x.shape[1] else xp.zeros((x.shape[0], 1), x.dtype)
        shift = xp.where(xp.isfinite(shift), shift, 0)
        z = x - shift
        lse = xp.log(xp.exp(z).sum(axis=1, keepdims=True))
        logp = z - lse
        prod = a * logp
        if not xp.isfinite(prod).all():
            prod = xp.where(a == 0, 0, prod)  # 0 * log(0) counts as 0
        self.save_for_backward(x, a)
        self.shift = shift
        return -prod.sum(axis=1)

    def backward(self, grad):
        if array_backward(grad):
            x, a = self.saved_arrays()
            xp = self.xp
            z = x - self.shift
            e = xp.exp(z)
            s = e.sum(1, keepdims=True)
            g = grad._data[:, None]
            gx = g * (e / s * a.sum(1, keepdims=True) - a) if _needs(self, 0) else None
            ga = -g * (z - xp.log(s)) if _needs(self, 1) else None
            return (
                None if gx is None else Tensor._make(gx),
                None if ga is None else Tensor._make(ga),
            )
        x, a = self.saved_tensors
        z = x - Tensor._make(self.shift)
        e = z.exp()
        s = e.sum(1, keepdim=True)
        g = grad.unsqueeze(1)
        gx = g * (e / s * a.sum(1, keepdim=True) - a) if _needs(self, 0) else None
        ga = -g * (z - s.log()) if _needs(self, 1) else None
        return gx, ga

    def name(self):
        return "NllLossBackward0"


def _to_rows(x):
    """(N, C, d1, ...) -> (N*d1*..., C); (C,) -> (1, C)."""
    if x.dim() == 1:
        return x.unsqueeze(0)
    if x.dim() == 2:
        return x
    perm = (0,) + tuple(range(2, x.dim())) + (1,)
    return x.permute(perm).reshape(-1, x.shape[1])


class ClassTargets(Node):
    """Coefficients of class-index targets (not differentiable).

    Output 0, (rows, C): row i holds ``w[t_i] * (1 - smoothing)`` at class ``t_i`` plus
    ``w * smoothing / C``; rows whose target is ``ignore_index`` are zero.  Output 1,
    (rows,): ``w[t_i]`` (0 when ignored), whose sum is the 'mean' denominator.  An op of
    its own so that the target values are read inside an op, where vmap can batch it.
    """

    def forward(self, t, weight, n_classes, dtype, ignore_index, smoothing):
        xp = self.xp
        t = t.reshape(-1)
        valid = t != ignore_index
        tv = t[valid]
        if tv.size and (tv.min() < 0 or tv.max() >= n_classes):
            bad = tv[(tv < 0) | (tv >= n_classes)][0]
            raise IndexError(f"Target {bad} is out of bounds.")
        w = xp.ones(n_classes, dtype) if weight is None else weight.astype(dtype, copy=False)
        a = xp.zeros((t.shape[0], n_classes), dtype)
        rows = xp.nonzero(valid)[0]
        a[rows, tv] = w[tv] * (1 - smoothing)
        if smoothing:
            a[rows] += w * (smoothing / n_classes)
        row_w = xp.zeros(t.shape[0], dtype)
        row_w[rows] = w[tv]
        return a, row_w

    def differentiable_outputs(self, n):
        return (False, False)


def _index_matrix(x, target, weight, ignore_index, smoothing, name):
    """The coefficient matrix for class-index targets and the 'mean' denominator."""
    n_classes = x.shape[1] if x.dim() > 1 else x.shape[0]
    t = target._data
    if str(t.dtype) not in ("int64", "uint8"):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {_type_word(t.dtype)}"
        )
    batch = x.shape[:1] + x.shape[2:] if x.dim() > 1 else ()
    if tuple(t.shape) != tuple(batch):
        if x.dim() > 1 and t.ndim >= 1 and t.shape[0] != x.shape[0]:
            raise ValueError(
                f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                f"({t.shape[0]})."
            )
        raise RuntimeError(
            f"only batches of spatial targets supported (3D tensors) but got targets of size: "
            f": {list(t.shape)}"
        )
    if weight is not None and weight._data.shape != (n_classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight._data.shape)}"
        )
    a, row_w = ClassTargets.apply(target, weight, n_classes, x._data.dtype, ignore_index, smoothing)
    return a, row_w.sum()


def _type_word(np_dtype):
    return {
        "float32": "Float",
        "float64": "Double",
        "float16": "Half",
        "int32": "Int",
        "int16": "Short",
        "int8": "Char",
        "bool": "Bool",
    }.get(str(np_dtype), str(np_dtype))


def _unrows(loss, x):
    if x.dim() <= 2:
        return loss.reshape(x.shape[:1]) if x.dim() == 2 else loss.reshape(())
    return loss.reshape((x.shape[0],) + tuple(x.shape[2:]))


def cross_entropy(
    input,
    target,
    weight=None,
    size_average=None,
    ignore_index=-100,
    reduce=None,
    reduction="mean",
    label_smoothing=0.0,
):
    """Cross entropy between logits and class indices or class probabilities.

    One fused, stable log-softmax + negative log-likelihood.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    x = input
    rows = _to_rows(x)
    if target._data.dtype.kind == "f" and tuple(target.shape) == tuple(x.shape):
        n_classes = rows.shape[1]
        y = _to_rows(target)
        if label_smoothing:
            y = y * (1 - label_smoothing) + label_smoothing / n_classes
        if weight is not None:
            y = y * weight
        loss = CrossEntropy.apply(rows, y.to(rows.dtype) if y.dtype != rows.dtype else y)
        if reduction == "none":
            return _unrows(loss, x)
        if reduction == "sum":
            return loss.sum()
        return loss.sum() / (rows.shape[0] if x.dim() > 1 else 1)
    if str(target._data.dtype) not in ("int64", "uint8"):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {_type_word(target._data.dtype)}"
        )
    a, denom = _index_matrix(x, target, weight, ignore_index, label_smoothing, "cross_entropy")
    loss = CrossEntropy.apply(rows, a)
    if reduction == "none":
        return _unrows(loss, x)
    return _mean_or_sum(loss, reduction, denom)


def _mean_or_sum(loss, reduction, denom):
    if reduction == "sum":
        return loss.sum()
    if not denom._data:  # (inside vmap's batched run this reads NaN and divides per example)
        return loss.sum() * float("nan")  # 0/0, as in PyTorch, without NumPy's warning
    return loss.sum() / denom


def nll_loss(
    input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"
):
    """Negative log-likelihood of class indices under log-probabilities ``input``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    a, denom = _index_matrix(input, target, weight, ignore_index, 0.0, "nll_loss")
    loss = -(_to_rows(input) * a).sum(1)
    if reduction == "none":
        return _unrows(loss, input)
    return _mean_or_sum(loss, reduction, denom)


# ----- binary cross entropy -------------------------------------------------------------------
class BinaryCrossEntropy(Node):
    """l = -(y log x + (1-y) log(1-x)), logs clamped at -100: dx = (x - y) / max(x(1-x), 1e-12)"""

    def forward(self, x, y):
        xp = self.xp
        with xp.errstate(divide="ignore", invalid="ignore"):
            lx = xp.maximum(xp.log(x), -100)
            l1x = xp.maximum(xp.log1p(-x), -100)
        self.save_for_backward(x, y)
        return -(y * lx + (1 - y) * l1x)

    def backward(self, grad):
        from .where import where

        x, y = self.saved_tensors
        gx = gy = None
        if _needs(self, 0):
            den = x * (1 - x)
            gx = grad * (x - y) / where(den < 1e-12, 1e-12, den)
        if _needs(self, 1):
            lx, l1x = x.log(), (1 - x).log()
            gy = grad * (where(l1x < -100, -100.0, l1x) - where(lx < -100, -100.0, lx))
        return gx, gy

    def name(self):
        return "BinaryCrossEntropyBackward0"


def _check_same_size(input, target, name=None):
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )


def binary_cross_entropy(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean"
):
    """Binary cross entropy of probabilities ``input``; each log is clamped at -100."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_same_size(input, target)
    d = input._data
    if d.size and ((d < 0) | (d > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = BinaryCrossEntropy.apply(input, target.to(input.dtype))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


class BinaryCrossEntropyWithLogits(Node):
    """l = (1-y) x + (1+(pw-1) y) softplus(-x): dx = sigmoid(x)(pw y + 1 - y) - pw y"""

    def forward(self, x, y, pw):
        xp = self.xp
        sp = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)
        self.save_for_backward(x, y, pw)
        if pw is None:
            return (1 - y) * x + sp
        return (1 - y) * x + (1 + (pw - 1) * y) * sp

    def backward(self, grad):
        x, y, pw = self.saved_tensors
        s = x.sigmoid()
        gx = gy = gp = None
        if pw is None:
            if _needs(self, 0):
                gx = grad * (s - y)
            if _needs(self, 1):
                gy = -grad * x
            return gx, gy, None
        sp = (-x.abs()).exp().log1p() + (-x).relu()
        if _needs(self, 0):
            gx = grad * (s * (pw * y + 1 - y) - pw * y)
        if _needs(self, 1):
            gy = grad * (-x + (pw - 1) * sp)
        if _needs(self, 2):
            gp = grad * y * sp
        return gx, gy, gp

    def name(self):
        return "BinaryCrossEntropyWithLogitsBackward0"


def binary_cross_entropy_with_logits(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None
):
    """Sigmoid + binary cross entropy in one stable step; ``pos_weight`` weights positives."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    loss = BinaryCrossEntropyWithLogits.apply(input, target.to(input.dtype), pos_weight)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# ----- regression losses (compositions) ---------------------------------------------------
def _warn_broadcast(input, target, stacklevel=3):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=stacklevel,
        )


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_broadcast(input, target)
    d = input - target
    loss = d * d
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_broadcast(input, target)
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta."""
    from .where import where

    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_broadcast(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    d = input - target
    ad = d.abs()
    if beta == 0:
        return _reduce(ad, reduction)
    loss = where(ad < beta, d * d * (0.5 / beta), ad - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta)."""
    from .where import where

    _check_reduction(reduction)
    _warn_broadcast(input, target)
    d = input - target
    ad = d.abs()
    loss = where(ad < delta, d * d * 0.5, (ad - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence with ``input`` as log-probabilities: target (log target - input)."""
    from .where import where

    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            UserWarning,
            stacklevel=2,
        )
    if log_target:
        loss = target.exp() * (target - input)
    else:
        pos = target > 0
        safe = where(pos, target, 1.0)
        loss = where(pos, target * safe.log(), 0.0) - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.dim() else 1)
    _check_reduction(reduction)
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-y x)), averaged."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    z = -target * input
    loss = (-z.abs()).exp().log1p() + z.relu()
    return _reduce(loss, reduction)


def poisson_nll_loss(
    input,
    target,
    log_input=True,
    full=False,
    size_average=None,
    eps=1e-8,
    reduce=None,
    reduction="mean",
):
    """Poisson negative log-likelihood (Stirling term with ``full``)."""
    import math

    from .where import where

    reduction = legacy_reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        safe = where(target > 1, target, 1.0)
        stirling = safe * safe.log() - safe + (safe * (2 * math.pi)).log() * 0.5
        loss = loss + where(target > 1, stirling, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian negative log-likelihood with predicted variance ``var``."""
    import math

    from .where import where

    if (
        var.dim() == input.dim() - 1
        and var.dim() >= 0
        and tuple(var.shape) == tuple(input.shape[:-1])
    ):
        var = var.unsqueeze(-1)
    v = var.detach()
    var = where(v < eps, var * 0 + eps, var) if (v._data < eps).any() else var
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def margin_ranking_loss(
    input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"
):
    """max(0, -y (x1 - x2) + margin)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    return _reduce((-target * (input1 - input2) + margin).relu(), reduction)


def hinge_embedding_loss(
    input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"
):
    """x where y == 1, max(0, margin - x) where y == -1."""
    from .where import where

    reduction = legacy_reduction(size_average, reduce, reduction)
    zero = input * 0
    pos = where(target == 1, input, zero)
    neg = where(target == -1, (margin - input).relu(), zero)
    return _reduce(pos + neg, reduction)


def cosine_embedding_loss(
    input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"
):
    """1 - cos(x1, x2) where y == 1, max(0, cos(x1, x2) - margin) where y == -1."""
    from .where import where

    reduction = legacy_reduction(size_average, reduce, reduction)
    eps = 1e-12
    dot = (input1 * input2).sum(-1)
    n1 = (input1 * input1).sum(-1) + eps
    n2 = (input2 * input2).sum(-1) + eps
    cos = dot / (n1 * n2).sqrt()
    zero = cos * 0
    loss = where(target == 1, 1 - cos, zero) + where(target == -1, (cos - margin).relu(), zero)
    return _reduce(loss, reduction)


METHODS = {}


def _f(t, name):
    """The function ``name``: ember's op, or torch.nn.functional's on the oracle side."""
    if t.__name__ == "torch":
        return getattr(t.nn.functional, name)
    return getattr(t, name)


def _labels(rng, shapes):
    (n, c) = shapes[0][:2]
    rest = shapes[0][2:]
    t = rng.integers(0, c, size=(n,) + tuple(rest))
    t.reshape(-1)[0] = -100
    return (t,)


def _probs01(a):
    import numpy

    return 1 / (1 + numpy.exp(-a))


register(
    OpSpec(
        "cross_entropy",
        lambda t, x, y: _f(t, "cross_entropy")(x, y),
        [((4, 3),), ((2, 3, 2, 2),)],
        shapes=None,
        extra=_labels,
    ),
    OpSpec(
        "cross_entropy_sum_smooth",
        lambda t, x, y: _f(t, "cross_entropy")(x, y, reduction="sum", label_smoothing=0.2),
        [((4, 3),)],
        shapes=None,
        extra=_labels,
    ),
    OpSpec(
        "cross_entropy_weight_smooth",
        lambda t, x, w, y: _f(t, "cross_entropy")(x, y, weight=w.detach(), label_smoothing=0.1),
        [((5, 3), (3,))],
        shapes=None,
        extra=_labels,
        grad=(True, False),
        domain=(0.5, 2.0),
    ),
    OpSpec(
        "cross_entropy_none",
        lambda t, x, y: _f(t, "cross_entropy")(x, y, reduction="none"),
        [((2, 3, 4),)],
        shapes=None,
        extra=_labels,
    ),
    OpSpec(
        "cross_entropy_probs",
        lambda t, x, p: _f(t, "cross_entropy")(
            x,
            p.softmax(1) if hasattr(p, "softmax") else p.exp() / p.exp().sum(1, keepdim=True),
            label_smoothing=0.1,
        ),
        [((4, 3), (4, 3))],
        shapes=None,
    ),
    OpSpec(
        "nll_loss",
        lambda t, x, w, y: _f(t, "nll_loss")(x, y, weight=w.detach()),
        [((5, 3), (3,))],
        shapes=None,
        extra=_labels,
        grad=(True, False),
        domain=(0.5, 2.0),
    ),
    OpSpec(
        "binary_cross_entropy",
        lambda t, x, y: _f(t, "binary_cross_entropy")(x, y),
        [((3, 4), (3, 4))],
        shapes=None,
        domain=(0.05, 0.95),
    ),
    OpSpec(
        "bce_with_logits",
        lambda t, x, y, w: _f(t, "binary_cross_entropy_with_logits")(
            x, y.sigmoid(), pos_weight=w.abs()
        ),
        [((3, 4), (3, 4), (4,))],
        shapes=None,
        grad=(True, True, False),
    ),
    OpSpec(
        "bce_with_logits_plain",
        lambda t, x, y: _f(t, "binary_cross_entropy_with_logits")(x, y.sigmoid(), reduction="sum"),
        [((3, 4), (3, 4))],
        shapes=None,
    ),
    OpSpec("mse_loss", lambda t, x, y: _f(t, "mse_loss")(x, y), [((3, 4), (3, 4))], shapes=None),
    OpSpec(
        "l1_loss",
        lambda t, x, y: _f(t, "l1_loss")(x, y, reduction="sum"),
        [((3, 4), (3, 4))],
        shapes=None,
    ),
    OpSpec(
        "smooth_l1_loss",
        lambda t, x, y: _f(t, "smooth_l1_loss")(x, y, beta=0.5),
        [((3, 4), (3, 4))],
        shapes=None,
    ),
    OpSpec(
        "huber_loss",
        lambda t, x, y: _f(t, "huber_loss")(x, y, delta=0.7, reduction="none"),
        [((3, 4), (3, 4))],
        shapes=None,
    ),
    OpSpec(
        "kl_div",
        lambda t, x, y: _f(t, "kl_div")(x, y, reduction="batchmean"),
        [((3, 4), (3, 4))],
        shapes=None,
        domain=(0.1, 1.0),
    ),
    OpSpec(
        "kl_div_log_target",
        lambda t, x, y: _f(t, "kl_div")(x, y, reduction="sum", log_target=True),
        [((3, 4), (3, 4))],
        shapes=None,
    ),
    OpSpec(
        "soft_margin_loss",
        lambda t, x, y: _f(t, "soft_margin_loss")(x, y),
        [((3, 4), (3, 4))],
        shapes=None,
        grad=(True, False),
    ),
    OpSpec(
        "poisson_nll_loss",
        lambda t, x, y: _f(t, "poisson_nll_loss")(x, y.abs()),
        [((3, 4), (3, 4))],
        shapes=None,
    ),
    OpSpec(
        "gaussian_nll_loss",
        lambda t, x, y, v: _f(t, "gaussian_nll_loss")(x, y, v.abs() + 0.1),
        [((3, 4), (3, 4), (3, 4))],
        shapes=None,
    ),
)
