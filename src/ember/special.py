"""``ember.special``: PyTorch's ``torch.special`` namespace, the functions of the op families
under their special names."""

from __future__ import annotations

from .ops import _out
from .ops.bessel import i0, i0e, i1, i1e
from .ops.bessel_functions import (
    bessel_j0,
    bessel_j1,
    bessel_y0,
    bessel_y1,
    modified_bessel_i0,
    modified_bessel_i1,
    modified_bessel_k0,
    modified_bessel_k1,
    scaled_modified_bessel_k0,
    scaled_modified_bessel_k1,
)
from .ops.clamp import tensor_arg as _tensor_arg
from .ops.families import function as _op
from .ops.gamma import digamma, polygamma
from .ops.gamma import lgamma as gammaln
from .ops.gamma import mvlgamma as _mvlgamma
from .ops.logs import entr, xlog1py, xlogy
from .ops.logs import logit as _logit
from .ops.normal import erfc, erfcx, erfinv, log_ndtr, ndtr, ndtri
from .ops.pointwise_math import sinc
from .ops.polynomials import (
    chebyshev_polynomial_t,
    chebyshev_polynomial_u,
    chebyshev_polynomial_v,
    chebyshev_polynomial_w,
    hermite_polynomial_h,
    hermite_polynomial_he,
    laguerre_polynomial_l,
    legendre_polynomial_p,
    shifted_chebyshev_polynomial_t,
    shifted_chebyshev_polynomial_u,
    shifted_chebyshev_polynomial_v,
    shifted_chebyshev_polynomial_w,
)
from .ops.special_functions import airy_ai, spherical_bessel_j0, zeta


def _unary(name, special_name, doc):
    """``torch.special.<special_name>``: the op ``name`` with PyTorch's ``out=``."""
    fn = _op(name)

    def special(input, *, out=None):
        result = fn(input)
        if out is None:
            return result
        _out.check_out_tensors(special_name, out, 1)
        _out.refuse_grad(special_name, out, input)
        return _out.write(out, result)

    special.__name__ = special.__qualname__ = special_name
    special.__doc__ = doc
    return special


expit = _unary("sigmoid", "expit", "The logistic sigmoid ``1 / (1 + exp(-x))``.")
erf = _unary("erf", "erf", "The Gauss error function.")
expm1 = _unary("expm1", "expm1", "``exp(x) - 1``, accurate near 0.")
exp2 = _unary("exp2", "exp2", "``2 ** x``.")
log1p = _unary("log1p", "log1p", "``log(1 + x)``, accurate near 0.")


def logit(input, eps=None, *, out=None):
    """``log(p / (1 - p))``, ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given."""
    return _logit(input, eps, out=out)


psi = digamma


def gammainc(input, other, *, out=None):
    """The regularized lower incomplete gamma function ``P(input, other)``."""
    _tensor_arg("special_gammainc", input, "input", 1)
    _tensor_arg("special_gammainc", other, "other", 2)
    return _op("igamma")(input, other, out=out)


def gammaincc(input, other, *, out=None):
    """The regularized upper incomplete gamma function ``Q(input, other)``."""
    _tensor_arg("special_gammaincc", input, "input", 1)
    _tensor_arg("special_gammaincc", other, "other", 2)
    return _op("igammac")(input, other, out=out)


def multigammaln(input, p, *, out=None):
    """The multivariate log-gamma function of dimension ``p``."""
    return _mvlgamma(input, p, out=out)


def round(input, *, decimals=0, out=None):  # noqa: A001 - PyTorch's name
    """Round half to even, to ``decimals`` decimal places."""
    result = _op("round")(input, decimals=decimals)
    if out is None:
        return result
    _out.refuse_grad("round", out, input)
    return _out.write(out, result)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """``log(sum(exp(input), dim))`` without overflow (``dim`` is required)."""
    return _op("logsumexp")(input, dim, keepdim, out=out)


def softmax(input, dim, *, dtype=None):
    """Softmax along ``dim`` (computed in ``dtype`` when given)."""
    return _op("softmax")(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """Log-softmax along ``dim`` (computed in ``dtype`` when given)."""
    return _op("log_softmax")(input, dim, dtype=dtype)


__all__ = [
    "airy_ai",
    "bessel_j0",
    "bessel_j1",
    "bessel_y0",
    "bessel_y1",
    "chebyshev_polynomial_t",
    "chebyshev_polynomial_u",
    "chebyshev_polynomial_v",
    "chebyshev_polynomial_w",
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcx",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "gammainc",
    "gammaincc",
    "gammaln",
    "hermite_polynomial_h",
    "hermite_polynomial_he",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "laguerre_polynomial_l",
    "legendre_polynomial_p",
    "log1p",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "modified_bessel_i0",
    "modified_bessel_i1",
    "modified_bessel_k0",
    "modified_bessel_k1",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "round",
    "scaled_modified_bessel_k0",
    "scaled_modified_bessel_k1",
    "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w",
    "sinc",
    "softmax",
    "spherical_bessel_j0",
    "xlog1py",
    "xlogy",
    "zeta",
]
