"""The Gauss error function: NumPy has none, so it is interpolated once from the standard
library's, to a few ulp in float64."""

from __future__ import annotations

import math

from ._pointwise import UNARY_SAMPLES, Pointwise, unary
from ._spec import OpSpec
from .inplace import public_inplace
from .registry import public_names
from .unary import exp

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _chebyshev_fit(f, lo, hi, n):
    """Chebyshev coefficients of ``f`` on ``[lo, hi]`` interpolated at ``n`` Chebyshev nodes."""
    from ..backend import np

    k = np.arange(n)
    t = np.cos(np.pi * (k + 0.5) / n)
    y = np.array([f(lo + (hi - lo) * (v + 1) / 2) for v in t])
    c = (2.0 / n) * np.cos(np.pi * np.outer(k, k + 0.5) / n) @ y
    c[0] /= 2
    return tuple(float(v) for v in c)


def _clenshaw(c, t):
    b1 = b2 = 0.0
    t2 = t * 2
    for ck in c[:0:-1]:
        b1, b2 = t2 * b1 - b2 + ck, b1
    return t * b1 - b2 + c[0]


# Three pieces: |x| < 1: erf(x) = x * g(x**2); 1 <= |x| < 6: erf = 1 - exp(-x**2) * erfcx(|x|);
# beyond 6, erfc is below half an ulp of 1.
_ERF_SMALL = _chebyshev_fit(lambda u: math.erf(math.sqrt(u)) / math.sqrt(u), 0.0, 1.0, 14)
_ERFCX_MID = _chebyshev_fit(lambda a: math.erfc(a) * math.exp(a * a), 1.0, 3.0, 24)
_ERFCX_HIGH = _chebyshev_fit(lambda a: math.erfc(a) * math.exp(a * a), 3.0, 6.0, 22)


def _monomial(c, lo, hi):
    """Chebyshev coefficients on ``[lo, hi]`` as power-series coefficients in the variable."""
    from ..backend import np

    series = np.polynomial.Chebyshev(c, domain=[lo, hi])
    return tuple(float(v) for v in series.convert(kind=np.polynomial.Polynomial).coef)


# float32, |x| < 1: erf(x) = x + x * r(x**2) with r = g - 1; the correction is at most a sixth
# of erf, so its float32 rounding stays below half an ulp and the result within ~1.3 ulp.
# Made by the first float32 erf (the conversion loads ``numpy.polynomial``, which nothing else
# in ``import ember`` needs).
_ERF_SMALL_SINGLE = None


def _erf_small_single():
    """The power-series coefficients of r, computed once."""
    global _ERF_SMALL_SINGLE
    _ERF_SMALL_SINGLE = _monomial(
        _chebyshev_fit(lambda u: math.erf(math.sqrt(u)) / math.sqrt(u) - 1.0, 0.0, 1.0, 7),
        0.0,
        1.0,
    )
    return _ERF_SMALL_SINGLE


def _erf_double(xp, x):
    """erf of a flat float64 array, piece by piece."""
    a = xp.abs(x)
    if not (a >= 1).any():  # the common case (GELU's inputs): one piece, no masks
        return x * _clenshaw(_ERF_SMALL, 2 * x * x - 1)
    out = xp.sign(x)  # +-1 beyond 6; nan stays nan
    m = a < 1
    if m.any():
        xm = x[m]
        out[m] = xm * _clenshaw(_ERF_SMALL, 2 * xm * xm - 1)
    for lo, hi, coef in ((1.0, 3.0, _ERFCX_MID), (3.0, 6.0, _ERFCX_HIGH)):
        m = (a >= lo) & (a < hi)
        if m.any():
            am = a[m]
            t = (2 * am - (lo + hi)) / (hi - lo)
            out[m] = xp.copysign(1 - xp.exp(-am * am) * _clenshaw(coef, t), x[m])
    return out


def _erf_single(xp, x):
    """erf of a float32 array in float32 where |x| < 1; the rare rest through float64."""
    shape = x.shape
    x = x.reshape(-1)
    u = x * x
    # a NaN maximum also takes the masked path (NaN stays NaN on both)
    any_big = u.size > 0 and not u.max() < 1
    xs = x
    if any_big:  # keep this piece finite where the other one rules
        big = u >= 1
        xp.minimum(u, 1, out=u)
        xs = xp.clip(x, -1, 1)
    coef = _ERF_SMALL_SINGLE or _erf_small_single()
    r = u * coef[-1]
    for c in coef[-2:0:-1]:
        r += c
        r *= u
    r += coef[0]
    r *= xs
    r += xs
    if any_big:
        r[big] = _erf_double(xp, x[big].astype("float64")).astype(x.dtype)
    return r.reshape(shape)


def erf_array(xp, x):
    """The error function of a float array: to a few ulp in float64, ~1 ulp in float32."""
    if x.dtype == "float32":
        return _erf_single(xp, x)
    dtype, shape = x.dtype, x.shape
    out = _erf_double(xp, x.astype("float64", copy=False).reshape(-1))
    return out.astype(dtype, copy=False).reshape(shape)


class Erf(Pointwise):
    """d(erf x) = 2/sqrt(pi) exp(-x**2) dx"""

    kernel = staticmethod(erf_array)

    def chain(self, grad, x):
        return grad * (exp(-(x * x)) * _TWO_OVER_SQRT_PI)


erf = unary(
    Erf,
    "erf",
    "The Gauss error function.",
    spec=(
        OpSpec("erf", lambda t, a: t.erf(a), UNARY_SAMPLES, domain=(-4.0, 4.0)),
        OpSpec("erf_tails", lambda t, a: t.erf(a), [((6,),)], domain=lambda z: z * 3),
    ),
)
erf_ = public_inplace("erf_")  # PyTorch has it at the top level too (``torch.erf_``)

__all__ = public_names(__name__)
