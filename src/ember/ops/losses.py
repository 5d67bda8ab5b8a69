"""Losses: the reduction helpers every loss shares; the losses of elementwise terms,
binary cross entropy (on probabilities and on logits), mean squared error, smooth L1 and
Huber (one node each, reduced in the node, as in PyTorch); and the losses PyTorch composes
from other ops (L1, KL divergence, soft margin, Poisson and Gaussian NLL).  The losses
over classes are in ``class_losses``, the margin ranking, hinge and cosine embedding
losses in ``margin_losses``.
"""

from __future__ import annotations

import math

from ..autograd.callsite import warn
from ..autograd.grad_mode import is_grad_enabled, no_grad
from ..autograd.node import Node, array_backward
from ..backend import np
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._binary import broadcast_error, needs, zeros_like
from ._spec import OpSpec
from .registry import op, public_names
from .where import where


def legacy_reduction(size_average, reduce, reduction):
    """The reduction the deprecated ``size_average``/``reduce`` flags ask for (with PyTorch's
    warning naming it), or ``reduction`` when neither flag is given."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    chosen = ("mean" if size_average else "sum") if reduce else "none"
    warn(
        f"size_average and reduce args will be deprecated, please use reduction='{chosen}' instead."
    )
    return chosen


def reduction_number(reduction):
    """PyTorch's number for a reduction name (0 'none', 1 'mean', 2 'sum'), as the
    functional losses pass it to the top-level ones."""
    if reduction == "elementwise_mean":
        warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.")
        return 1
    number = _NUMBERS.get(reduction) if isinstance(reduction, str) else None
    if number is None:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return number


_NUMBERS = {"none": 0, "mean": 1, "sum": 2}


def check_reduction(reduction):
    """PyTorch's error for an unknown ``reduction``."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def reduce_loss(loss, reduction):
    """A composed loss reduced with Ember ops (``mean``, ``sum`` or as it is)."""
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def refuse_grad(fn, arg, t):
    """PyTorch's error for an argument the loss is not differentiable in, given a tensor
    that requires grad while grad mode is on."""
    if t is not None and t._requires_grad and is_grad_enabled():
        raise RuntimeError(
            f"The function '{fn}' is not differentiable with respect to argument '{arg}'. "
            "This input cannot have requires_grad True."
        )


def F(lib, name):
    """``<lib>.nn.functional.<name>``: the same spelling in Ember and in PyTorch."""
    return getattr(lib.nn.functional, name)


class PointwiseLoss(Node):
    """Base of the one-node losses: ``loss(x, y)`` elementwise, reduced in the node.

    A subclass gives ``terms(xp, x, y, *more)`` (the elementwise loss, arrays) and
    ``grads(g, x, y, *more)`` (the gradients for each input from ``g``, the gradient of
    each term, in Ember ops so that higher orders work).  ``reduction`` and the loss's
    own parameters are keyword arguments.
    """

    def forward(self, x, y, *more, reduction, **params):
        self.reduction, self.params = reduction, params
        self.save_for_backward(x, y, *more)
        loss = self.terms(self.xp, x, y, *more, **params)
        self.size = loss.size
        if reduction == "none":
            return loss
        total = loss.sum()
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):  # empty: 0/0 is NaN
                total = total / loss.size
        return self.xp.asarray(total, dtype=loss.dtype)

    def backward(self, grad):
        g = grad / self.size if self.reduction == "mean" else grad
        return self.grads(g, *self.saved_tensors, **self.params)

    def of_difference(self, gd):
        """The gradients of a loss of ``x - y`` whose gradient in ``x`` is ``gd``: ``gd`` for
        ``x``, ``-gd`` for ``y`` (None where not needed)."""
        return (gd if needs(self, 0) else None), (-gd if needs(self, 1) else None)


def _reduced_elementwise(apply, cls, args, flags, shapes, kw, B):
    """vmap's rule for a ``PointwiseLoss``: elementwise unreduced, then reduced per example."""
    out = batching.elementwise(apply, cls, args, flags, shapes, {**kw, "reduction": "none"}, B)
    reduction = kw["reduction"]
    if reduction == "none" or out.dim() == 1:
        return out
    dims = tuple(range(1, out.dim()))
    return out.sum(dims) if reduction == "sum" else out.mean(dims)


