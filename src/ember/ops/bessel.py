"""Modified Bessel functions of the first kind: i0 and ``special``'s i0e, i1, i1e.

Computed in float64: the power series (all terms positive, no cancellation) up to
``|x| = 30``, Hankel's asymptotic expansion beyond.  The ``e`` forms are scaled by
``exp(-|x|)`` and never overflow.
"""

from __future__ import annotations

import math

from ..autograd.node import Node
from ._pointwise import Pointwise, special_unary, unary
from ._spec import OpSpec
from .inplace import public_inplace
from .logs import special
from .registry import public_names
from .unary import quiet
from .where import where

_U = [((3, 4),), ((),), ((0, 3),)]
_SERIES_TERMS = 90
_HANKEL_TERMS = 30
_SWITCH = 30.0


def _series(xp, a, order):
    """``sum_k (a**2/4)**k / (k! (k + order)!)`` times ``(a/2)**order``."""
    q = a * a / 4
    term = xp.ones_like(a) if order == 0 else a / 2
    total = term
    for k in range(1, _SERIES_TERMS):
        term = term * q / (k * (k + order))
        total = total + term
    return total


def _hankel(xp, a, order):
    """``sqrt(2 pi a) exp(-a) I_order(a)`` for large ``a``: Hankel's expansion."""
    mu = 4.0 * order * order
    term = xp.ones_like(a)
    total = term
    for k in range(1, _HANKEL_TERMS):
        term = -term * (mu - (2 * k - 1) ** 2) / (k * 8 * a)
        total = total + term
    return total


def bessel_array(xp, x, order, scaled):
    """``I_order(x)`` (``order`` 0 or 1), times ``exp(-|x|)`` when ``scaled``."""
    dtype = x.dtype
    x = x.astype("float64", copy=False)
    a = xp.abs(x)
    with quiet(xp):
        small = a <= _SWITCH
        s = _series(xp, xp.where(small, a, 0.0), order)
        if scaled:
            s = s * xp.exp(-a)
        big = xp.where(small, _SWITCH + 1, a)
        h = _hankel(xp, big, order) / xp.sqrt(2 * math.pi * big)
        if not scaled:
            # exp(a) in two halves: the result is representable past exp's own limit
            half = xp.exp(big / 2)
            h = h * half * half
        out = xp.where(small, s, h)
        if scaled:
            out = xp.where(xp.isinf(a), 0.0, out)
        else:
            out = xp.where(xp.isinf(a), xp.nan, out)  # PyTorch's value at +-inf
        if order == 1:
            out = xp.where(x < 0, -out, out)
    return out.astype(dtype, copy=False)


class I0(Pointwise):
    """d i0(x) = i1(x) dx"""

    def kernel(self, xp, x):
        return bessel_array(xp, x, 0, False)

    def chain(self, grad, x):
        return grad * i1(x)


class _Bessel(Node):
    """Base of i0e, i1 and i1e: ``bessel_array`` of the subclass's ``order`` (and
    ``scaled``), keeping input and output; the gradient is ``grad * derivative(x, out)``."""

    order, scaled = 0, False

    def forward(self, x):
        out = bessel_array(self.xp, x, self.order, self.scaled)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        return (grad * self.derivative(x, out),)


class I0e(_Bessel):
    """d i0e(x) = (i1e(x) - sign(x) i0e(x)) dx"""

    scaled = True

    @staticmethod
    def derivative(x, out):
        return i1e(x) - x.sign() * out


class I1(_Bessel):
    """d i1(x) = (i0(x) - i1(x) / x) dx (1/2 at 0)"""

    order = 1

    @staticmethod
    def derivative(x, out):
        zero = x == 0
        return where(zero, 0.5, i0(x) - out / where(zero, 1.0, x))


class I1e(_Bessel):
    """d i1e(x) = (i0e(x) - i1e(x) (sign(x) + 1 / x)) dx (1/2 at 0)"""

    order, scaled = 1, True

    @staticmethod
    def derivative(x, out):
        zero = x == 0
        return where(zero, 0.5, i0e(x) - out * (x.sign() + 1 / where(zero, 1.0, x)))


def _spec(name, fn=None):
    """The specs of ``special.<name>`` (or of ``fn``): moderate and large arguments."""
    if fn is None:
        fn = lambda t, a: getattr(special(t), name)(a)  # noqa: E731
    return (
        OpSpec(name, fn, _U, domain=(-4.0, 4.0)),
        OpSpec(name + "_large", fn, [((6,),)], domain=lambda z: z * 25, fd=False),
    )


i0 = unary(I0, "i0", "The modified Bessel function of the first kind of order 0.", out=True,
           spec=_spec("i0", lambda t, a: t.i0(a)))  # fmt: skip
i0_ = public_inplace("i0_")
i0e = special_unary(I0e, "i0e", "``i0(x) * exp(-|x|)``, without overflow.", _spec("i0e"))
i1 = special_unary(
    I1, "i1", "The modified Bessel function of the first kind of order 1.", _spec("i1")
)
i1e = special_unary(I1e, "i1e", "``i1(x) * exp(-|x|)``, without overflow.", _spec("i1e"))


__all__ = public_names(__name__)
