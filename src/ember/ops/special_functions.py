"""``special``'s zeta, gammainc/gammaincc (PyTorch's ``igamma``/``igammac``), airy_ai and
spherical_bessel_j0.

zeta and igamma(c) record a node differentiable in their second argument only (PyTorch
raises "not implemented" for the first); airy_ai and spherical_bessel_j0 record none.
Values are computed in float64 on the host: the Hurwitz zeta by Euler-Maclaurin summation
(stopping where PyTorch's kernel stops, so its special values come out the same), Airy's
function by its power series (extended precision) near 0, the modified Bessel function
``K_1/3`` beyond 2.2 and the oscillating asymptotic expansion below -8.
"""

from __future__ import annotations

import functools
import math

from ..autograd.node import Node
from ..backend import np as _np
from . import batching
from ._binary import needs, promote
from ._host_special import host_unary, invalid_pair, quiet
from ._results import write_out
from ._spec import OpSpec
from .bessel_functions import steed_k
from .clamp import tensor_arg
from .registry import op, public_names
from .unary import _float_input

_EPS = 2.0**-53
_EW = batching.elementwise


# ----- Hurwitz zeta ---------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _euler_maclaurin():
    """The twelve correction denominators zeta uses (computed on its first call)."""
    return _bernoulli_ratios(12)


def _bernoulli_ratios(count):
    """``(2j)! / B_2j`` for j = 1..count (the Euler-Maclaurin correction denominators)."""
    from fractions import Fraction  # exact coefficients, computed once per order

    a = [Fraction(0)] * (2 * count + 2)
    b = []
    for m in range(2 * count + 1):
        a[m] = Fraction(1, m + 1)
        for j in range(m, 0, -1):
            a[j - 1] = j * (a[j - 1] - a[j])
        b.append(a[0])  # B_m (B_1 = +1/2 here; only even m are used)
    return [float(math.factorial(2 * j) / b[2 * j]) for j in range(1, count + 1)]


def zeta_array(x, q):
    """The Hurwitz zeta function ``sum_k (k + q)^-x`` of broadcast float64 arrays."""
    x, q = _np.broadcast_arrays(_np.asarray(x, dtype="float64"), _np.asarray(q, dtype="float64"))
    out = _np.full(x.shape, _np.nan)
    pole = (x == 1) | ((q <= 0) & (q == _np.floor(q)) & (x > 1))
    bad = (x < 1) | ((q < 0) & (x != _np.floor(x)))
    live = ~(pole | bad | _np.isnan(x) | _np.isnan(q))
    with quiet():
        out[live] = _em_sum(x[live], q[live])
    out[pole] = _np.inf
    return out


def _em_sum(x, q):
    s = q**-x
    a = q.copy()
    b = _np.zeros_like(q)
    done = _np.zeros(q.shape, dtype=bool)
    i = 0
    while True:
        step = ~done & ((i < 9) | (a <= 9))
        if not step.any():
            break
        i += 1
        a = _np.where(step, a + 1, a)
        b = _np.where(step, a**-x, b)
        s = _np.where(step, s + b, s)
        done |= step & (_np.abs(b / s) < _EPS)
    w = a
    s = _np.where(done, s, s + b * w / (x - 1) - 0.5 * b)
    f = _np.ones_like(q)
    k = 0.0
    for ratio in _euler_maclaurin():
        f = f * (x + k)
        b = b / w
        t = f * b / ratio
        s = _np.where(done, s, s + t)
        done |= _np.abs(t / s) < _EPS
        k += 1
        f = f * (x + k)
        b = b / w
        k += 1
    return s


class SpecialZeta(Node):
    """d zeta(x, q) / dq = -x zeta(x + 1, q); no derivative in x (as PyTorch)"""

    def forward(self, x, q):
        self.save_for_backward(x, q)
        with quiet():
            return zeta_array(x, q).astype(_np.result_type(x, q), copy=False)

    def backward(self, grad):
        x, q = self.saved_tensors
        if needs(self, 0):
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        return None, grad * -x * zeta(x + 1.0, q)


