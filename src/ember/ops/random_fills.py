"""More random fills (``log_normal_``, ``cauchy_``, ``geometric_``) and the samplers
``poisson`` and ``binomial``, all drawn from Ember's generators."""

from __future__ import annotations

from ..autograd.node import Node
from ..backend import np
from ..creation import not_implemented
from ..random import _fill, _float_target, _rng
from ..tensor_base import TensorBase
from ._binary import broadcast_error, type_word
from ._spec import OpSpec
from .registry import LOOP, declare, op, public_names


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with samples whose logarithm is normal with ``mean`` and ``std``."""
    _float_target(self, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    return _fill(self, _rng(generator).lognormal(mean, std, self._data.shape), "log_normal_")


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with Cauchy samples centred on ``median`` with scale ``sigma``."""
    if self._data.dtype.kind not in "fc" and self._data.dtype.name != "bfloat16":
        raise RuntimeError(
            "Cauchy distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {type_word(self)}"
        )
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    draws = median + sigma * _rng(generator).standard_cauchy(self._data.shape)
    return _fill(self, draws, "cauchy_")


def geometric_(self, p, *, generator=None):
    """Fill with the number of Bernoulli(``p``) trials up to the first success (1, 2, ...)."""
    if self._data.dtype.kind == "b":
        raise not_implemented("geometric_cpu", self.dtype)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    draws = _rng(generator).geometric(p, self._data.shape)
    if self._data.dtype.kind in "iu":
        draws = draws.astype(self._data.dtype)  # wraps as C casts do
    return _fill(self, draws, "geometric_")


for _fn in (log_normal_, cauchy_, geometric_):
    declare(None, _fn, methods=_fn.__name__, public=False)


class Poisson(Node):
    """d(poisson(rate)) = 0: the samples do not move with the rate"""

    def forward(self, rates, rng):
        return self.xp.asarray(rng.poisson(rates), dtype=rates.dtype)

    def backward(self, grad):
        return grad * 0, None


declare(
    Poisson,
    None,
    vmap=LOOP,
    spec=OpSpec(
        "poisson",
        lambda lib, a: lib.poisson(a) * 0 + a,
        [((3, 4),), ((),), ((0, 2),)],
        domain=(0.1, 3.0),
    ),
)


@op(None, out=False)
def poisson(input, generator=None):
    """Poisson samples with rates ``input`` (same shape and dtype)."""
    if input._data.dtype.kind != "f" and input._data.dtype.name != "bfloat16":
        raise not_implemented("poisson_cpu", input.dtype)
    rates = input._data
    if rates.size and not (rates >= 0).all():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    return Poisson.apply(input, _rng(generator))


@op(None, out=False)
def binomial(count, prob, generator=None):
    """Binomial samples: successes in ``count`` trials of probability ``prob`` (broadcast)."""
    if count._data.dtype.kind != "f":
        raise ValueError(
            f"binomial only supports floating-point dtypes for count, got: {_scalar(count)}"
        )
    if prob._data.dtype != count._data.dtype:
        raise RuntimeError(f"Found dtype {_scalar(prob)} but expected {_scalar(count)}")
    err = broadcast_error(count, prob)
    if err is not None:
        raise err
    n, p = np.broadcast_arrays(count._data, prob._data)
    trials = np.where(np.isfinite(n), np.floor(np.maximum(n, 0)), 0).astype(np.int64)
    safe = np.where(np.isnan(p), 0, np.clip(p, 0, 1))
    draws = _rng(generator).binomial(trials, safe).astype(count._data.dtype)
    draws[np.isnan(p) | np.isnan(n)] = np.nan
    return TensorBase._make(draws)


def _scalar(t):
    from ..dtypes import scalar_type_name

    return scalar_type_name(t.dtype)


__all__ = public_names(__name__)
