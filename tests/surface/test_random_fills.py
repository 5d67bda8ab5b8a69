"""log_normal_, cauchy_, geometric_, poisson and binomial: statistics from Ember's generator,
shapes, dtypes and errors exactly as PyTorch's."""

import math

import numpy as np
import pytest
import torch

import ember

from ._oracle import same

N = 20000


def _gen():
    return ember.Generator().manual_seed(0)


def test_log_normal_statistics():
    x = ember.empty(N, dtype=ember.float64).log_normal_(0.5, 0.25, generator=_gen())
    logs = np.log(x.numpy())
    assert abs(logs.mean() - 0.5) < 0.01 and abs(logs.std() - 0.25) < 0.01


def test_cauchy_statistics():
    x = ember.empty(N).cauchy_(2.0, 0.5, generator=_gen()).numpy()
    # Median and quartiles of Cauchy(m, s) are m and m -/+ s.
    q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    assert abs(med - 2.0) < 0.05 and abs((q3 - q1) / 2 - 0.5) < 0.05


def test_geometric_statistics_and_support():
    x = ember.empty(N, dtype=ember.int64).geometric_(0.25, generator=_gen()).numpy()
    assert x.min() >= 1 and abs(x.mean() - 4.0) < 0.1


def test_poisson_and_binomial_statistics():
    rates = ember.full((N,), 3.0)
    p = ember.poisson(rates, generator=_gen()).numpy()
    assert abs(p.mean() - 3.0) < 0.06 and abs(p.var() - 3.0) < 0.15
    b = ember.binomial(ember.full((N,), 10.0), ember.tensor([0.3]), generator=_gen()).numpy()
    assert abs(b.mean() - 3.0) < 0.06 and abs(b.var() - 2.1) < 0.1
    assert set(np.unique(b)) <= set(range(11))


def test_the_generator_decides_the_draws():
    a = ember.empty(5).cauchy_(generator=_gen())
    b = ember.empty(5).cauchy_(generator=_gen())
    assert a.tolist() == b.tolist()
    ember.manual_seed(3)
    c = ember.poisson(ember.ones(5) * 4)
    ember.manual_seed(3)
    assert ember.poisson(ember.ones(5) * 4).tolist() == c.tolist()


def _meta(r):
    if isinstance(r, (ember.Tensor, torch.Tensor)):
        return (str(r.dtype).split(".")[-1], tuple(r.shape), r.requires_grad)
    return r


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.empty(3).log_normal_(1, 2),
        lambda lib: lib.empty(3, dtype=lib.float64).log_normal_(),
        lambda lib: lib.empty(3).log_normal_(1, 0),
        lambda lib: lib.empty(3, dtype=lib.int64).log_normal_(),
        lambda lib: lib.empty(3).cauchy_(0, 1),
        lambda lib: lib.empty(3).cauchy_(0, 0),
        lambda lib: lib.empty(3, dtype=lib.int64).cauchy_(),
        lambda lib: lib.ones(2, requires_grad=True).cauchy_(),
        lambda lib: lib.empty(3).geometric_(0.5),
        lambda lib: lib.empty(3, dtype=lib.int32).geometric_(0.5),
        lambda lib: lib.empty(3).geometric_(0),
        lambda lib: lib.empty(3).geometric_(1),
        lambda lib: lib.empty(3, dtype=lib.bool).geometric_(0.5),
        lambda lib: lib.poisson(lib.ones(2, 3) * 2),
        lambda lib: lib.poisson(lib.ones(3, requires_grad=True) * 2),
        lambda lib: lib.poisson(-lib.ones(3)),
        lambda lib: lib.poisson(lib.ones(3, dtype=lib.int64)),
        lambda lib: lib.poisson(lib.zeros(2)).tolist(),
        lambda lib: lib.binomial(lib.ones(3) * 5, lib.ones(3) * 0.5),
        lambda lib: lib.binomial(lib.ones(2, 3) * 5, lib.ones(3) * 0.5),
        lambda lib: lib.binomial(lib.ones(3) * 5, lib.ones(2) * 0.5),
        lambda lib: lib.binomial(lib.ones(3, dtype=lib.int64), lib.ones(3) * 0.5),
        lambda lib: lib.binomial(lib.ones(3, dtype=lib.float64), lib.ones(3) * 0.5),
        lambda lib: lib.binomial(lib.ones(3) * 5, lib.ones(3) * 1.5).tolist(),
        lambda lib: lib.binomial(lib.ones(3) * -5, lib.ones(3) * 0.5).tolist(),
        lambda lib: lib.binomial(lib.ones(3) * 5, lib.ones(3) * math.nan).tolist(),
    ],
)
def test_shapes_dtypes_errors_match(call):
    same(lambda: _meta(call(ember)), lambda: _meta(call(torch)))


def test_poisson_gradient_is_zero():
    for lib in (ember, torch):
        r = lib.ones(3, requires_grad=True)
        y = lib.poisson(r * 2)
        assert y.grad_fn.name() == "PoissonBackward0"
        y.sum().backward()
        assert r.grad.tolist() == [0.0, 0.0, 0.0]
