"""Rounding: trunc, floor, ceil, round (to even, or to ``decimals`` places), frac.

The rounding ops have a zero gradient (PyTorch records them, so ``requires_grad``
survives); integer tensors pass through unchanged, bool tensors are refused.
"""

from __future__ import annotations

import builtins

from ..autograd.node import Node
from . import batching
from ._binary import not_implemented, zeros_like
from ._spec import OpSpec
from .inplace import public_inplace
from .registry import declare, op, public_names
from .unary import ZeroGrad, quiet

_EW = batching.elementwise
_U = [((3, 4),), ((),), ((0, 2),)]


def _away_from_integers(z):
    # Rounding ops jump at integers (and round at halves): sample in [k + 0.2, k + 0.8).
    return (z * 2) // 1 + 0.2 + 0.6 * ((z * 7) % 1)


def _spec(name, fn, domain=_away_from_integers):
    return OpSpec(name, fn, _U, domain=domain, fd=False, second_order=False)


def _rounded(cls, kernel, input):
    kind = input._data.dtype.kind
    if kind == "b":
        raise not_implemented(kernel, input)
    if kind in "iu":
        return input.clone()
    return cls.apply(input)


class Trunc(ZeroGrad):
    """d(trunc x) = 0"""

    def forward(self, x):
        return self.xp.trunc(x)


@op(
    Trunc,
    methods=("trunc", "fix"),
    inplace=True,
    aliases=("fix",),
    vmap=_EW,
    spec=_spec("trunc", lambda t, a: t.trunc(a)),
)
def trunc(input):
    """Round toward zero."""
    return _rounded(Trunc, "trunc_vml_cpu", input)


fix = trunc


class Floor(ZeroGrad):
    """d(floor x) = 0"""

    def forward(self, x):
        return self.xp.floor(x)


@op(Floor, methods="floor", inplace=True, vmap=_EW, spec=_spec("floor", lambda t, a: t.floor(a)))
def floor(input):
    """Round toward minus infinity."""
    return _rounded(Floor, "floor_vml_cpu", input)


class Ceil(ZeroGrad):
    """d(ceil x) = 0"""

    def forward(self, x):
        return self.xp.ceil(x)


@op(Ceil, methods="ceil", inplace=True, vmap=_EW, spec=_spec("ceil", lambda t, a: t.ceil(a)))
def ceil(input):
    """Round toward plus infinity."""
    return _rounded(Ceil, "ceil_vml_cpu", input)


class Round(ZeroGrad):
    """d(round x) = 0 (halves round to even)"""

    def forward(self, x):
        return self.xp.rint(x)


class RoundDecimals(ZeroGrad):
    """d(round(x, decimals)) = 0"""

    def forward(self, x, decimals):
        xp = self.xp
        ten = x.dtype.type(10.0 ** builtins.abs(decimals))
        with quiet(xp):
            if decimals > 0:
                return xp.rint(x * ten) / ten
            return xp.rint(x / ten) * ten

    def backward(self, grad):
        return zeros_like(grad), None


declare(
    RoundDecimals,
    vmap=_EW,
    grad_fn="RoundBackward1",
    spec=(
        _spec("round_decimals", lambda t, a: t.round(a, decimals=1), (-4.0, 4.0)),
        _spec("round_decimals_neg", lambda t, a: t.round(a * 100, decimals=-1), (-2.0, 2.0)),
    ),
)


@op(Round, methods="round", inplace=True, vmap=_EW, spec=_spec("round", lambda t, a: t.round(a)))
def round(input, *, decimals=0):
    """Round half to even, to ``decimals`` decimal places (negative: to tens, hundreds)."""
    if decimals == 0:
        return _rounded(Round, "round_vml_cpu", input)
    if input._data.dtype.kind in "biu":
        raise not_implemented("round_cpu", input)
    return RoundDecimals.apply(input, int(decimals))


class Frac(Node):
    """d(x - trunc x) = dx"""

    def forward(self, x):
        return x - self.xp.trunc(x)

    def backward(self, grad):
        return (grad,)


@op(
    Frac,
    methods="frac",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("frac", lambda t, a: t.frac(a), _U, domain=(-4.0, 4.0), second_order=False),
)
def frac(input):
    """The fractional part ``x - trunc(x)``, with the sign of ``x``."""
    if input._data.dtype.kind in "biu":
        raise not_implemented("frac_cpu", input)
    return Frac.apply(input)


# PyTorch has these in-place forms as top-level functions too (``torch.floor_(x)``).
trunc_ = fix_ = public_inplace("trunc_", aliases=("fix_",))
floor_ = public_inplace("floor_")
ceil_ = public_inplace("ceil_")
round_ = public_inplace("round_")
frac_ = public_inplace("frac_")

__all__ = public_names(__name__)
