"""Rounding: trunc, floor, ceil, round (to even, or to ``decimals`` places), frac.

The rounding ops have a zero gradient (PyTorch records them, so ``requires_grad``
survives); integer tensors pass through unchanged, bool tensors are refused.
"""

from __future__ import annotations

import builtins

from ..autograd.node import Node
from . import batching
from ._binary import not_implemented, zeros_like
from ._pointwise import named
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


def _rounded(cls, input):
    kind = input._data.dtype.kind
    if kind == "b":
        raise not_implemented(cls.kernel_name, input)
    if kind in "iu":
        return input.clone()
    return cls.apply(input)


def _rounding(node, name, doc, aliases=()):
    """Declare the rounding op ``name(input)``: integers pass through, bools are refused."""

    def function(input):
        return _rounded(node, input)

    named(function, node, name, doc)
    spec = _spec(name, lambda t, a: getattr(t, name)(a))
    methods = (name, *aliases)
    return op(node, methods=methods, inplace=True, aliases=aliases, vmap=_EW, spec=spec)(function)


class Trunc(ZeroGrad):
    """d(trunc x) = 0"""

    kernel_name = "trunc_vml_cpu"  # PyTorch's, in its error for a bool tensor

    def forward(self, x):
        return self.xp.trunc(x)


class Floor(ZeroGrad):
    """d(floor x) = 0"""

    kernel_name = "floor_vml_cpu"

    def forward(self, x):
        return self.xp.floor(x)


class Ceil(ZeroGrad):
    """d(ceil x) = 0"""

    kernel_name = "ceil_vml_cpu"

    def forward(self, x):
        return self.xp.ceil(x)


trunc = fix = _rounding(Trunc, "trunc", "Round toward zero.", aliases=("fix",))
floor = _rounding(Floor, "floor", "Round toward minus infinity.")
ceil = _rounding(Ceil, "ceil", "Round toward plus infinity.")


class Round(ZeroGrad):
    """d(round x) = 0 (halves round to even)"""

    kernel_name = "round_vml_cpu"

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
        return _rounded(Round, input)
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
