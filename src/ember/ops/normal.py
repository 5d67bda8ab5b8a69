"""The error function's relatives and the normal distribution: erfc, erfinv and
``special``'s erfcx, ndtr, ndtri, log_ndtr.

All are computed in float64 from ``erf`` (``ops.erf``) and the scaled complement
``erfcx(x) = exp(x**2) erfc(x)``, which stays accurate in the far tail where ``erfc``
itself underflows; the inverses by Newton's method from a close first guess.
"""

from __future__ import annotations

import math

from ..autograd.node import Node
from . import _out
from ._pointwise import Pointwise, special_unary, unary
from ._spec import OpSpec
from .clamp import tensor_arg
from .erf import _ERFCX_HIGH, _ERFCX_MID, _clenshaw, erf_array
from .inplace import public_inplace
from .logs import special
from .registry import op, public_names
from .unary import _float_input, quiet

_U = [((3, 4),), ((),), ((0, 3),)]
_SQRT_PI = math.sqrt(math.pi)
_SQRT2 = math.sqrt(2.0)
_CF_TERMS = 60


def erfcx_array(xp, x):
    """``exp(x**2) erfc(x)`` of a float array (inf below about -26.6)."""
    dtype, shape = x.dtype, x.shape
    x = x.astype("float64", copy=False).reshape(-1)
    a = xp.abs(x)
    out = xp.empty_like(a)
    with quiet(xp):
        m = a < 1
        if m.any():
            am = a[m]
            out[m] = xp.exp(am * am) * (1 - erf_array(xp, am))
        for lo, hi, coef in ((1.0, 3.0, _ERFCX_MID), (3.0, 6.0, _ERFCX_HIGH)):
            m = (a >= lo) & (a < hi)
            if m.any():
                out[m] = _clenshaw(coef, (2 * a[m] - (lo + hi)) / (hi - lo))
        m = ~(a < 6)  # and NaN: the continued fraction keeps it
        if m.any():
            am = a[m]
            # erfcx(a) = 1/sqrt(pi) / (a + (1/2) / (a + 1 / (a + (3/2) / (a + ...))))
            frac = am
            for k in range(_CF_TERMS, 0, -1):
                frac = am + (k / 2) / frac
            out[m] = xp.where(am == xp.inf, 0.0, 1 / (_SQRT_PI * frac))
        out = xp.where(x < 0, 2 * xp.exp(x * x) - out, out)
    return out.astype(dtype, copy=False).reshape(shape)


def erfc_array(xp, x):
    """``1 - erf(x)`` of a float array, accurate where it is tiny."""
    dtype = x.dtype
    x = x.astype("float64", copy=False)
    with quiet(xp):
        out = xp.where(x < 1, 1 - erf_array(xp, x), xp.exp(-(x * x)) * erfcx_array(xp, x))
    return out.astype(dtype, copy=False)


def _newton(xp, x, step, n=4):
    for _ in range(n):
        x = x - step(x)
    return x


def _erfinv_center(xp, y):
    """erfinv for ``|y| <= 0.5``."""
    x = (_SQRT_PI / 2) * (y + (math.pi / 12) * y**3 + (7 * math.pi**2 / 480) * y**5)
    return _newton(xp, x, lambda x: (erf_array(xp, x) - y) * (_SQRT_PI / 2) * xp.exp(x * x))


def _erfcinv_tail(xp, w):
    """The ``x > 0`` with ``erfc(x) = w``, for ``0 < w <= 0.5`` (inf at 0)."""
    with quiet(xp):
        log_w = xp.log(w)
        big = log_w + xp.log(2 - w)  # log(1 - erf(x)**2), exact from w
        t = 2 / (math.pi * 0.147) + big / 2
        x = xp.sqrt(xp.sqrt(t * t - big / 0.147) - t)  # Winitzki's guess, 2e-3 off

        # Newton on log erfc(x) = log erfcx(x) - x**2, nearly quadratic in x.
        def step(x):
            e = erfcx_array(xp, x)
            return -(xp.log(e) - x * x - log_w) * (_SQRT_PI / 2) * e

        x = _newton(xp, x, step)
        return xp.where(w == 0, xp.inf, x)


def erfinv_array(xp, y):
    """The inverse error function of a float array (+-inf at +-1, NaN beyond)."""
    dtype = y.dtype
    y = y.astype("float64", copy=False)
    a = xp.abs(y)
    with quiet(xp):
        center = _erfinv_center(xp, xp.where(a <= 0.5, y, 0.0))
        tail = xp.copysign(_erfcinv_tail(xp, xp.where(a > 0.5, 1 - a, 0.5)), y)
        out = xp.where(a <= 0.5, center, tail)
        out = xp.where((a > 1) | xp.isnan(a), xp.nan, out)
    return out.astype(dtype, copy=False)


