"""Special functions the distributions need: lgamma, digamma, polygamma, erfinv, xlogy.

Each public function here uses Ember's own op when the library has it (``ember.lgamma``,
``ember.special.gammainc``...), looked up at call time; otherwise the fallback below: a
differentiable ``Function`` whose forward runs on float64 host arrays and whose backward
is written with Ember ops (lgamma' = digamma, digamma' = polygamma(1, .), ...), so
gradients of any order flow. The implicit-reparameterization code reuses the host-array
versions (``digamma_array``...).
"""

from __future__ import annotations

import math

import ember

from ..autograd import Function
from ..backend import np
from ..ops.gamma import BERNOULLI

_LOG_SQRT_PI_HALF = math.log(math.sqrt(math.pi) / 2)
_B2K = BERNOULLI  # B_2, B_4, ..., B_20 for the asymptotic series of the polygammas
_ASYMPTOTIC_FROM = 20.0


def _host(t):
    """The float64 host array of a tensor (the fallbacks compute in double precision)."""
    return np.asarray(t._data, dtype=np.float64)


def _wrap(array, like):
    return ember.Tensor._make(np.asarray(array, dtype=like._data.dtype))


def _lgamma_scalar(v):
    if v != v:
        return v
    if math.isinf(v) or (v <= 0 and v == math.floor(v)):
        return math.inf  # the poles (and -inf) give +inf, as PyTorch does
    return math.lgamma(v)


_lgamma_vec = np.frompyfunc(_lgamma_scalar, 1, 1)


def lgamma_array(x):
    """log|Gamma(x)| of a float64 host array."""
    with np.errstate(invalid="ignore"):
        return np.asarray(_lgamma_vec(x), dtype=np.float64)


def digamma_array(x):
    """psi(x) = d/dx log Gamma(x) of a float64 host array (-inf at 0, nan at negative poles)."""
    x = np.array(x, dtype=np.float64, copy=True)
    out = np.zeros_like(x)
    neg = x < 0
    if neg.any():
        # reflection: psi(x) = psi(1 - x) - pi / tan(pi x)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[neg] = -np.pi / np.tan(np.pi * x[neg])
        x[neg] = 1.0 - x[neg]
    out += _polygamma_pos(0, x)
    out[x == 0] = -np.inf
    out[neg & (np.floor(1.0 - x) == 1.0 - x)] = np.nan
    return out


def _polygamma_pos(n, x):
    """psi^(n)(x) for x >= 0 by upward recurrence then the asymptotic series."""
    x = np.array(x, dtype=np.float64, copy=True)
    acc = np.zeros_like(x)
    sign = -1.0 if n % 2 == 0 else 1.0  # (-1)^(n+1)
    fact = math.factorial(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.isfinite(x) & (x < _ASYMPTOTIC_FROM)
        while low.any():
            if n == 0:
                acc[low] -= 1.0 / x[low]
            else:
                acc[low] += sign * fact / x[low] ** (n + 1)
            x[low] += 1.0
            low &= x < _ASYMPTOTIC_FROM
        inv = 1.0 / x
        inv2 = inv * inv
        if n == 0:
            series = np.zeros_like(x)
            power = inv2.copy()
            for k, b in enumerate(_B2K, start=1):
                series += b / (2 * k) * power
                power *= inv2
            tail = np.log(x) - 0.5 * inv - series
        else:
            tail = math.factorial(n - 1) * inv**n + 0.5 * fact * inv ** (n + 1)
            power = inv ** (n + 2)
            for k, b in enumerate(_B2K, start=1):
                coef = b * math.factorial(2 * k + n - 1) / math.factorial(2 * k)
                tail = tail + coef * power
                power = power * inv2
            tail = sign * tail
    return acc + tail


def polygamma_array(n, x):
    """psi^(n)(x) of a float64 host array, for n >= 0."""
    if n == 0:
        return digamma_array(x)
    x = np.asarray(x, dtype=np.float64)
    out = np.full_like(x, np.nan)
    pole = (x <= 0) & (np.floor(x) == x)
    ok = ~pole & ~np.isnan(x)
    # negative non-integers: shift up past zero with the same recurrence
    shift = np.where(ok & (x < 0), np.ceil(-x), 0.0)
    y = x + shift
    acc = np.zeros_like(x)
    sign = -1.0 if n % 2 == 0 else 1.0
    fact = math.factorial(n)
    for _ in range(int(shift.max()) if shift.size else 0):
        step = shift > 0
        acc[step] += sign * fact / (y[step] - shift[step]) ** (n + 1)
        shift[step] -= 1
    out[ok] = acc[ok] + _polygamma_pos(n, y[ok])
    out[pole] = np.inf if n % 2 == 1 else -np.inf
    return out


def gammainc_array(a, x):
    """The regularized lower incomplete gamma P(a, x) of float64 host arrays (broadcast)."""
    a, x = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64))
    out = np.full(a.shape, np.nan)
    ok = (a > 0) & (x >= 0)
    out[ok & (x == 0)] = 0.0
    out[ok & np.isinf(x)] = 1.0
    live = ok & (x > 0) & np.isfinite(x)
    series = live & (x < a + 1)
    frac = live & ~series
    if series.any():
        out[series] = _gammainc_series(a[series], x[series])
    if frac.any():
        out[frac] = 1.0 - _gammaincc_fraction(a[frac], x[frac])
    return out


