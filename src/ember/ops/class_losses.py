"""Losses over classes: ``cross_entropy`` and ``nll_loss``.

Both losses work on (M, C) rows and a (M, C) coefficient matrix ``A`` that encodes the
targets (class indices with ``weight``, ``ignore_index`` and ``label_smoothing``, or
class probabilities): ``nll_loss_i = -sum_c A_ic x_ic`` and, fused with a stable
log-softmax, ``cross_entropy_i = -sum_c A_ic log_softmax(x)_ic``.  Each is one node that
also reduces (``'mean'``, ``'sum'``), as PyTorch's kernels do, so its ``grad_fn`` is
PyTorch's (``NllLossBackward0``).
"""

from __future__ import annotations

from ..autograd.dispatch import active_modes
from ..autograd.node import Node, array_backward
from ..backend import np
from ..dtypes import scalar_type_name
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._spec import OpSpec
from .losses import F, check_reduction, legacy_reduction, needs, refuse_grad
from .registry import LOOP, declare, op, public_names


# ----- the rows both class losses share --------------------------------------------------
class RowLoss(Node):
    """Base of the class losses: a loss per row of (M, C) inputs, reduced in the node.

    ``forward(x, a, denom, reduction, out_shape)``: ``denom`` divides the sum for
    ``'mean'``; ``out_shape`` is the shape of the ``'none'`` result.
    """

    def _reduced(self, loss, denom, reduction, out_shape):
        self.reduction, self.rows, self.denom = reduction, loss.shape[0], denom
        if reduction == "none":
            return loss if out_shape is None else loss.reshape(out_shape)
        total = loss.sum()
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 is NaN, as in PyTorch
                total = total / denom
        return self.xp.asarray(total, dtype=loss.dtype)

    def _row_grad(self, grad):
        """The gradient of each row's loss, (M,), from the output gradient (Ember ops)."""
        if self.reduction == "none":
            return grad.reshape(self.rows)
        g = grad if self.reduction == "sum" else grad / float(self.denom)
        return g.expand(self.rows)


def _rows_batched(apply, cls, args, flags, shapes, kw, B):
    """vmap's rule for a ``RowLoss``: the batch's rows are more rows, reduced per example."""
    x, a, denom, reduction, out_shape = args

    def unreduced(c, x, a):
        return apply(c, x, a, None, "none", None)

    loss = batching.rows(unreduced, cls, (x, a), flags[:2], shapes[:2], {}, B)
    if reduction == "none":
        return loss.reshape((B,) + tuple(out_shape))
    total = loss.sum(1)
    return total if reduction == "sum" else total / denom


def _kind(x, reduction):
    """Which of PyTorch's three nodes ends a class loss of input ``x``: 0 the loss over rows
    (``NllLossBackward0``), 1 over images (``NllLoss2DBackward0``), 2 a view of the
    unreduced loss of another rank (``ViewBackward0``)."""
    if x.dim() <= 2:
        return 0
    return 2 if reduction == "none" and x.dim() != 4 else 1


def to_rows(x):
    """(N, C, d1, ...) -> (N*d1*..., C); (C,) -> (1, C)."""
    if x.dim() == 1:
        return x.unsqueeze(0)
    if x.dim() == 2:
        return x
    perm = (0,) + tuple(range(2, x.dim())) + (1,)
    return x.permute(perm).reshape(-1, x.shape[1])


def _none_shape(x):
    """The shape of an unreduced class loss of input ``x``: the batch without classes."""
    if x.dim() <= 2:
        return tuple(x.shape[:1]) if x.dim() == 2 else ()
    return (x.shape[0],) + tuple(x.shape[2:])