def _binary_float(name, input, other):
    """PyTorch's argument check and promotion (integers as the default float dtype)."""
    if not hasattr(input, "_data") and not hasattr(other, "_data"):
        raise invalid_pair(name, input, other, ("input", "other"))
    a, b = promote(input, other)
    t = a if hasattr(a, "_data") else b
    f = _float_input(t)
    if f is not t:
        a = a.to(f.dtype) if hasattr(a, "_data") else a
        b = b.to(f.dtype) if hasattr(b, "_data") else b
    if not hasattr(a, "_data"):
        a = b.new_full((), a)
    if not hasattr(b, "_data"):
        b = a.new_full((), b)
    return a, b


def _zeta_domain(z):
    return 1.5 + _np.abs(z)


@op(
    SpecialZeta,
    public=False,
    vmap=_EW,
    spec=OpSpec(
        "special_zeta",
        lambda t, x, q: t.special.zeta(x, q),
        [((3, 4), (3, 4)), ((), ()), ((2, 1), (3,))],
        shapes="broadcast2",
        domain=_zeta_domain,
        grad=(False, True),
    ),
)
def zeta(input, other, *, out=None):
    """The Hurwitz zeta function ``sum_k (k + other)^-input``."""
    a, b = _binary_float("zeta", input, other)
    if a._data.dtype.name not in ("float32", "float64"):
        from ._binary import not_implemented

        raise not_implemented("zeta_cpu", a)
    return write_out("special_zeta", SpecialZeta.apply(a, b), out, a, b)


# ----- regularized incomplete gamma -----------------------------------------------------------
def _igamma_array(a, x, upper):
    from ..distributions import _special

    a, x = _np.broadcast_arrays(_np.asarray(a, dtype="float64"), _np.asarray(x, dtype="float64"))
    out = _np.array(_special.gammainc_array(a, x), dtype="float64", ndmin=1).reshape(a.shape)
    zero_a = (a == 0) & (x > 0)  # P(0, x) = 1 for x > 0
    out[zero_a] = 1.0
    out[(a == _np.inf) & (x < _np.inf) & (x >= 0)] = 0.0
    out[(a == _np.inf) & (x == _np.inf)] = _np.nan
    if not upper:
        return out
    q = _np.array(1.0 - out, ndmin=1).reshape(a.shape)
    # Q itself where P is close to 1: the continued fraction does not lose it
    frac = (a > 0) & (x > 0) & _np.isfinite(x) & _np.isfinite(a) & (x >= a + 1)
    if frac.any():
        q[frac] = _special._gammaincc_fraction(a[frac], x[frac])
    return q


class Igamma(Node):
    """d P(a, x) / dx = x^(a-1) e^-x / Gamma(a); no derivative in a (as PyTorch)"""

    upper = False

    def forward(self, a, x):
        self.save_for_backward(a, x)
        with quiet():
            out = _igamma_array(a, x, self.upper)
        return out.astype(_np.result_type(a, x), copy=False)

    def backward(self, grad):
        a, x = self.saved_tensors
        if needs(self, 0):
            name = "igammac" if self.upper else "igamma"
            raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
        density = ((a - 1) * x.log() - x - a.lgamma()).exp()
        return None, -grad * density if self.upper else grad * density


class Igammac(Igamma):
    """d Q(a, x) / dx = -x^(a-1) e^-x / Gamma(a); no derivative in a (as PyTorch)"""

    upper = True


def _igamma(name, node, input, other, out):
    tensor_arg(name, input, "input", 1)
    tensor_arg(name, other, "other", 2)
    a, b = promote(input, other)
    if a._data.dtype.kind not in "f":
        from ._binary import not_implemented

        raise not_implemented(f"{name}_cpu", a)
    return write_out(name, node.apply(a, b), out, input, other)


def _igamma_spec(name, fn):
    return OpSpec(name, fn, [((3, 4), (3, 4)), ((), ()), ((4,), (2, 4))], shapes="broadcast2",
                  domain=(0.5, 3.0), grad=(False, True))  # fmt: skip


@op(
    Igamma,
    methods="igamma",
    inplace=True,
    vmap=_EW,
    spec=_igamma_spec("igamma", lambda t, a, x: t.igamma(a, x)),
)
def igamma(input, other, *, out=None):
    """The regularized lower incomplete gamma function ``P(input, other)``."""
    return _igamma("igamma", Igamma, input, other, out)


