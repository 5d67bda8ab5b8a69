"""The gamma family: lgamma, digamma, polygamma, mvlgamma (``special``'s gammaln, psi,
multigammaln).

NumPy has none of them.  Each is computed in float64 from its textbook series: Stirling's
series for lgamma and the asymptotic series for digamma at arguments of 10 and above, the
recurrences Gamma(x + 1) = x Gamma(x) and psi(x + 1) = psi(x) + 1 / x below, and the
reflection formulas for negative arguments; polygamma through the Hurwitz zeta function
(Euler-Maclaurin summation).  Accurate to a few ulp away from the functions' zeros.
"""

from __future__ import annotations

import math

from ..autograd.node import Node
from . import batching
from ._pointwise import Pointwise, unary
from ._results import float_unary
from ._spec import OpSpec
from .registry import declare, op, public_names
from .unary import quiet

_EW = batching.elementwise
_U = [((3, 4),), ((),), ((0, 3),)]
#: Bernoulli numbers B_2, B_4, ..., B_20 (the asymptotic series of lgamma and the polygammas).
BERNOULLI = (
    1 / 6,
    -1 / 30,
    1 / 42,
    -1 / 30,
    5 / 66,
    -691 / 2730,
    7 / 6,
    -3617 / 510,
    43867 / 798,
    -174611 / 330,
)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _f64(xp, x):
    return x.astype("float64", copy=False)


def _sinpi(xp, x):
    """sin(pi x), exact at the integers (the argument is reduced first)."""
    n = xp.round(x)
    s = xp.sin(math.pi * (x - n))
    return xp.where(n % 2 == 0, s, -s)


def _tanpi(xp, x):
    n = xp.round(x)
    return xp.tan(math.pi * (x - n))


def _shift_up(xp, x, bound):
    """How many unit steps each element of ``x`` needs to reach ``bound`` (0 for NaN and
    infinities), and the largest of them."""
    steps = xp.maximum(xp.ceil(bound - x), 0)
    steps = xp.where(xp.isfinite(steps), steps, 0)
    return steps, int(steps.max()) if steps.size else 0


def lgamma_array(xp, x):
    """log|Gamma(x)| of a float array."""
    dtype = x.dtype
    x = _f64(xp, x)
    with quiet(xp):
        neg = x < 0.5
        # reflection: lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x)
        y = xp.where(neg, 1 - x, x)
        steps, most = _shift_up(xp, y, 10.0)
        prod = xp.ones_like(y)
        for k in range(most):
            prod = xp.where(k < steps, prod * (y + k), prod)
        z = y + steps
        inv = 1 / z
        inv2 = inv * inv
        series = 0.0
        for k in range(len(BERNOULLI) - 1, -1, -1):
            series = series * inv2 + BERNOULLI[k] / ((2 * k + 2) * (2 * k + 1))
        out = (z - 0.5) * xp.log(z) - z + _HALF_LOG_2PI + series * inv - xp.log(prod)
        out = xp.where(xp.isinf(y), xp.inf, out)
        refl = math.log(math.pi) - xp.log(xp.abs(_sinpi(xp, x))) - out
        out = xp.where(neg, refl, out)
        out = xp.where(x == -xp.inf, xp.inf, out)
        out = xp.where((x == 1) | (x == 2), 0.0, out)  # exact zeros, not 1e-15
    return out.astype(dtype, copy=False)


def digamma_array(xp, x):
    """psi(x) = d/dx log Gamma(x) of a float array (-inf at +0, inf at -0, NaN at the
    negative integers)."""
    dtype = x.dtype
    x = _f64(xp, x)
    with quiet(xp):
        neg = x < 0.5
        y = xp.where(neg, 1 - x, x)  # reflection: psi(x) = psi(1 - x) - pi / tan(pi x)
        steps, most = _shift_up(xp, y, 10.0)
        acc = xp.zeros_like(y)
        for k in range(most):
            acc = xp.where(k < steps, acc + 1 / (y + k), acc)
        z = y + steps
        inv2 = 1 / (z * z)
        series = 0.0
        for k in range(len(BERNOULLI) - 1, -1, -1):
            series = series * inv2 + BERNOULLI[k] / (2 * k + 2)
        out = xp.log(z) - 0.5 / z - series * inv2 - acc
        out = xp.where(xp.isinf(y), xp.inf, out)
        refl = out - math.pi / _tanpi(xp, x)
        refl = xp.where((x == xp.round(x)) & (x < 0), xp.nan, refl)
        out = xp.where(neg, refl, out)
        out = xp.where(x == 0, xp.copysign(xp.inf, -x), out)
        out = xp.where(x == -xp.inf, xp.nan, out)
    return out.astype(dtype, copy=False)