# ----- class-index targets ----------------------------------------------------------------
#: The dtypes PyTorch takes class indices in (Long, Byte).
_INDEX_DTYPES = (np.dtype("int64"), np.dtype("uint8"))


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
        if valid.all():  # the common case: no row ignored
            tv, rows = t, xp.arange(t.shape[0])
        else:
            tv, rows = t[valid], xp.nonzero(valid)[0]
        if tv.size and (tv.min() < 0 or tv.max() >= n_classes):
            bad = tv[(tv < 0) | (tv >= n_classes)][0]
            raise IndexError(f"Target {bad} is out of bounds.")
        a = xp.zeros((t.shape[0], n_classes), dtype)
        if weight is None:  # every class weighs 1: the same values without a weight vector
            a[rows, tv] = 1 - smoothing
            if smoothing:
                a[rows] += smoothing / n_classes
            return a, valid.astype(dtype)
        w = weight.astype(dtype, copy=False)
        a[rows, tv] = w[tv] * (1 - smoothing)
        if smoothing:
            a[rows] += w * (smoothing / n_classes)
        row_w = xp.zeros(t.shape[0], dtype)
        row_w[rows] = w[tv]
        return a, row_w

    def differentiable_outputs(self, n):
        return (False, False)


def _index_matrix(x, target, weight, ignore_index, smoothing):
    """The coefficient matrix for class-index targets and the 'mean' denominator."""
    n_classes = x.shape[1] if x.dim() > 1 else x.shape[0]
    t = target._data
    if t.dtype not in _INDEX_DTYPES:
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {scalar_type_name(t.dtype)}"
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


def _labels(rng, shapes):
    (n, c) = shapes[0][:2]
    rest = shapes[0][2:]
    t = rng.integers(0, c, size=(n,) + tuple(rest))
    t.reshape(-1)[0] = -100
    return (t,)


declare(
    ClassTargets,
    None,
    vmap=batching.class_targets,
    spec=OpSpec(
        "nll_loss_weight_ignore_none",
        lambda t, x, w, y: F(t, "nll_loss")(x, y, weight=w.detach(), reduction="none"),
        [((5, 3), (3,)), ((2, 3, 2), (3,))],
        shapes=None,
        extra=_labels,
        grad=(True, False),
        domain=(0.5, 2.0),
    ),
)


# ----- cross entropy ---------------------------------------------------------------------
class CrossEntropy(RowLoss):
    """loss_i = -sum_c A_ic logp_ic: dx = g (softmax(x) sum_c A_ic - A), dA = -g logp"""

    def forward(self, x, a, denom, reduction, out_shape):
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
        return self._reduced(-prod.sum(axis=1), denom, reduction, out_shape)

    def backward(self, grad):
        if array_backward(grad):
            x, a = self.saved_arrays()
            xp = self.xp
            z = x - self.shift
            e = xp.exp(z)
            s = e.sum(1, keepdims=True)
            g = grad._data.reshape(-1, 1)  # (M, 1) unreduced, (1, 1) reduced
            if self.reduction == "mean":
                with np.errstate(invalid="ignore", divide="ignore"):
                    g = g / self.xp.asarray(self.denom, dtype=g.dtype)
            gx = g * (e / s * a.sum(1, keepdims=True) - a) if needs(self, 0) else None
            ga = -g * (z - xp.log(s)) if needs(self, 1) else None
            return (
                None if gx is None else Tensor._make(gx),
                None if ga is None else Tensor._make(ga),
                None,
                None,
                None,
            )
        x, a = self.saved_tensors
        z = x - Tensor._make(self.shift)
        e = z.exp()
        s = e.sum(1, keepdim=True)
        g = self._row_grad(grad).unsqueeze(1)
        gx = g * (e / s * a.sum(1, keepdim=True) - a) if needs(self, 0) else None
        ga = -g * (z - s.log()) if needs(self, 1) else None
        return gx, ga, None, None, None


class CrossEntropy2d(CrossEntropy):
    """Cross entropy of class indices over images (inputs of rank 3 or more)"""


class CrossEntropyView(CrossEntropy):
    """Unreduced cross entropy of class indices over inputs of rank 3, 5, ... (PyTorch:
    the loss over images, viewed)"""


