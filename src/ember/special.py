"""``ember.special``: PyTorch's ``torch.special`` namespace, the functions of the op families
under their special names."""

from __future__ import annotations

from .ops import _out
from .ops.bessel import i0, i0e, i1, i1e
from .ops.families import function as _op
from .ops.gamma import digamma, polygamma
from .ops.gamma import lgamma as gammaln
from .ops.gamma import mvlgamma as _mvlgamma
from .ops.logs import entr, xlog1py, xlogy
from .ops.logs import logit as _logit
from .ops.normal import erfc, erfcx, erfinv, log_ndtr, ndtr, ndtri
from .ops.pointwise_math import sinc


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
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcx",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "gammaln",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "log1p",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "round",
    "sinc",
    "softmax",
    "xlog1py",
    "xlogy",
]
