"""``special``'s Bessel functions: J0, J1, Y0, Y1 and the modified I0, I1, K0, K1 (K scaled
by ``exp(x)`` too).  PyTorch records no gradient for them.

All in float64 on the host.  J and Y: power series up to ``|x| = 2``, Miller's backward
recurrence (normalized by ``J0 + 2 sum J2k = 1``, Neumann's series for Y) up to 25,
Hankel's asymptotic expansion beyond, its phase taken as ``x - pi/4`` (``x - 3pi/4``) the
way PyTorch's kernels take it.  K: the series up to 2, Steed's continued fraction beyond.
"""

from __future__ import annotations

import math

from ..backend import np as _np
from ._host_special import host_unary
from .bessel import bessel_array
from .registry import op, public_names

_EULER = 0.57721566490153286061
_SERIES_TO = 2.0
_MILLER_TO = 25.0
_MILLER_START = 80
_TERMS = 40


# ----- J and Y ------------------------------------------------------------------------------
def _series_jy(x):
    """(J0, J1, Y0, Y1) by their power series (``0 < x <= 2``)."""
    q = x * x / 4
    log_term = _np.log(x / 2) + _EULER
    t0 = _np.ones_like(x)  # (-q)^k / k!^2
    t1 = x / 2  # (x/2) (-q)^k / (k! (k+1)!)
    j0, j1 = t0.copy(), t1.copy()
    h = _np.zeros_like(x)  # harmonic number H_k
    s0 = _np.zeros_like(x)  # sum_k>=1 (-1)^(k+1) H_k q^k / k!^2
    s1 = t1 * (2 * -_EULER + 1)  # sum_k (psi(k+1) + psi(k+2)) (-q)^k (x/2) / (k! (k+1)!)
    for k in range(1, _TERMS):
        t0 = -t0 * q / (k * k)
        t1 = -t1 * q / (k * (k + 1))
        h = h + 1.0 / k
        j0 = j0 + t0
        j1 = j1 + t1
        s0 = s0 - h * t0
        s1 = s1 + t1 * (2 * (h - _EULER) + 1.0 / (k + 1))
    y0 = (2 / math.pi) * (log_term * j0 + s0)
    y1 = -2 / (math.pi * x) + (2 / math.pi) * _np.log(x / 2) * j1 - s1 / math.pi
    return j0, j1, y0, y1