def _spec(name, fname, samples, grad=None, domain=(-2.0, 2.0), **kw):
    return OpSpec(name, lambda t, *xs: F(t, fname)(*xs, **kw), samples, shapes=None,
                  grad=grad, domain=domain)  # fmt: skip


_PAIR = [((3, 4), (3, 4))]


def _warn_broadcast(input, target):
    """PyTorch's warning for a target of another shape, and its error when the two do not
    broadcast."""
    if tuple(target.shape) != tuple(input.shape):
        warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size."
        )
        err = broadcast_error(input, target)
        if err is not None:
            raise err


def _weighted(loss, weight, reduction):
    """A loss weighted elementwise and reduced as PyTorch does: 'mean' divides by the
    total weight."""
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.expand(loss.shape).sum()
    return reduce_loss(loss, reduction)


def _check_weight(input, weight):
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")


# ----- binary cross entropy -------------------------------------------------------------------
class BinaryCrossEntropy(PointwiseLoss):
    """l = -w (y log x + (1-y) log(1-x)), logs clamped at -100:
    dx = w (x - y) / max(x(1-x), 1e-12), dy = w (log(1-x) - log x)"""

    def terms(self, xp, x, y, w):
        with np.errstate(divide="ignore", invalid="ignore"):
            lx = xp.maximum(xp.log(x), -100)
            l1x = xp.maximum(xp.log1p(-x), -100)
        loss = -(y * lx + (1 - y) * l1x)
        return loss if w is None else loss * w

    def grads(self, g, x, y, w):
        if w is not None:
            g = g * w
        gx = gy = None
        if needs(self, 0):
            den = x * (1 - x)
            gx = g * (x - y) / where(den < 1e-12, 1e-12, den)
        if needs(self, 1):
            lx, l1x = x.log(), (1 - x).log()
            gy = g * (where(l1x < -100, -100.0, l1x) - where(lx < -100, -100.0, lx))
        return gx, gy, None