def _log_prefactor(a, x):
    return a * np.log(x) - x - lgamma_array(a)


def _gammainc_series(a, x):
    # P(a, x) = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n))
    term = np.ones_like(a)
    total = np.ones_like(a)
    denom = a.copy()
    for _ in range(10000):
        denom += 1.0
        term *= x / denom
        total += term
        if np.all(term < total * 1e-17):
            break
    return total * np.exp(_log_prefactor(a, x) - np.log(a))


def _gammaincc_fraction(a, x):
    # Q(a, x) by the continued fraction of Gamma(a, x), evaluated with the modified Lentz method
    tiny = 1e-300
    b = x + 1.0 - a
    c = np.full_like(a, 1.0 / tiny)
    d = 1.0 / b
    h = d.copy()
    for i in range(1, 10000):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        delta = d * c
        h = h * delta
        if np.all(np.abs(delta - 1.0) < 1e-16):
            break
    return np.exp(_log_prefactor(a, x)) * h


_ERF = np.frompyfunc(math.erf, 1, 1)
_ERFC = np.frompyfunc(math.erfc, 1, 1)


def erfinv_array(x):
    """The inverse error function of a float64 host array (+-inf at +-1, nan outside)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.full_like(x, np.nan)
    inside = np.abs(x) < 1
    a = x[inside]
    # Giles' single-precision start, then Newton steps on erf (erfc in the tails, where
    # 1 - |x| keeps the digits that x itself has lost).
    w = -np.log((1.0 - a) * (1.0 + a))
    small = w < 5.0
    ws = w - 2.5
    wl = np.sqrt(np.maximum(w, 5.0)) - 3.0
    ps = _horner(
        ws,
        (
            2.81022636e-08,
            3.43273939e-07,
            -3.5233877e-06,
            -4.39150654e-06,
            0.00021858087,
            -0.00125372503,
            -0.00417768164,
            0.246640727,
            1.50140941,
        ),
    )
    pl = _horner(
        wl,
        (
            -0.000200214257,
            0.000100950558,
            0.00134934322,
            -0.00367342844,
            0.00573950773,
            -0.0076224613,
            0.00943887047,
            1.00167406,
            2.83297682,
        ),
    )
    y = np.where(small, ps, pl) * a
    tail = np.abs(a) > 0.5
    target = 1.0 - np.abs(a)
    for _ in range(3):
        dens = 2.0 / math.sqrt(math.pi) * np.exp(-y * y)
        err_c = np.sign(y) * (np.asarray(_ERFC(np.abs(y)), dtype=np.float64) - target)
        err = np.where(tail, -err_c, np.asarray(_ERF(y), dtype=np.float64) - a)
        y = y - err / dens
    out[inside] = y
    out[x == 1] = np.inf
    out[x == -1] = -np.inf
    return out


def _horner(t, coefs):
    acc = np.full_like(t, coefs[0])
    for c in coefs[1:]:
        acc = acc * t + c
    return acc


class _Lgamma(Function):
    """d/dx lgamma(x) = digamma(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _wrap(lgamma_array(_host(x)), x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * digamma(x)


class _Polygamma(Function):
    """d/dx polygamma(n, x) = polygamma(n + 1, x)."""

    @staticmethod
    def forward(ctx, n, x):
        ctx.save_for_backward(x)
        ctx.order = n
        return _wrap(polygamma_array(n, _host(x)), x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return None, grad * polygamma(ctx.order + 1, x)


class _Erfinv(Function):
    """d/dx erfinv(x) = sqrt(pi)/2 * exp(erfinv(x)^2)."""

    @staticmethod
    def forward(ctx, x):
        out = _wrap(erfinv_array(_host(x)), x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * ember.exp(y * y + _LOG_SQRT_PI_HALF)


class _Xlogy(Function):
    """d/dx x*log(y) = log(y) (as xlogy(grad, y), so a zero grad stays zero); d/dy = x / y."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        xs, ys = x._data, y._data
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(xs == 0, 0.0, xs * np.log(ys))
        out = np.where(np.isnan(ys), np.nan, out)
        return ember.Tensor._make(np.asarray(out, dtype=np.result_type(xs, ys)))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = xlogy(grad, y).masked_fill((x == 0) & (y <= 0), 0.0)
        if ctx.needs_input_grad[1]:
            gy = grad * x / y
        return gx, gy


class _Gammainc(Function):
    """d/dx P(a, x) = x^(a-1) e^-x / Gamma(a); no derivative in a (as PyTorch)."""

    @staticmethod
    def forward(ctx, a, x):
        ctx.save_for_backward(a, x)
        dtype = np.result_type(a._data, x._data)
        return ember.Tensor._make(np.asarray(gammainc_array(_host(a), _host(x)), dtype=dtype))

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'igamma: input' is not implemented.")
        density = ember.exp(xlogy(a - 1, x) - x - lgamma(a))
        return None, grad * density


def _as_float(x):
    if not isinstance(x, ember.Tensor):
        return ember.tensor(x, dtype=ember.get_default_dtype())
    if not x.is_floating_point():
        return x.to(ember.get_default_dtype())
    return x


def lgamma(x):
    """log|Gamma(x)| elementwise (``torch.lgamma``)."""
    op = getattr(ember, "lgamma", None)
    return op(x) if op is not None else _Lgamma.apply(_as_float(x))


def digamma(x):
    """psi(x), the derivative of lgamma (``torch.digamma``)."""
    op = getattr(ember, "digamma", None)
    return op(x) if op is not None else _Polygamma.apply(0, _as_float(x))


def polygamma(n, x):
    """The n-th derivative of digamma (``torch.polygamma``)."""
    op = getattr(ember, "polygamma", None)
    return op(n, x) if op is not None else _Polygamma.apply(n, _as_float(x))


def erfinv(x):
    """The inverse error function (``torch.erfinv``)."""
    op = getattr(ember, "erfinv", None)
    return op(x) if op is not None else _Erfinv.apply(_as_float(x))


def xlogy(x, y):
    """x * log(y), 0 where x == 0 (``torch.xlogy``); x and y broadcast."""
    op = getattr(ember, "xlogy", None)
    if op is not None:
        return op(x, y)
    if not isinstance(x, ember.Tensor):
        x = ember.tensor(x, dtype=y.dtype)
    if not isinstance(y, ember.Tensor):
        y = ember.tensor(y, dtype=x.dtype if x.is_floating_point() else None)
    x, y = _as_float(x), _as_float(y)
    return _Xlogy.apply(x, y)


def gammainc(a, x):
    """The regularized lower incomplete gamma function (``torch.special.gammainc``)."""
    op = getattr(getattr(ember, "special", None), "gammainc", None)
    if op is not None:
        return op(a, x)
    return _Gammainc.apply(_as_float(a), _as_float(x))


def erfc(x):
    """1 - erf(x) (``torch.erfc``)."""
    op = getattr(ember, "erfc", None)
    return op(x) if op is not None else 1 - ember.erf(x)