# PyTorch composes the other forms of cross entropy from log_softmax and other ops; the
# fused node takes the name of the last of them.
class CrossEntropySmoothed(CrossEntropy):
    """Cross entropy of class indices with label smoothing (PyTorch: a sum of two losses)"""


class CrossEntropyProbs(CrossEntropy):
    """Cross entropy of class probabilities, summed or not (PyTorch: a negated sum)"""


class CrossEntropyProbsMean(CrossEntropy):
    """Cross entropy of class probabilities, averaged (PyTorch: a division)"""


class CrossEntropyIndices(RowLoss):
    """Cross entropy of a (M, C) float input and M class indices, no weight, no smoothing,
    none ignored: ``CrossEntropy``'s values with the one-hot matrix left implicit.

    loss_i = -(z_i,t_i - lse_i) (z = x - row max): dx = g (softmax(x) - onehot(t))
    """

    def forward(self, x, t, reduction):
        shift = x.max(axis=1, keepdims=True)
        self.special = not self.xp.isfinite(shift).all()
        if not self.special:  # then nothing below can warn
            return self._forward(x, t, shift, reduction)
        # a row with inf or nan: inf - inf, log(0), silently as in PyTorch
        with np.errstate(all="ignore"):
            return self._forward(x, t, self.xp.where(self.xp.isfinite(shift), shift, 0), reduction)

    def _forward(self, x, t, shift, reduction):
        xp = self.xp
        z = x - shift
        e = xp.exp(z)
        s = e.sum(axis=1, keepdims=True)
        # the row's sum of the one-hot products is logp_t = z_t - lse exactly; negated
        # after the subtraction, as there, so that a zero loss is -0.0
        loss = z[xp.arange(x.shape[0]), t]
        loss -= xp.log(s[:, 0])
        xp.negative(loss, out=loss)
        self.save_for_backward(x, e, s, t)
        self.shift = shift
        self.reduction, self.rows, self.denom = reduction, x.shape[0], x.shape[0]
        if reduction == "none":
            return loss
        total = loss.sum()
        if reduction == "mean":
            total = total / x.dtype.type(x.shape[0])  # at least one row: no 0/0
        return xp.asarray(total, dtype=x.dtype)

    def backward(self, grad):
        if not self.special:
            return self._backward(grad)
        with np.errstate(all="ignore"):
            return self._backward(grad)

    def _backward(self, grad):
        if array_backward(grad):
            _, e, s, t = self.saved_arrays()
            g = grad._data.reshape(-1, 1)  # (M, 1) unreduced, (1, 1) reduced
            if self.reduction == "mean":
                g = g / g.dtype.type(self.denom)
            gx = e / s
            gx[self.xp.arange(gx.shape[0]), t] -= 1
            gx *= g
            return Tensor._make(gx), None, None
        x, _, _, t = self.saved_tensors
        z = x - Tensor._make(self.shift)
        e = z.exp()
        onehot = Tensor._make(_one_hot(self.xp, t._data, x.shape[1], x._data.dtype))
        gx = self._row_grad(grad).unsqueeze(1) * (e / e.sum(1, keepdim=True) - onehot)
        return gx, None, None


def _one_hot(xp, t, n_classes, dtype):
    a = xp.zeros((t.shape[0], n_classes), dtype)
    a[xp.arange(t.shape[0]), t] = 1
    return a


def _in_range(rng, shapes):
    (n, c) = shapes[0]
    return (rng.integers(0, c, size=n),)