@op(
    BinaryCrossEntropy,
    public=False,
    vmap=_reduced_elementwise,
    spec=(
        _spec("binary_cross_entropy", "binary_cross_entropy", _PAIR, domain=(0.05, 0.95)),
        _spec(
            "binary_cross_entropy_weight_none",
            "binary_cross_entropy",
            [((3, 4), (3, 4), (4,))],
            grad=(True, True, False),
            domain=(0.05, 0.95),
            reduction="none",
        ),
    ),
)
def binary_cross_entropy(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean"
):
    """Binary cross entropy of probabilities ``input``; each log is clamped at -100."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    refuse_grad("binary_cross_entropy", "weight", weight)
    d = input._data
    if d.size and ((d < 0) | (d > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    target = target.to(input.dtype)
    return BinaryCrossEntropy.apply(input, target, weight, reduction=reduction)


class BinaryCrossEntropyWithLogits(PointwiseLoss):
    """l = w ((1-y) x + (1+(pw-1) y) softplus(-x)): dx = w (sigmoid(x)(pw y + 1 - y) - pw y)"""

    def terms(self, xp, x, y, w, pw):
        sp = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)
        loss = (1 - y) * x + (sp if pw is None else (1 + (pw - 1) * y) * sp)
        return loss if w is None else loss * w

    def grads(self, g, x, y, w, pw):
        if w is not None:
            g = g * w
        s = x.sigmoid()
        gx = gy = None
        if pw is None:
            if needs(self, 0):
                gx = g * (s - y)
            if needs(self, 1):
                gy = -g * x
            return gx, gy, None, None
        if needs(self, 0):
            gx = g * (s * (pw * y + 1 - y) - pw * y)
        if needs(self, 1):
            gy = g * (-x + (pw - 1) * ((-x.abs()).exp().log1p() + (-x).relu()))
        return gx, gy, None, None


@op(
    BinaryCrossEntropyWithLogits,
    vmap=_reduced_elementwise,
    spec=(
        OpSpec(
            "bce_with_logits",
            lambda t, x, y, w: F(t, "binary_cross_entropy_with_logits")(
                x, y.sigmoid(), pos_weight=w.abs()
            ),
            [((3, 4), (3, 4), (4,))],
            shapes=None,
            grad=(True, True, False),
        ),
        OpSpec(
            "bce_with_logits_plain",
            lambda t, x, y: F(t, "binary_cross_entropy_with_logits")(
                x, y.sigmoid(), reduction="sum"
            ),
            _PAIR,
            shapes=None,
        ),
        OpSpec(
            "bce_with_logits_weight_none",
            lambda t, x, y, w: F(t, "binary_cross_entropy_with_logits")(
                x, y.sigmoid(), weight=w, reduction="none"
            ),
            [((3, 4), (3, 4), (3, 1))],
            shapes=None,
            grad=(True, True, False),
        ),
    ),
)
def binary_cross_entropy_with_logits(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None
):
    """Sigmoid + binary cross entropy in one stable step; ``pos_weight`` weights positives."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    refuse_grad("binary_cross_entropy_with_logits", "weight", weight)
    refuse_grad("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    target = target.to(input.dtype)
    return BinaryCrossEntropyWithLogits.apply(
        input, target, weight, pos_weight, reduction=reduction
    )


# ----- regression losses -----------------------------------------------------------------
class MseLoss(PointwiseLoss):
    """l = (x - y)^2: dx = 2 (x - y), dy = -2 (x - y)"""

    def terms(self, xp, x, y):
        d = x - y
        return d * d

    def grads(self, g, x, y):
        return self.of_difference(2 * g * (x - y))

    def backward(self, grad):
        if not array_backward(grad):
            return super().backward(grad)
        # What ``grads`` computes, on arrays (the same products, one temporary).
        x, y = self.saved_arrays()
        g = grad._data / self.size if self.reduction == "mean" else grad._data
        d = self.xp.asarray(x - y)  # 0-d operands give a NumPy scalar
        d *= 2 * g
        return (Tensor._make(d) if needs(self, 0) else None), (
            Tensor._make(-d) if needs(self, 1) else None
        )


@op(
    MseLoss,
    public=False,
    vmap=_reduced_elementwise,
    spec=(
        _spec("mse_loss", "mse_loss", _PAIR),
        _spec("mse_loss_none", "mse_loss", [((3, 4), (3, 4)), ((0, 2), (0, 2))], reduction="none"),
        _spec("mse_loss_sum", "mse_loss", [((3, 4), (3, 4)), ((), ())], reduction="sum"),
    ),
)
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error (weighted: 'mean' divides by the total weight)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    _warn_broadcast(input, target)
    if weight is None:
        return MseLoss.apply(input, target, reduction=reduction)
    _check_weight(input, weight)
    return _weighted((input - target) ** 2, weight, reduction)


@op(
    None,
    public=False,
    spec=(
        _spec("l1_loss", "l1_loss", _PAIR, reduction="sum"),
        OpSpec(
            "l1_loss_weight",
            lambda t, x, y, w: F(t, "l1_loss")(x, y, weight=w.abs()),
            [((3, 4), (3, 4), (3, 4))],
            shapes=None,
            grad=(True, True, False),
        ),
    ),
)
def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error (weighted: 'mean' divides by the total weight)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    _warn_broadcast(input, target)
    loss = (input - target).abs()
    if weight is None:
        return reduce_loss(loss, reduction)
    _check_weight(input, weight)
    return _weighted(loss, weight, reduction)


class SmoothL1Loss(PointwiseLoss):
    """l = 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta: dx = d / beta or sign(d)"""

    def terms(self, xp, x, y, beta):
        d = x - y
        ad = xp.abs(d)
        return xp.where(ad < beta, d * d * (0.5 / beta), ad - 0.5 * beta)

    def grads(self, g, x, y, beta):
        d = x - y
        return self.of_difference(g * where(d.abs() < beta, d / beta, d.sign()))


@op(
    SmoothL1Loss,
    public=False,
    vmap=_reduced_elementwise,
    spec=(
        _spec("smooth_l1_loss", "smooth_l1_loss", _PAIR, beta=0.5),
        _spec("smooth_l1_loss_none", "smooth_l1_loss", _PAIR, reduction="none"),
    ),
)
def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    _warn_broadcast(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:  # PyTorch: the L1 loss, composed
        return reduce_loss((input - target).abs(), reduction)
    return SmoothL1Loss.apply(input, target, reduction=reduction, beta=float(beta))


class HuberLoss(PointwiseLoss):
    """l = 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta): dx = d or delta sign(d)"""

    def terms(self, xp, x, y, delta):
        d = x - y
        ad = xp.abs(d)
        return xp.where(ad < delta, d * d * 0.5, (ad - 0.5 * delta) * delta)

    def grads(self, g, x, y, delta):
        d = x - y
        return self.of_difference(g * where(d.abs() < delta, d, d.sign() * delta))


@op(
    HuberLoss,
    public=False,
    vmap=_reduced_elementwise,
    spec=(
        _spec("huber_loss", "huber_loss", _PAIR, delta=0.7, reduction="none"),
        _spec("huber_loss_mean", "huber_loss", _PAIR, delta=1.5),
    ),
)
def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta)."""
    check_reduction(reduction)
    _warn_broadcast(input, target)
    if weight is None:
        return HuberLoss.apply(input, target, reduction=reduction, delta=float(delta))
    _check_weight(input, weight)
    return reduce_loss(HuberLoss.apply(input, target, reduction="none", delta=delta) * weight,
                       reduction)  # fmt: skip


# ----- losses PyTorch composes -----------------------------------------------------------
@op(
    None,
    spec=(
        _spec("kl_div", "kl_div", _PAIR, domain=(0.1, 1.0), reduction="batchmean"),
        _spec("kl_div_log_target", "kl_div", _PAIR, reduction="sum", log_target=True),
    ),
)
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence with ``input`` as log-probabilities: target (log target - input).

    'batchmean' sums and divides by the batch size, even when legacy flags chose the
    reduction (as in PyTorch).
    """
    if size_average is not None or reduce is not None:
        chosen = legacy_reduction(size_average, reduce, reduction)
    else:
        if reduction == "mean":
            warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support "
                "size.'batchmean' divides only by the batch size, and aligns with the KL div "
                "math definition.'mean' will be changed to behave the same as 'batchmean' in "
                "the next major release."
            )
        if reduction == "batchmean":
            chosen = "sum"
        else:
            chosen = ("none", "mean", "sum")[reduction_number(reduction)]
    if log_target:
        loss = target.exp() * (target - input)
    else:
        pos = target > 0
        safe = where(pos, target, 1.0)
        loss = where(pos, target * safe.log(), 0.0) - target * input
    loss = reduce_loss(loss, chosen)
    if reduction == "batchmean" and input.dim():
        loss = loss / input.shape[0]
    return loss