def hurwitz_zeta_array(xp, s, q):
    """zeta(s, q) = sum over k >= 0 of (q + k) ** -s, for an integer ``s >= 2``."""
    bound = 10.0 + s
    with quiet(xp):
        steps, most = _shift_up(xp, q, bound)
        acc = xp.zeros_like(q)
        for k in range(most):
            acc = xp.where(k < steps, acc + (q + k) ** -s, acc)
        a = q + steps
        # Euler-Maclaurin: the tail from a on, with the Bernoulli corrections.
        tail = a ** (1 - s) / (s - 1) + 0.5 * a**-s
        rising = float(s)  # s (s + 1) ... (s + 2j - 2)
        fact = 2.0  # (2j)!
        power = a ** (-s - 1)
        for j, b in enumerate(BERNOULLI, start=1):
            tail = tail + b / fact * rising * power
            rising *= (s + 2 * j - 1) * (s + 2 * j)
            fact *= (2 * j + 1) * (2 * j + 2)
            power = power / (a * a)
        out = acc + tail
        whole = (q <= 0) & (q == xp.round(q))
        return xp.where(whole, xp.inf, out)


def polygamma_array(xp, n, x):
    """The n-th derivative of digamma (``n >= 1``) of a float array."""
    dtype = x.dtype
    x = _f64(xp, x)
    with quiet(xp):
        out = (-1.0) ** (n + 1) * math.factorial(n) * hurwitz_zeta_array(xp, n + 1, x)
        # PyTorch's values at the infinities: trigamma 0 at +inf and NaN at -inf, the
        # higher orders NaN at +inf.
        out = xp.where(x == xp.inf, 0.0 if n == 1 else xp.nan, out)
        if n == 1:
            out = xp.where(x == -xp.inf, xp.nan, out)
    return out.astype(dtype, copy=False)


def _specs(name, positive, negative):
    """The specs of ``name``: on ``positive`` arguments, and on ``negative`` ones between
    two poles."""
    fn = lambda t, a: getattr(t, name)(a)  # noqa: E731
    return (
        OpSpec(name, fn, _U, domain=positive),
        OpSpec(f"{name}_negative", fn, [((4, 5),)], domain=negative),
    )


# ----- nodes ------------------------------------------------------------------------------
class Lgamma(Pointwise):
    """d lgamma(x) = digamma(x) dx"""

    kernel = staticmethod(lgamma_array)

    def chain(self, grad, x):
        return grad * digamma(x)


lgamma = unary(Lgamma, "lgamma", "The log of the absolute value of the gamma function.", out=True,
               spec=_specs("lgamma", (0.2, 6.0), (-4.9, -0.1)))  # fmt: skip


class Digamma(Pointwise):
    """d digamma(x) = polygamma(1, x) dx"""

    kernel = staticmethod(digamma_array)

    def chain(self, grad, x):
        return grad * polygamma(1, x)


digamma = unary(Digamma, "digamma", "The logarithmic derivative of the gamma function, ``psi``.",
                out=True, spec=_specs("digamma", (0.2, 12.0), (-2.9, -0.1)))  # fmt: skip


class Polygamma(Node):
    """d polygamma(n, x) = polygamma(n + 1, x) dx"""

    def forward(self, x, n):
        self.n = n
        self.save_for_backward(x)
        if n == 0:
            return digamma_array(self.xp, x)
        return polygamma_array(self.xp, n, x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * polygamma(self.n + 1, x), None


class Mvlgamma(Node):
    """d mvlgamma(x, p) = sum over i < p of digamma(x - i / 2) dx"""

    def forward(self, x, p):
        xp = self.xp
        self.p = p
        self.save_for_backward(x)
        out = xp.full(x.shape, p * (p - 1) / 4 * math.log(math.pi), dtype=x.dtype)
        for i in range(p):
            out = out + lgamma_array(xp, x - i / 2)
        return out

    def backward(self, grad):
        (x,) = self.saved_tensors
        total = digamma(x)
        for i in range(1, self.p):
            total = total + digamma(x - i / 2)
        return grad * total, None


@op(
    Polygamma,
    vmap=_EW,
    spec=(
        OpSpec("polygamma_1", lambda t, a: t.polygamma(1, a), _U, domain=(0.2, 12.0)),
        OpSpec("polygamma_3", lambda t, a: t.polygamma(3, a), [((3, 4),)], domain=(0.5, 20.0)),
        OpSpec("polygamma_0", lambda t, a: a.polygamma(0), [((3, 4),)], domain=(0.5, 4.0)),
        OpSpec(
            "polygamma_negative", lambda t, a: t.polygamma(2, a), [((3, 4),)], domain=(-2.9, -2.1)
        ),
    ),
)
def polygamma(n, input, *, out=None):
    """The ``n``-th derivative of the digamma function."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(
            f"polygamma(): argument 'n' (position 1) must be int, not {type(n).__name__}"
        )
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return float_unary("polygamma", Polygamma, input, out, n)


def _polygamma_method(self, n):
    return polygamma(n, self)


_polygamma_method.__name__ = _polygamma_method.__qualname__ = "polygamma"
_polygamma_method.__doc__ = "The ``n``-th derivative of the digamma function of ``self``."
declare(None, _polygamma_method, methods=("polygamma",), inplace=True, public=False)


@op(
    Mvlgamma,
    methods="mvlgamma",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("mvlgamma", lambda t, a: t.mvlgamma(a, 3), _U, domain=(1.2, 5.0)),
)
def mvlgamma(input, p, *, out=None):
    """The multivariate log-gamma function of dimension ``p``."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return float_unary("mvlgamma", Mvlgamma, input, out, int(p))


__all__ = public_names(__name__)
