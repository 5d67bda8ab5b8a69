"""Connectionist temporal classification loss: one node (``CtcLossBackward0``), the
negative log-likelihood of each target under every alignment of it to the input frames.

The forward runs the alpha recursion in log space over the frames, all samples and label
positions at once; the backward runs the beta recursion and returns PyTorch's gradient,
``exp(log_probs) - exp(log(sum alpha beta) + nll - log_probs)`` on each sample's frames:
the derivative of the loss plus ``exp(log_probs)``, which vanishes when ``log_probs`` comes
from ``log_softmax`` (as it should). Like PyTorch's, the gradient is not differentiable.
"""

from __future__ import annotations

from ..autograd.node import Node
from ..backend import np
from ..dtypes import scalar_type_name
from ..tensor_base import TensorBase as Tensor
from ._spec import OpSpec
from .losses import F
from .registry import LOOP, op

_CHECK = "(while checking arguments for ctc_loss_allocate_outputs)"


def _logaddexp(xp, *terms):
    out = terms[0]
    for t in terms[1:]:
        out = xp.logaddexp(out, t)
    return out


def _shift(xp, a, k, fill):
    """``a`` moved ``k`` places along its last axis (toward higher ``k > 0``), ``fill`` in."""
    out = xp.full_like(a, fill)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


class CtcLoss(Node):
    """nll = -log sum over alignments; d/dlp = exp(lp) - exp(lse(alpha beta) + nll - lp)"""

    def forward(self, lp, labels, in_lens, tgt_lens, blank, zero_infinity):
        xp = self.xp
        steps, batch, _ = lp.shape
        width = labels.shape[1]
        neg = xp.asarray(-np.inf, dtype=lp.dtype)
        # Emission of each extended label (blank-interleaved) per frame: (T, N, 2S+1).
        emit = xp.take_along_axis(lp, xp.broadcast_to(labels[None], (steps, batch, width)), 2)
        valid = xp.arange(width)[None, :] < (2 * tgt_lens[:, None] + 1)
        # A skip over a blank is allowed between two different labels.
        skip = xp.zeros((batch, width), dtype=bool)
        skip[:, 2:] = (labels[:, 2:] != blank) & (labels[:, 2:] != labels[:, :-2])
        alpha = xp.full((steps, batch, width), neg, dtype=lp.dtype)
        if steps:
            alpha[0, :, :2] = emit[0, :, :2]
            alpha[0] = xp.where(valid & (xp.arange(width) < 2), alpha[0], neg)
        for t in range(1, steps):
            prev = alpha[t - 1]
            acc = _logaddexp(
                xp, prev, _shift(xp, prev, 1, neg), xp.where(skip, _shift(xp, prev, 2, neg), neg)
            )
            alpha[t] = xp.where(valid, acc + emit[t], neg)
        rows = xp.arange(batch)
        last = xp.maximum(in_lens - 1, 0)
        end = alpha[last, rows, 2 * tgt_lens]
        end_prev = xp.where(tgt_lens > 0, alpha[last, rows, xp.maximum(2 * tgt_lens - 1, 0)], neg)
        nll = -xp.logaddexp(end, end_prev)
        nll = xp.where(in_lens > 0, nll, xp.where(tgt_lens > 0, np.inf, 0.0)).astype(lp.dtype)
        self.saved = (lp, labels, in_lens, tgt_lens, emit, skip, valid, alpha, nll)
        self.zero_infinity = zero_infinity
        return nll

    def _beta(self):
        xp = self.xp
        lp, labels, in_lens, tgt_lens, emit, skip, valid, alpha, nll = self.saved
        steps, batch, width = emit.shape
        neg = xp.asarray(-np.inf, dtype=lp.dtype)
        beta = xp.full((steps, batch, width), neg, dtype=lp.dtype)
        pos = xp.arange(width)[None, :]
        ends = (pos == 2 * tgt_lens[:, None]) | (pos == 2 * tgt_lens[:, None] - 1)
        # Skips seen from the left label of the pair: allowed when the label two ahead may skip.
        skip_ahead = _shift(xp, skip, -2, False)
        nxt = xp.full((batch, width), neg, dtype=lp.dtype)
        for t in range(steps - 1, -1, -1):
            acc = _logaddexp(
                xp,
                nxt,
                _shift(xp, nxt, -1, neg),
                xp.where(skip_ahead, _shift(xp, nxt, -2, neg), neg),
            )
            cur = xp.where(valid, acc + emit[t], neg)
            start = (in_lens - 1 == t)[:, None] & ends
            cur = xp.where(start, emit[t], cur)
            beta[t] = cur
            nxt = cur
        return beta

    def backward(self, grad):
        xp = self.xp
        lp, labels, in_lens, tgt_lens, emit, skip, valid, alpha, nll = self.saved
        steps, batch, classes = lp.shape
        both = alpha + self._beta()
        top = both.max(axis=2, keepdims=True)
        top = xp.where(xp.isfinite(top), top, 0)
        onehot = (labels[:, :, None] == xp.arange(classes)[None, None, :]).astype(lp.dtype)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            mass = xp.einsum("tns,nsc->tnc", xp.exp(both - top), onehot)
            occupancy = xp.exp(xp.log(mass) + top + nll[None, :, None] - lp)
            g = xp.exp(lp) - occupancy
        frames = xp.arange(steps)[:, None] < in_lens[None, :]
        g = xp.where(frames[:, :, None], g, 0)
        if self.zero_infinity:
            g = xp.where(xp.isinf(nll)[None, :, None], 0, g)
        g = g * grad._data.reshape(1, batch, 1)
        return Tensor._make(g.astype(lp.dtype)), None, None, None, None, None