@op(
    None,
    public=False,
    spec=_spec("soft_margin_loss", "soft_margin_loss", _PAIR, grad=(True, False)),
)
def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-y x)), averaged."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    z = -target * input
    loss = (-z.abs()).exp().log1p() + z.relu()
    return reduce_loss(loss, reduction)


@op(
    None,
    spec=OpSpec(
        "poisson_nll_loss",
        lambda t, x, y: F(t, "poisson_nll_loss")(x, y.abs()),
        _PAIR,
        shapes=None,
    ),
)
def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):  # fmt: skip
    """Poisson negative log-likelihood (Stirling term with ``full``)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        safe = where(target > 1, target, 1.0)
        stirling = safe * safe.log() - safe + (safe * (2 * math.pi)).log() * 0.5
        loss = loss + where(target > 1, stirling, 0.0)
    return reduce_loss(loss, reduction)


@op(
    None,
    public=False,
    spec=(
        OpSpec(
            "gaussian_nll_loss",
            lambda t, x, y, v: F(t, "gaussian_nll_loss")(x, y, v.abs() + 0.1),
            [((3, 4), (3, 4), (3, 4))],
            shapes=None,
        ),
        OpSpec(
            "gaussian_nll_loss_shared_var",
            lambda t, x, y, v: F(t, "gaussian_nll_loss")(
                x, y, v.abs() + 0.3, full=True, eps=0.2, reduction="sum"
            ),
            [((3, 4), (3, 4), (3,)), ((2, 3, 4), (2, 3, 4), (2, 1, 4))],
            shapes=None,
        ),  # fmt: skip
    ),
)
def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian negative log-likelihood 0.5 (log var + (x - y)^2 / var) with predicted ``var``
    (one per element, or shared along a dimension); ``var`` is floored at ``eps`` without
    stopping its gradient, as in PyTorch."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * zeros_like(input).add_(1)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (
            input.dim() == var.dim()
            and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1
        ):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)  # a floor the gradient does not see
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(loss, reduction)


__all__ = public_names(__name__)