def _plain_indices(x, target, weight, ignore_index, label_smoothing):
    """Whether ``cross_entropy`` can take ``CrossEntropyIndices``: NumPy float32/float64
    (M, C) logits, M in-range int64/uint8 class indices, no weight, no smoothing, no index
    that could be ``ignore_index``, and no transform (vmap) watching."""
    d, t = x._data, target._data
    if (
        weight is not None
        or label_smoothing
        or active_modes
        or d.ndim != 2
        or t.ndim != 1
        or type(d) is not np.ndarray
        or type(t) is not np.ndarray
        or d.dtype.kind != "f"
        or d.dtype.itemsize < 4
        or t.dtype not in _INDEX_DTYPES
    ):
        return False
    m, c = d.shape
    if not (m and c and t.shape[0] == m) or 0 <= ignore_index < c:
        return False
    return bool(t.min() >= 0 and t.max() < c)


def _ce_spec(name, samples, extra=_labels, **kw):
    return OpSpec(name, lambda t, x, *ys: F(t, "cross_entropy")(x, *ys, **kw), samples,
                  shapes=None, extra=extra)  # fmt: skip


declare(
    CrossEntropyIndices,
    None,
    grad_fn="NllLossBackward0",
    vmap=LOOP,  # never runs under vmap: ``cross_entropy`` takes the general node there
    spec=(
        _ce_spec("cross_entropy_indices", [((5, 3),), ((1, 4),)], extra=_in_range),
        _ce_spec("cross_entropy_indices_sum", [((5, 3),)], extra=_in_range, reduction="sum"),
        _ce_spec("cross_entropy_indices_none", [((5, 3),)], extra=_in_range, reduction="none"),
    ),
)