def _lengths(values, name, batch):
    """Per-sample lengths (tensor or sequence of ints) as an int64 array of size ``batch``."""
    if isinstance(values, Tensor):
        if values._data.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
        arr = np.asarray(values.detach().cpu()._data).reshape(-1)
    else:
        arr = np.asarray([int(v) for v in values], dtype=np.int64)
    if arr.shape[0] != batch:
        raise RuntimeError(f"{name} must be of size batch_size")
    return arr.astype(np.int64)


def _extended_labels(targets, tgt_lens, batch, blank):
    """(N, 2*S+1) labels with blanks between and around each sample's target."""
    tg = np.asarray(targets.detach().cpu()._data).astype(np.int64)
    longest = int(tgt_lens.max()) if batch else 0
    padded = np.zeros((batch, longest), dtype=np.int64)
    if tg.ndim == 2 and batch:
        if longest > tg.shape[1]:
            raise RuntimeError(
                f"Expected tensor to have size at least {longest} at dimension 1, but got size "
                f"{tg.shape[1]} for argument #2 'targets' {_CHECK}"
            )
        padded = tg[:, :longest].copy()
    else:
        tg = tg.reshape(-1)
        if int(tgt_lens.sum()) != tg.shape[0]:
            raise RuntimeError(
                f"Expected tensor to have size {int(tgt_lens.sum())} at dimension 0, but got "
                f"size {tg.shape[0]} for argument #2 'targets' {_CHECK}"
            )
        starts = np.concatenate([[0], np.cumsum(tgt_lens)[:-1]]).astype(np.int64)
        for n in range(batch):
            padded[n, : tgt_lens[n]] = tg[starts[n] : starts[n] + tgt_lens[n]]
    cols = np.arange(longest)[None, :] < tgt_lens[:, None]
    padded = np.where(cols, padded, blank)
    extended = np.full((batch, 2 * longest + 1), blank, dtype=np.int64)
    extended[:, 1::2] = padded
    return extended


def _check_lengths(in_lens, tgt_lens, steps):
    for name, arr in (("input_lengths", in_lens), ("target_lengths", tgt_lens)):
        if arr.size and arr.min() < 0:
            raise RuntimeError(
                f"Expected {name} to have value at least 0, but got value {int(arr.min())} "
                + _CHECK
            )
    if in_lens.size and in_lens.max() > steps:
        raise RuntimeError(
            f"Expected input_lengths to have value at most {steps}, but got value "
            f"{int(in_lens.max())} {_CHECK}"
        )


def _spec_targets(rng, shapes):
    steps, batch, classes = shapes[0]
    lens = rng.integers(1, 3, size=batch)
    return (rng.integers(1, classes, size=(batch, 3)), np.full(batch, steps), lens)


@op(
    CtcLoss,
    vmap=LOOP,
    spec=OpSpec(
        "ctc_loss",
        # Through log_softmax PyTorch's extra exp(log_probs) term cancels: the true gradient.
        lambda t, x, tg, il, tl: F(t, "ctc_loss")(x.log_softmax(2), tg, il, tl, reduction="none"),
        [((5, 2, 4),), ((6, 3, 3),)],
        shapes=None,
        second_order=False,
        extra=_spec_targets,
    ),
)
def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0, reduction: int = 0,
             zero_infinity: bool = False):  # fmt: skip
    """CTC loss of ``log_probs`` (T, N, C) or (T, C) against ``targets``, reduced by
    PyTorch's number (1 mean over target lengths then batch, 2 sum, anything else none: the
    default, as PyTorch's top-level binding reduces nothing when no reduction is given)."""
    unbatched = log_probs.dim() == 2
    if isinstance(input_lengths, int) or isinstance(target_lengths, int):
        raise TypeError(
            "ctc_loss() received an invalid combination of arguments - input_lengths and "
            "target_lengths must be tuples of ints or tensors"
        )
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    steps, batch, classes = lp.shape
    if lp._data.dtype.kind != "f" or lp._data.dtype.itemsize < 4:
        raise NotImplementedError(f"\"ctc_loss_cpu\" not implemented for '{scalar_type_name(lp)}'")
    if lp.numel() == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    in_lens = _lengths(input_lengths, "input_lengths", batch)
    tgt_lens = _lengths(target_lengths, "target_lengths", batch)
    if blank < 0 or blank >= classes:
        raise RuntimeError("blank must be in label range")
    _check_lengths(in_lens, tgt_lens, steps)
    tg = targets.unsqueeze(0) if unbatched and targets.dim() == 1 else targets
    if unbatched:
        tg = tg.reshape(1, -1)
    labels = _extended_labels(tg, tgt_lens, batch, blank)
    loss = CtcLoss.apply(lp, labels, in_lens, tgt_lens, blank, bool(zero_infinity))
    if zero_infinity:
        # As PyTorch: the node's own gradient is zeroed too, the value through a where.
        loss = loss.where(~loss.isinf(), loss.new_zeros(()))
    if unbatched:
        loss = loss.squeeze(0)
    if reduction == 1:
        divisor = Tensor._make(np.maximum(tgt_lens, 1).reshape(loss.shape))
        return (loss / divisor).mean()
    return loss.sum() if reduction == 2 else loss