def _miller_jy(x):
    """(J0, J1, Y0, Y1) by backward recurrence from order ``_MILLER_START`` (moderate x)."""
    up = _np.zeros_like(x)  # j_{n+1}
    cur = _np.full_like(x, 1e-30)  # j_n, n = _MILLER_START (even)
    norm = 2 * cur
    even_sum = cur * (-1) ** (_MILLER_START // 2) / (_MILLER_START // 2)
    odd_sum = _np.zeros_like(x)
    for n in range(_MILLER_START, 0, -1):
        low = (2 * n / x) * cur - up  # j_{n-1}
        up, cur = cur, low
        m = n - 1
        if m % 2 == 0 and m > 0:
            k = m // 2
            norm = norm + 2 * cur
            even_sum = even_sum + (-1) ** k * cur / k
        elif m % 2 == 1:
            # j_{2k-1} - j_{2k+1} for k = (m + 1) / 2 needs j_{m+2}: kept as the sum over odd
            # orders with coefficients (-1)^k / k - (-1)^(k-1) / (k - 1).
            k = (m + 1) // 2
            c = (-1) ** k / k - ((-1) ** (k - 1) / (k - 1) if k > 1 else 0.0)
            odd_sum = odd_sum + c * cur
    norm = norm + cur  # j_0 counted once
    j0, j1 = cur / norm, up / norm
    log_term = _np.log(x / 2) + _EULER
    y0 = (2 / math.pi) * log_term * j0 - (4 / math.pi) * even_sum / norm
    y1 = -2 / (math.pi * x) * j0 + (2 / math.pi) * log_term * j1 + (2 / math.pi) * odd_sum / norm
    return j0, j1, y0, y1


def _hankel_pq(x, order):
    """Hankel's P and Q of ``order`` (0 or 1) for large ``x``."""
    mu = 4.0 * order * order
    p = _np.ones_like(x)
    q = _np.zeros_like(x)
    term = _np.ones_like(x)
    for k in range(1, 2 * _TERMS):
        term = term * (mu - (2 * k - 1) ** 2) / (k * 8 * x)
        if k % 2 == 1:
            q = q + (-1) ** (k // 2) * term
        else:
            p = p + (-1) ** (k // 2) * term
    return p, q


def _asymptotic_jy(x):
    """(J0, J1, Y0, Y1) for ``x >= 25``."""
    amp = _np.sqrt(2 / (math.pi * x))
    p0, q0 = _hankel_pq(x, 0)
    p1, q1 = _hankel_pq(x, 1)
    c0, s0 = _np.cos(x - math.pi / 4), _np.sin(x - math.pi / 4)
    c1, s1 = _np.cos(x - 3 * math.pi / 4), _np.sin(x - 3 * math.pi / 4)
    return (
        amp * (p0 * c0 - q0 * s0),
        amp * (p1 * c1 - q1 * s1),
        amp * (p0 * s0 + q0 * c0),
        amp * (p1 * s1 + q1 * c1),
    )


def bessel_jy(x):
    """(J0, J1, Y0, Y1) of ``|x|`` for a float64 array (NaN at infinities, as PyTorch)."""
    a = _np.abs(_np.asarray(x, dtype="float64"))
    outs = [_np.full(a.shape, _np.nan) for _ in range(4)]
    for lo, hi, fn in ((0.0, _SERIES_TO, _series_jy), (_SERIES_TO, _MILLER_TO, _miller_jy)):
        sel = (a > lo) & (a <= hi)
        if sel.any():
            for o, v in zip(outs, fn(a[sel])):
                o[sel] = v
    sel = (a > _MILLER_TO) & _np.isfinite(a)
    if sel.any():
        for o, v in zip(outs, _asymptotic_jy(a[sel])):
            o[sel] = v
    zero = a == 0
    outs[0][zero], outs[1][zero] = 1.0, 0.0
    outs[2][zero] = outs[3][zero] = -_np.inf
    return outs


def _j0(x):
    return bessel_jy(x)[0]


def _j1(x):
    out = bessel_jy(x)[1]
    return _np.where(x < 0, -out, _np.where(x == 0, x, out))  # odd (and -0 at -0)


def _y(order):
    def fn(x):
        out = bessel_jy(x)[2 + order]
        return _np.where(x < 0, _np.nan, out)

    return fn


# ----- K: series and Steed's continued fraction ---------------------------------------------
def _series_k(x):
    """(K0, K1) by their power series (``0 < x <= 2``)."""
    q = x * x / 4
    log_half = _np.log(x / 2)
    t0 = _np.ones_like(x)  # q^k / k!^2
    t1 = x / 2  # (x/2) q^k / (k! (k+1)!)
    i0, i1 = t0.copy(), t1.copy()
    h = _np.zeros_like(x)
    k0 = -_EULER * t0  # sum psi(k+1) q^k / k!^2
    s1 = t1 * (1 - 2 * _EULER)  # sum (psi(k+1) + psi(k+2)) (x/2) q^k / (k! (k+1)!)
    for k in range(1, _TERMS):
        t0 = t0 * q / (k * k)
        t1 = t1 * q / (k * (k + 1))
        h = h + 1.0 / k
        i0, i1 = i0 + t0, i1 + t1
        k0 = k0 + (h - _EULER) * t0
        s1 = s1 + t1 * (2 * (h - _EULER) + 1.0 / (k + 1))
    return -log_half * i0 + k0, 1 / x + log_half * i1 - s1 / 2


def steed_k(x, mu, iterations=200):
    """``(K_mu(x), K_mu+1(x))`` times ``exp(x)`` for ``x >= 2`` (|mu| <= 1/2): Steed's
    evaluation of the continued fraction CF2 with Temme's normalization."""
    b = 2 * (1 + x)
    d = 1 / b
    h = delh = d
    q1, q2 = _np.zeros_like(x), _np.ones_like(x)
    a1 = 0.25 - mu * mu
    q = c = a1
    a = -a1
    s = 1 + q * delh
    done = _np.zeros(x.shape, dtype=bool)
    for i in range(2, iterations):
        a = a - 2 * (i - 1)
        c = -a * c / i
        qnew = (q1 - b * q2) / a
        q1, q2 = q2, qnew
        q = q + c * qnew
        b = b + 2
        d = 1 / (b + a * d)
        delh = (b * d - 1) * delh
        dels = q * delh
        # converged elements are frozen: their recurrences go on to overflow
        h = _np.where(done, h, h + delh)
        s = _np.where(done, s, s + dels)
        done |= _np.abs(dels) <= 1e-17 * _np.abs(s)
        if done.all():
            break
    k_mu = _np.sqrt(math.pi / (2 * x)) / s
    k_next = k_mu * (mu + x + 0.5 - a1 * h) / x
    # far out the fraction's terms overflow; two terms of the asymptotic series are exact
    far = x > 1e10
    if far.any():
        k_mu = _np.where(far, _far_k(x, mu), k_mu)
        k_next = _np.where(far, _far_k(x, mu + 1), k_next)
    return k_mu, k_next


def _far_k(x, nu):
    m = 4 * nu * nu
    with _np.errstate(all="ignore"):
        return _np.sqrt(math.pi / (2 * x)) * (1 + (m - 1) / (8 * x))


def _k(order, scaled):
    def fn(x):
        out = _np.full(x.shape, _np.nan)
        small = (x > 0) & (x <= _SERIES_TO)
        if small.any():
            v = _series_k(x[small])[order]
            out[small] = v * _np.exp(x[small]) if scaled else v
        big = (x > _SERIES_TO) & _np.isfinite(x)
        if big.any():
            v = steed_k(x[big], 0.0)[order]
            out[big] = v if scaled else v * _np.exp(-x[big])
        out[x == 0] = _np.inf
        out[x == _np.inf] = 0.0
        return out

    return fn


def _i(order):
    return lambda x: bessel_array(_np, x, order, False)


# ----- the public functions -----------------------------------------------------------------
def _on_host(name, kernel, doc):
    """Declare ``special.<name>(input, *, out=None)``: ``kernel`` (float64 array -> float64
    array) on the input's values; returns the function."""

    def function(input, *, out=None):
        return host_unary(name, kernel, input, out)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return op(None, public=False)(function)


bessel_j0 = _on_host("bessel_j0", _j0, "The Bessel function of the first kind of order 0.")
bessel_j1 = _on_host("bessel_j1", _j1, "The Bessel function of the first kind of order 1.")
bessel_y0 = _on_host("bessel_y0", _y(0), "The Bessel function of the second kind of order 0.")
bessel_y1 = _on_host("bessel_y1", _y(1), "The Bessel function of the second kind of order 1.")
modified_bessel_i0 = _on_host(
    "modified_bessel_i0", _i(0), "The modified Bessel function of the first kind of order 0."
)
modified_bessel_i1 = _on_host(
    "modified_bessel_i1", _i(1), "The modified Bessel function of the first kind of order 1."
)
modified_bessel_k0 = _on_host(
    "modified_bessel_k0",
    _k(0, False),
    "The modified Bessel function of the second kind of order 0.",
)
modified_bessel_k1 = _on_host(
    "modified_bessel_k1",
    _k(1, False),
    "The modified Bessel function of the second kind of order 1.",
)


@op(None, public=False)
def scaled_modified_bessel_k0(x, *, out=None):
    """``exp(x) K0(x)``, without overflow or underflow."""
    return host_unary("scaled_modified_bessel_k0", _k(0, True), x, out, "x")


@op(None, public=False)
def scaled_modified_bessel_k1(x, *, out=None):
    """``exp(x) K1(x)``, without overflow or underflow."""
    return host_unary("scaled_modified_bessel_k1", _k(1, True), x, out, "x")


__all__ = public_names(__name__)