@op(
    Igammac,
    methods="igammac",
    inplace=True,
    vmap=_EW,
    spec=_igamma_spec("igammac", lambda t, a, x: t.special.gammaincc(a, x)),
)
def igammac(input, other, *, out=None):
    """The regularized upper incomplete gamma function ``Q(input, other)``."""
    return _igamma("igammac", Igammac, input, other, out)


# ----- Airy Ai and the spherical Bessel j0 ----------------------------------------------------
_AI0 = 0.355028053887817239260
_AIP0 = 0.258819403792806798405
_SERIES_TERMS = 70
_ASYMPTOTIC_TERMS = 30


def _airy_series(x):
    """Ai(x) by its Maclaurin series, in extended precision (cancellation for |x| large)."""
    x = x.astype(_np.longdouble)
    x3 = x * x * x
    f = _np.ones_like(x)
    g = x.copy()
    sf, sg = f.copy(), g.copy()
    for k in range(1, _SERIES_TERMS):
        f = f * x3 / ((3 * k - 1) * (3 * k))
        g = g * x3 / ((3 * k) * (3 * k + 1))
        sf, sg = sf + f, sg + g
    return (_np.longdouble(_AI0) * sf - _np.longdouble(_AIP0) * sg).astype("float64")


def _airy_negative(z):
    """Ai(-z) for large ``z`` > 0: the oscillating asymptotic expansion."""
    zeta = 2.0 / 3.0 * z * _np.sqrt(z)
    even, odd = _np.ones_like(z), _np.zeros_like(z)
    c = 1.0
    term = _np.ones_like(z)
    for k in range(1, _ASYMPTOTIC_TERMS):
        c = c * (3 * k - 0.5) * (3 * k - 1.5) * (3 * k - 2.5) / (54 * k * (k - 0.5))
        term = term / zeta
        if k % 2 == 1:
            odd = odd + (-1) ** (k // 2) * c * term
        else:
            even = even + (-1) ** (k // 2) * c * term
    phase = zeta + math.pi / 4
    amp = 1 / (math.sqrt(math.pi) * _np.sqrt(_np.sqrt(z)))
    return amp * (_np.sin(phase) * even - _np.cos(phase) * odd)


def _airy_positive(x):
    """Ai(x) for ``x`` > 2.2: ``sqrt(x / 3) K_1/3(zeta) / pi``."""
    zeta = 2.0 / 3.0 * x * _np.sqrt(x)
    k = steed_k(zeta, 1.0 / 3.0)[0]
    return _np.sqrt(x / 3) / math.pi * k * _np.exp(-zeta)


def airy_array(x):
    """Airy's function Ai of a float64 array (NaN at the infinities, as PyTorch)."""
    out = _np.full(x.shape, _np.nan)
    near = (x >= -8) & (x <= 2.2)
    out[near] = _airy_series(x[near])
    pos = (x > 2.2) & _np.isfinite(x)
    out[pos] = _airy_positive(x[pos])
    neg = (x < -8) & _np.isfinite(x)
    out[neg] = _airy_negative(-x[neg])
    return out


def _spherical_j0(x):
    small = _np.abs(x) < 0.5
    xs = _np.where(small, x, 0.0)
    q = xs * xs
    # sin(x)/x = sum (-x^2)^k / (2k+1)!: twelve terms are exact below 0.5
    series = _np.zeros_like(x)
    for k in range(12, -1, -1):
        series = series * -q + 1.0 / math.factorial(2 * k + 1)
    xb = _np.where(small, 1.0, x)
    out = _np.where(small, series, _np.sin(xb) / xb)
    return _np.where(_np.isinf(x), 0.0, out)


@op(None, public=False)
def airy_ai(x, *, out=None):
    """Airy's function Ai."""
    return host_unary("airy_ai", airy_array, x, out, "x")


@op(None, public=False)
def spherical_bessel_j0(x, *, out=None):
    """The spherical Bessel function of the first kind of order 0, ``sin(x) / x``."""
    return host_unary("spherical_bessel_j0", _spherical_j0, x, out, "x")


__all__ = public_names(__name__)
