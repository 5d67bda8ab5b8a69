"""``special``'s orthogonal polynomials: Chebyshev T, U, V, W (and shifted to [0, 1]),
Hermite H and He, Laguerre L, Legendre P, of degree ``n`` (a tensor or a number).

As in PyTorch: ``n`` is truncated to an integer, a negative degree gives 0, the values at
the ends of the interval are exact, high degrees inside the interval of the Chebyshev
families use their trigonometric closed forms, the rest the three-term recurrences.  No
gradient is recorded.
"""

from __future__ import annotations

from ..backend import np as _np
from ._host_special import host_binary
from .registry import op, public_names


def _degrees(n):
    """The degree as PyTorch reads it: truncated to int64 (NaN and infinities, which the
    conversion turns into the most negative integer, give degree -1)."""
    with _np.errstate(all="ignore"):
        return _np.trunc(_np.nan_to_num(n, nan=-1.0, posinf=-1.0, neginf=-1.0)).astype("int64")


def _recurrence(x, n, first, step):
    """``p_n(x)`` from ``p_0 = 1``, ``p_1 = first(x)`` and ``p_k+1 = step(k, x, p_k, p_k-1)``
    (elementwise degrees: each element stops at its own ``n``)."""
    prev = _np.ones_like(x)
    cur = first(x)
    out = _np.where(n == 0, prev, cur)
    top = int(n.max()) if n.size else 0
    for k in range(1, top):
        prev, cur = cur, step(k, x, cur, prev)
        out = _np.where(n == k + 1, cur, out)
    return out


def _finish(out, n, x):
    return _np.where(n < 0, 0.0, out)


def _chebyshev(kind, shifted):
    """T, U, V or W (``kind`` 0..3) of ``x`` (of ``2x - 1`` when ``shifted``)."""
    threshold = 6 if (kind == 0 or shifted) else 8
    first = {0: lambda y: y, 1: lambda y: 2 * y, 2: lambda y: 2 * y - 1, 3: lambda y: 2 * y + 1}

    def fn(x, n):
        n = _degrees(n)
        y = 2 * x - 1 if shifted else x
        out = _recurrence(y, n, first[kind], lambda k, y, c, p: 2 * y * c - p)
        inside = (n > threshold) & (_np.abs(y) < 1)
        if inside.any():
            t = _np.arccos(_np.where(inside, y, 0.0).astype(x.dtype))
            nf = n.astype(x.dtype)
            if kind == 0:
                closed = _np.cos(nf * t)
            elif kind == 1:
                closed = _np.sin((nf + 1) * t) / _np.sin(t)
            elif kind == 2:
                closed = _np.cos((nf + 0.5) * t) / _np.cos(t / 2)
            else:
                closed = _np.sin((nf + 0.5) * t) / _np.sin(t / 2)
            out = _np.where(inside, closed, out)
        odd = n % 2 == 1
        top, bottom = _ends(kind, n, odd, x.dtype)
        hi = (y == 1) if not shifted else (x == 1)
        lo = (y == -1) if not shifted else (x == 0)
        out = _np.where(hi, top, _np.where(lo, bottom, out))
        return _finish(out, n, x)

    return fn


def _ends(kind, n, odd, dtype):
    """The exact values at ``y = 1`` and ``y = -1``."""
    nf = n.astype(dtype)
    sign = _np.where(odd, -1.0, 1.0).astype(dtype)
    if kind == 0:
        return _np.ones_like(nf), sign
    if kind == 1:
        return nf + 1, sign * (nf + 1)
    if kind == 2:
        return _np.ones_like(nf), sign * (2 * nf + 1)
    return 2 * nf + 1, sign


def _hermite_h(x, n):
    n = _degrees(n)
    out = _recurrence(x, n, lambda y: 2 * y, lambda k, y, c, p: 2 * y * c - 2 * k * p)
    return _finish(out, n, x)


def _hermite_he(x, n):
    n = _degrees(n)
    out = _recurrence(x, n, lambda y: y, lambda k, y, c, p: y * c - k * p)
    return _finish(out, n, x)


def _laguerre(x, n):
    n = _degrees(n)
    out = _recurrence(
        x, n, lambda y: 1 - y, lambda k, y, c, p: ((2 * k + 1 - y) * c - k * p) / (k + 1)
    )
    out = _np.where(x == 0, 1.0, out)
    return _finish(out, n, x)


def _legendre(x, n):
    n = _degrees(n)
    out = _recurrence(x, n, lambda y: y, lambda k, y, c, p: ((2 * k + 1) * y * c - k * p) / (k + 1))
    sign = _np.where(n % 2 == 1, -1.0, 1.0)
    out = _np.where(x == 1, 1.0, _np.where(x == -1, sign, out))
    return _finish(out, n, x)


def _declare(name, fn, doc):
    def polynomial(x, n, *, out=None):
        return host_binary(name, fn, x, n, out)

    polynomial.__name__ = polynomial.__qualname__ = name
    polynomial.__doc__ = doc
    polynomial.__module__ = __name__
    return op(None, public=False)(polynomial)


chebyshev_polynomial_t = _declare(
    "chebyshev_polynomial_t", _chebyshev(0, False), "The Chebyshev polynomial of the first kind."
)
chebyshev_polynomial_u = _declare(
    "chebyshev_polynomial_u", _chebyshev(1, False), "The Chebyshev polynomial of the second kind."
)
chebyshev_polynomial_v = _declare(
    "chebyshev_polynomial_v", _chebyshev(2, False), "The Chebyshev polynomial of the third kind."
)
chebyshev_polynomial_w = _declare(
    "chebyshev_polynomial_w", _chebyshev(3, False), "The Chebyshev polynomial of the fourth kind."
)
shifted_chebyshev_polynomial_t = _declare(
    "shifted_chebyshev_polynomial_t",
    _chebyshev(0, True),
    "The Chebyshev polynomial of the first kind on [0, 1]: ``T_n(2x - 1)``.",
)
shifted_chebyshev_polynomial_u = _declare(
    "shifted_chebyshev_polynomial_u",
    _chebyshev(1, True),
    "The Chebyshev polynomial of the second kind on [0, 1]: ``U_n(2x - 1)``.",
)
shifted_chebyshev_polynomial_v = _declare(
    "shifted_chebyshev_polynomial_v",
    _chebyshev(2, True),
    "The Chebyshev polynomial of the third kind on [0, 1]: ``V_n(2x - 1)``.",
)
shifted_chebyshev_polynomial_w = _declare(
    "shifted_chebyshev_polynomial_w",
    _chebyshev(3, True),
    "The Chebyshev polynomial of the fourth kind on [0, 1]: ``W_n(2x - 1)``.",
)
hermite_polynomial_h = _declare(
    "hermite_polynomial_h", _hermite_h, "The physicists' Hermite polynomial ``H_n``."
)
hermite_polynomial_he = _declare(
    "hermite_polynomial_he", _hermite_he, "The probabilists' Hermite polynomial ``He_n``."
)
laguerre_polynomial_l = _declare("laguerre_polynomial_l", _laguerre, "The Laguerre polynomial.")
legendre_polynomial_p = _declare("legendre_polynomial_p", _legendre, "The Legendre polynomial.")

__all__ = public_names(__name__)