def ndtri_array(xp, p):
    """The inverse of the standard normal CDF of a float array."""
    dtype = p.dtype
    p = p.astype("float64", copy=False)
    with quiet(xp):
        mid = (p >= 0.25) & (p <= 0.75)
        center = _SQRT2 * _erfinv_center(xp, xp.where(mid, 2 * p - 1, 0.0))
        low = p < 0.5
        w = xp.where(low, 2 * p, 2 * (1 - p))
        w = xp.where(mid | (w < 0) | (w > 0.5) | xp.isnan(w), 0.5, w)
        tail = _SQRT2 * _erfcinv_tail(xp, w)
        out = xp.where(mid, center, xp.where(low, -tail, tail))
        out = xp.where((p < 0) | (p > 1) | xp.isnan(p), xp.nan, out)
    return out.astype(dtype, copy=False)


def log_ndtr_array(xp, x):
    """``log(ndtr(x))`` of a float array, accurate in both tails."""
    dtype = x.dtype
    x = x.astype("float64", copy=False)
    with quiet(xp):
        z = x / _SQRT2
        left = xp.log(erfcx_array(xp, -z) / 2) - z * z
        right = xp.log1p(-erfc_array(xp, z) / 2)
        out = xp.where(x < -1, left, right)
    return out.astype(dtype, copy=False)


def _specs(name, domain, tail, tail_size=6, of_special=False):
    """The specs of ``name`` (of ``special`` when ``of_special``): on ``domain``, and on
    ``tail_size`` values in its ``tail``."""
    fn = lambda t, a: getattr(special(t) if of_special else t, name)(a)  # noqa: E731
    return (
        OpSpec(name, fn, _U, domain=domain),
        OpSpec(f"{name}_tail", fn, [((tail_size,),)], domain=tail),
    )


# ----- nodes ------------------------------------------------------------------------------
_WIDE = lambda z: z * 3  # noqa: E731 - reaches both tails


class Erfc(Pointwise):
    """d erfc(x) = -2 / sqrt(pi) exp(-x**2) dx"""

    kernel = staticmethod(erfc_array)

    def chain(self, grad, x):
        return grad * (-(x * x)).exp() * (-2 / _SQRT_PI)


erfc = unary(Erfc, "erfc", "The complementary error function ``1 - erf(x)``.", out=True,
             spec=_specs("erfc", (-3.0, 6.0), (6.0, 25.0), 8))  # fmt: skip
erfc_ = public_inplace("erfc_")


class Erfcx(Node):
    """d erfcx(x) = (2 x erfcx(x) - 2 / sqrt(pi)) dx"""

    def forward(self, x):
        out = erfcx_array(self.xp, x)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        return (grad * (2 * x * out - 2 / _SQRT_PI),)


erfcx = special_unary(
    Erfcx,
    "erfcx",
    "The scaled complementary error function ``exp(x**2) erfc(x)``.",
    OpSpec("erfcx", lambda t, a: special(t).erfcx(a), _U, domain=(-4.0, 30.0)),
)


class Erfinv(Pointwise):
    """d erfinv(y) = sqrt(pi) / 2 exp(erfinv(y)**2) dy"""

    saves_output = True
    kernel = staticmethod(erfinv_array)
    #: The derivative is ``scale * exp(rate * out**2)``.
    scale, rate = _SQRT_PI / 2, 1.0

    def chain(self, grad, out):
        return grad * (out * out * self.rate).exp() * self.scale


erfinv = unary(Erfinv, "erfinv", "The inverse error function (+-inf at +-1, NaN outside [-1, 1]).",
               out=True, spec=_specs("erfinv", (-0.99, 0.99), (0.999, 0.9999999)))  # fmt: skip


@op(
    None,
    public=False,
    spec=OpSpec("ndtr", lambda t, a: special(t).ndtr(a), _U, domain=_WIDE),
)
def ndtr(input, *, out=None):
    """The standard normal cumulative distribution function."""
    tensor_arg("ndtr", input, "input", 1)
    result = erfc(_float_input(input) * (-1 / _SQRT2)) * 0.5
    if out is None:
        return result
    _out.refuse_grad("ndtr", out, input)
    return _out.write(out, result)


class Ndtri(Erfinv):
    """d ndtri(p) = sqrt(2 pi) exp(ndtri(p)**2 / 2) dp"""

    kernel = staticmethod(ndtri_array)
    scale, rate = math.sqrt(2 * math.pi), 0.5


ndtri = special_unary(
    Ndtri,
    "ndtri",
    "The inverse of the standard normal CDF (the normal quantile function).",
    _specs("ndtri", (0.01, 0.99), (1e-9, 1e-3), of_special=True),
)


class LogNdtr(Pointwise):
    """d log ndtr(x) = sqrt(2 / pi) / erfcx(-x / sqrt(2)) dx"""

    kernel = staticmethod(log_ndtr_array)

    def chain(self, grad, x):
        return grad * math.sqrt(2 / math.pi) / erfcx(x * (-1 / _SQRT2))


log_ndtr = special_unary(
    LogNdtr,
    "log_ndtr",
    "``log(ndtr(x))``, accurate in both tails.",
    _specs("log_ndtr", _WIDE, (-40, -8), 5, of_special=True),
)


__all__ = public_names(__name__)