@op(
    CrossEntropy,
    public=False,
    grad_fn="NllLossBackward0",
    vmap=_rows_batched,
    spec=(
        _ce_spec("cross_entropy", [((4, 3),)]),
        _ce_spec("cross_entropy_none", [((4, 3),)], reduction="none"),
        _ce_spec("cross_entropy_sum", [((4, 3),)], reduction="sum"),
    ),
)
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):  # fmt: skip
    """Cross entropy between logits and class indices or class probabilities.

    One fused, stable log-softmax + negative log-likelihood, reduced in the same node.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    x = input
    rows = to_rows(x)
    if target._data.dtype.kind == "f" and tuple(target.shape) == tuple(x.shape):
        n_classes = rows.shape[1]
        y = to_rows(target)
        if label_smoothing:
            y = y * (1 - label_smoothing) + label_smoothing / n_classes
        if weight is not None:
            y = y * weight
        y = y.to(rows.dtype) if y.dtype != rows.dtype else y
        node = CrossEntropyProbsMean if reduction == "mean" else CrossEntropyProbs
        denom = rows.shape[0] if x.dim() > 1 else 1
        return node.apply(rows, y, denom, reduction, _none_shape(x))
    if target._data.dtype not in _INDEX_DTYPES:
        raise RuntimeError(
            "expected target dtype to be Long or Byte, but got "
            f"{scalar_type_name(target._data.dtype)}"
        )
    refuse_grad("nll_loss_forward", "weight", weight)
    if _plain_indices(x, target, weight, ignore_index, label_smoothing):
        return CrossEntropyIndices.apply(x, target, reduction)
    a, denom = _index_matrix(x, target, weight, ignore_index, label_smoothing)
    node = CrossEntropySmoothed if label_smoothing else _CE_NODES[_kind(x, reduction)]
    return node.apply(rows, a, denom, reduction, _none_shape(x))


declare(
    CrossEntropy2d,
    None,
    grad_fn="NllLoss2DBackward0",
    vmap=_rows_batched,
    spec=(
        _ce_spec("cross_entropy_2d", [((2, 3, 2, 2),), ((2, 3, 4),)]),
        _ce_spec("cross_entropy_2d_none", [((2, 3, 2, 2),)], reduction="none"),
    ),
)
declare(
    CrossEntropyView,
    None,
    grad_fn="ViewBackward0",
    vmap=_rows_batched,
    spec=_ce_spec("cross_entropy_view", [((2, 3, 4),), ((1, 3, 2, 1, 2),)], reduction="none"),
)
_CE_NODES = (CrossEntropy, CrossEntropy2d, CrossEntropyView)
declare(
    CrossEntropySmoothed,
    None,
    grad_fn="AddBackward0",
    vmap=_rows_batched,
    spec=(
        _ce_spec("cross_entropy_sum_smooth", [((4, 3),)], reduction="sum", label_smoothing=0.2),
        OpSpec(
            "cross_entropy_weight_smooth",
            lambda t, x, w, y: F(t, "cross_entropy")(x, y, weight=w.detach(), label_smoothing=0.1),
            [((5, 3), (3,))],
            shapes=None,
            extra=_labels,
            grad=(True, False),
            domain=(0.5, 2.0),
        ),
    ),
)
declare(
    CrossEntropyProbs,
    None,
    grad_fn="NegBackward0",
    vmap=_rows_batched,
    spec=OpSpec(
        "cross_entropy_probs_sum",
        lambda t, x, p: F(t, "cross_entropy")(x, p.softmax(1), reduction="sum"),
        [((4, 3), (4, 3)), ((2, 3, 2), (2, 3, 2))],
        shapes=None,
    ),
)
declare(
    CrossEntropyProbsMean,
    None,
    grad_fn="DivBackward1",
    vmap=_rows_batched,
    spec=OpSpec(
        "cross_entropy_probs",
        lambda t, x, p: F(t, "cross_entropy")(x, p.softmax(1), label_smoothing=0.1),
        [((4, 3), (4, 3))],
        shapes=None,
    ),
)


# ----- negative log-likelihood ------------------------------------------------------------
class NllLoss(RowLoss):
    """loss_i = -sum_c A_ic x_ic: dx = -g A (linear in x)"""

    def forward(self, x, a, denom, reduction, out_shape):
        self.save_for_backward(a if needs(self, 0) else None)
        return self._reduced(-(a * x).sum(axis=1), denom, reduction, out_shape)

    def backward(self, grad):
        (a,) = self.saved_tensors
        if not needs(self, 0):
            return None, None, None, None, None
        return -self._row_grad(grad).unsqueeze(1) * a, None, None, None, None


class NllLoss2d(NllLoss):
    """The negative log-likelihood over images (inputs of rank 3 or more)"""


class NllLossView(NllLoss):
    """The unreduced negative log-likelihood over inputs of rank 3, 5, ... (PyTorch: the
    loss over images, viewed)"""


def _nll_spec(name, samples, **kw):
    return OpSpec(
        name,
        lambda t, x, w, y: F(t, "nll_loss")(x, y, weight=w.detach(), **kw),
        samples,
        shapes=None,
        extra=_labels,
        grad=(True, False),
        domain=(0.5, 2.0),
    )


@op(
    NllLoss,
    public=False,
    vmap=_rows_batched,
    spec=_nll_spec("nll_loss", [((5, 3), (3,))]),
)
def nll_loss(
    input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"
):
    """Negative log-likelihood of class indices under log-probabilities ``input``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    refuse_grad("nll_loss_forward", "weight", weight)
    a, denom = _index_matrix(input, target, weight, ignore_index, 0.0)
    return _NLL_NODES[_kind(input, reduction)].apply(
        to_rows(input), a, denom, reduction, _none_shape(input)
    )


declare(
    NllLoss2d,
    None,
    grad_fn="NllLoss2DBackward0",
    vmap=_rows_batched,
    spec=_nll_spec("nll_loss_2d", [((2, 3, 2, 2), (3,)), ((2, 3, 2), (3,))], reduction="sum"),
)
declare(NllLossView, None, grad_fn="ViewBackward0", vmap=_rows_batched,
        spec=_nll_spec("nll_loss_view", [((2, 3, 2), (3,))], reduction="none"))  # fmt: skip
_NLL_NODES = (NllLoss, NllLoss2d, NllLossView)

__all__ = public_names(__name__)
