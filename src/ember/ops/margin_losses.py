"""The margin ranking, hinge embedding and cosine embedding losses in PyTorch's top-level
forms (``ember.cosine_embedding_loss``): composed from Ember ops as PyTorch composes them,
taking the reduction as PyTorch's number (0 'none', 1 'mean', 2 'sum'); the functional
forms in ``nn.functional`` take its name and call these.

PyTorch's top-level binding reduces nothing when no reduction is given (its schema says
'mean'): the default here is therefore 0.
"""

from __future__ import annotations

from ._binary import zeros_like
from ._spec import OpSpec
from .losses import F
from .registry import op, public_names
from .where import where

_PAIR = [((3, 4), (3, 4))]


def _by_number(fn, loss, reduction, position):
    """``loss`` reduced by PyTorch's number (1 mean, 2 sum, anything else none)."""
    if type(reduction) is not int:
        raise TypeError(
            f"{fn}(): argument 'reduction' (position {position}) must be int, not "
            f"{type(reduction).__name__}"
        )
    if reduction == 1:
        return loss.mean()
    return loss.sum() if reduction == 2 else loss


@op(None,
    spec=(OpSpec("margin_ranking_loss",
                 lambda t, a, b, y: F(t, "margin_ranking_loss")(a, b, y.sign(), margin=0.3),
                 [((5,), (5,), (5,))], shapes=None, grad=(True, True, False)),
          OpSpec("margin_ranking_loss_top_level",
                 lambda t, a, b, y: t.margin_ranking_loss(a, b, y.sign(), 0.2),
                 [((3, 4), (4,), (3, 1))], shapes=None, grad=(True, True, False))))  # fmt: skip
def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    """max(0, -y (x1 - x2) + margin), reduced by PyTorch's number (0 none, 1 mean, 2 sum)."""
    loss = (-target * (input1 - input2) + margin).clamp_min(0)
    return _by_number("margin_ranking_loss", loss, reduction, 5)


@op(None,
    spec=(OpSpec("hinge_embedding_loss",
                 lambda t, x, y: F(t, "hinge_embedding_loss")(x, y.sign(), margin=0.5), _PAIR,
                 shapes=None, grad=(True, False)),
          OpSpec("hinge_embedding_loss_top_level",
                 lambda t, x, y: t.hinge_embedding_loss(x, y.sign(), 0.5, 2), _PAIR, shapes=None,
                 grad=(True, False))))  # fmt: skip
def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    """x where y != -1, plus max(0, margin - x) where y != 1, reduced by PyTorch's number."""
    zeros = zeros_like(input)
    hinge = where(target != 1, (margin - input).clamp_min(0), zeros)
    loss = hinge + where(target != -1, input, zeros)
    return _by_number("hinge_embedding_loss", loss, reduction, 4)


@op(None,
    spec=(OpSpec("cosine_embedding_loss",
                 lambda t, a, b, y: F(t, "cosine_embedding_loss")(a, b, y.sign(), margin=0.1),
                 [((3, 4), (3, 4), (3,))], shapes=None, grad=(True, True, False)),
          OpSpec("cosine_embedding_loss_top_level",
                 lambda t, a, b, y: t.cosine_embedding_loss(a, b, y.sign(), -0.2),
                 [((4,), (4,), ())], shapes=None, grad=(True, True, False))))  # fmt: skip
def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    """1 - cos(x1, x2) where y == 1, max(0, cos(x1, x2) - margin) where y == -1, reduced by
    PyTorch's number."""
    d = target.dim()
    if d not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    want = d + 1
    if input1.dim() != want or input2.dim() != want:
        raise RuntimeError(
            f"{d}D target tensor expects {want}D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    eps = 1e-12
    dot = (input1 * input2).sum(d)
    mag1 = (input1 * input1).sum(d) + eps
    mag2 = (input2 * input2).sum(d) + eps
    cos = dot / (mag1 * mag2).sqrt()
    zeros = zeros_like(cos)
    loss = where(target == 1, 1 - cos, zeros) + where(
        target == -1, (cos - margin).clamp_min(0), zeros
    )
    return _by_number("cosine_embedding_loss", loss, reduction, 5)


__all__ = public_names(__name__)
