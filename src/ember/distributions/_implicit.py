"""Reparameterized samples of Gamma and Dirichlet by implicit differentiation.

A sample x = F^-1(u; alpha) moves with alpha as dx/dalpha = -(dF/dalpha) / f(x; alpha)
(F the CDF, f the density, u held fixed). For Gamma the CDF is the regularized incomplete
gamma P(alpha, x); for Dirichlet each coordinate is Beta(alpha_i, total - alpha_i) and the
others shrink in proportion, which is the gradient PyTorch defines for its Dirichlet
(``_dirichlet_grad``). The derivatives of the CDFs are summed from their power series,
written as ratios to the density so nothing overflows.
"""

from __future__ import annotations

import ember

from ..autograd import Function
from ..autograd.function import once_differentiable
from ..backend import np
from . import _rng
from ._special import digamma_array

_MAX_TERMS = 200000


def standard_gamma_grad(alpha, x):
    """dx/dalpha for x ~ Gamma(alpha, 1) at fixed quantile (float64 host arrays)."""
    alpha, x = np.broadcast_arrays(np.asarray(alpha, np.float64), np.asarray(x, np.float64))
    out = np.zeros(alpha.shape)
    live = (x > 0) & np.isfinite(x)
    a, xs = alpha[live], x[live]
    if a.size == 0:
        return out
    # dx/da = -x * sum_n r_n (log x - psi(a + n + 1)),  r_0 = 1/a,  r_n = r_{n-1} x / (a + n)
    log_x = np.log(xs)
    r = 1.0 / a
    psi = digamma_array(a + 1.0)
    total = r * (log_x - psi)
    for n in range(1, _MAX_TERMS):
        psi = psi + 1.0 / (a + n)
        r = r * xs / (a + n)
        term = r * (log_x - psi)
        total = total + term
        if n > np.max(xs - a) and np.all(np.abs(term) <= 1e-17 * np.abs(total) + 1e-300):
            break
    out[live] = -xs * total
    return out


def _beta_grad_a(x, a, b):
    """dx/da at fixed quantile for x ~ Beta(a, b), b held fixed (float64 host arrays)."""
    out = np.zeros(x.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = x <= (a + 1.0) / (a + b + 2.0)
        shift = digamma_array(a + b) - digamma_array(a)
        log_x = np.log(x)
        for mask, flip in ((lower, False), (~lower, True)):
            if not mask.any():
                continue
            xm, am, bm = x[mask], a[mask], b[mask]
            # expand around the nearer end: I_x(a, b) directly, or 1 - I_{1-x}(b, a)
            z, p = (1.0 - xm, bm) if flip else (xm, am)
            series, dseries = _beta_series(z, p, am + bm, wrt_first=not flip)
            core = series * (log_x[mask] + shift[mask]) + dseries
            if flip:
                out[mask] = xm * (1.0 - xm) / bm * core
            else:
                out[mask] = -xm * (1.0 - xm) / am * (core - series / am)
    return out


def _beta_series(z, p, s, wrt_first):
    """sum_n t_n with t_n = t_{n-1} (s + n - 1) z / (p + n), and its derivative.

    The derivative is in the series' first parameter (p, with s = p + q moving along) when
    ``wrt_first``, else in its second (q, through s only).
    """
    t = np.ones_like(z)
    total = np.ones_like(z)
    dlog = np.zeros_like(z)
    dtotal = np.zeros_like(z)
    for n in range(1, _MAX_TERMS):
        t = t * (s + n - 1) * z / (p + n)
        dlog = dlog + 1.0 / (s + n - 1) - (1.0 / (p + n) if wrt_first else 0.0)
        total = total + t
        dtotal = dtotal + t * dlog
        if np.all(t <= 1e-17 * total) and np.all(
            np.abs(t * dlog) <= 1e-17 * np.abs(dtotal) + 1e-300
        ):
            break
    return total, dtotal


def dirichlet_grad(x, concentration, total):
    """PyTorch's ``_dirichlet_grad``: d x_i / d alpha_i of a Dirichlet sample, over 1 - x_i."""
    x, a, t = np.broadcast_arrays(
        np.asarray(x, np.float64),
        np.asarray(concentration, np.float64),
        np.asarray(total, np.float64),
    )
    return _beta_grad_a(x, a, t - a) / (1.0 - x)


class _ImplicitSample(Function):
    """Samples of the subclass's ``_sample``, differentiated by its ``_vjp``."""

    @staticmethod
    def forward(ctx, concentration):
        x = ctx._forward_cls._sample(concentration)
        ctx.save_for_backward(concentration, x)
        return x

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        alpha, x = ctx.saved_tensors
        return ctx._forward_cls._vjp(alpha, x, grad)


class _StandardGamma(_ImplicitSample):
    """Gamma(alpha, 1) samples; d sample / d alpha by implicit differentiation."""

    _sample = staticmethod(_rng.standard_gamma)

    @staticmethod
    def _vjp(alpha, x, grad):
        dx = standard_gamma_grad(alpha._data, x._data).astype(x._data.dtype)
        return grad * ember.Tensor._make(dx)


class _Dirichlet(_ImplicitSample):
    """Dirichlet samples (normalized gammas) with PyTorch's implicit gradient."""

    _sample = staticmethod(_rng.dirichlet)

    @staticmethod
    def _vjp(alpha, x, grad):
        total = alpha._data.sum(-1, keepdims=True)
        g = ember.Tensor._make(dirichlet_grad(x._data, alpha._data, total).astype(x._data.dtype))
        return g * (grad - (x * grad).sum(-1, True))


def standard_gamma(concentration):
    """Reparameterized Gamma(concentration, 1) samples."""
    return _StandardGamma.apply(concentration)


def dirichlet(concentration):
    """Reparameterized Dirichlet(concentration) samples over the last dim."""
    return _Dirichlet.apply(concentration)
