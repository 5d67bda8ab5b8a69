"""Sampling: shapes and dtypes as PyTorch's, statistics checked at a fixed seed.

Ember draws from its own generator, so samples are compared with the distribution
(means, variances, a Kolmogorov-Smirnov test against PyTorch's CDF, frequencies against
PyTorch's pmf), never number for number.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD
from scipy import stats

import ember
import ember.distributions as ED

N = 20000

# name -> make(D, lib): one batch of three distributions
CONTINUOUS = {
    "Normal": lambda D, lib: D.Normal(lib.tensor([0.0, 1.0, -2.0]), lib.tensor([1.0, 0.5, 3.0])),
    "Uniform": lambda D, lib: D.Uniform(lib.tensor([0.0, -1.0, 2.0]), lib.tensor([1.0, 3.0, 2.5])),
    "Exponential": lambda D, lib: D.Exponential(lib.tensor([0.5, 1.0, 4.0])),
    "Laplace": lambda D, lib: D.Laplace(lib.tensor([0.0, 1.0, -2.0]), lib.tensor([1.0, 0.5, 3.0])),
    "Cauchy": lambda D, lib: D.Cauchy(lib.tensor([0.0, 1.0, -2.0]), lib.tensor([1.0, 0.5, 3.0])),
    "Gumbel": lambda D, lib: D.Gumbel(lib.tensor([0.0, 1.0, -2.0]), lib.tensor([1.0, 0.5, 3.0])),
    "LogNormal": lambda D, lib: D.LogNormal(
        lib.tensor([0.0, 1.0, -2.0]), lib.tensor([0.5, 0.3, 0.2])
    ),
}
# continuous distributions without a PyTorch CDF: scipy's, one per batch member
SCIPY = {
    "Gamma": (
        lambda D, lib: D.Gamma(lib.tensor([0.3, 2.0, 9.0]), lib.tensor([1.0, 0.5, 3.0])),
        [stats.gamma(0.3, scale=1.0), stats.gamma(2.0, scale=2.0), stats.gamma(9.0, scale=1 / 3)],
    ),
    "Chi2": (
        lambda D, lib: D.Chi2(lib.tensor([1.0, 3.0, 10.0])),
        [stats.chi2(1.0), stats.chi2(3.0), stats.chi2(10.0)],
    ),
    "Beta": (
        lambda D, lib: D.Beta(lib.tensor([0.5, 2.0, 8.0]), lib.tensor([0.5, 5.0, 1.5])),
        [stats.beta(0.5, 0.5), stats.beta(2.0, 5.0), stats.beta(8.0, 1.5)],
    ),
    "StudentT": (
        lambda D, lib: D.StudentT(
            lib.tensor([1.5, 4.0, 30.0]), lib.tensor([0.0, 1.0, -1.0]), lib.tensor([1.0, 2.0, 0.5])
        ),
        [stats.t(1.5), stats.t(4.0, loc=1.0, scale=2.0), stats.t(30.0, loc=-1.0, scale=0.5)],
    ),
    "HalfNormal": (
        lambda D, lib: D.HalfNormal(lib.tensor([0.5, 1.0, 3.0])),
        [stats.halfnorm(scale=0.5), stats.halfnorm(scale=1.0), stats.halfnorm(scale=3.0)],
    ),
    "HalfCauchy": (
        lambda D, lib: D.HalfCauchy(lib.tensor([0.5, 1.0, 3.0])),
        [stats.halfcauchy(scale=0.5), stats.halfcauchy(scale=1.0), stats.halfcauchy(scale=3.0)],
    ),
    "Pareto": (
        lambda D, lib: D.Pareto(lib.tensor([1.0, 2.0, 0.5]), lib.tensor([3.0, 1.5, 5.0])),
        [stats.pareto(3.0, scale=1.0), stats.pareto(1.5, scale=2.0), stats.pareto(5.0, scale=0.5)],
    ),
    "Weibull": (
        lambda D, lib: D.Weibull(lib.tensor([1.0, 2.0, 0.5]), lib.tensor([0.8, 1.5, 4.0])),
        [
            stats.weibull_min(0.8, scale=1.0),
            stats.weibull_min(1.5, scale=2.0),
            stats.weibull_min(4.0, scale=0.5),
        ],
    ),
    "InverseGamma": (
        lambda D, lib: D.InverseGamma(lib.tensor([3.0, 5.0, 9.0]), lib.tensor([1.0, 2.0, 0.5])),
        [
            stats.invgamma(3.0, scale=1.0),
            stats.invgamma(5.0, scale=2.0),
            stats.invgamma(9.0, scale=0.5),
        ],
    ),
    "Dirichlet-marginals": (
        lambda D, lib: D.Dirichlet(lib.tensor([0.7, 2.0, 3.3])),
        [stats.beta(0.7, 5.3), stats.beta(2.0, 4.0), stats.beta(3.3, 2.7)],
    ),
}
DISCRETE = {
    "Bernoulli": lambda D, lib: D.Bernoulli(lib.tensor([0.1, 0.5, 0.8])),
    "Categorical": lambda D, lib: D.Categorical(
        lib.tensor([[0.1, 0.2, 0.7], [0.3, 0.3, 0.4], [1.0, 0.0, 0.0]])
    ),
    "Geometric": lambda D, lib: D.Geometric(lib.tensor([0.2, 0.5, 0.9])),
    "Poisson": lambda D, lib: D.Poisson(lib.tensor([0.5, 3.0, 12.0])),
    "Binomial": lambda D, lib: D.Binomial(
        lib.tensor([1.0, 5.0, 20.0]), lib.tensor([0.3, 0.5, 0.1])
    ),
}
ALL = {**CONTINUOUS, **DISCRETE, **{k: v[0] for k, v in SCIPY.items()}}
ALL["Multinomial"] = lambda D, lib: D.Multinomial(
    6, lib.tensor([[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]])
)


@pytest.mark.parametrize("name", sorted(ALL))
@pytest.mark.parametrize("shape", [(), (5,), (2, 3)])
def test_sample_shape_and_dtype(name, shape):
    """sample(sample_shape) has PyTorch's shape and dtype; rsample exists where PyTorch's does."""
    ember.manual_seed(0)
    e = ALL[name](ED, ember)
    t = ALL[name](TD, torch)
    es, ts = e.sample(shape), t.sample(shape)
    assert tuple(es.shape) == tuple(ts.shape)
    assert str(es.dtype) == str(ts.dtype)
    assert e.has_rsample == t.has_rsample
    if t.has_rsample:
        assert tuple(e.rsample(shape).shape) == tuple(ts.shape)


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_continuous_ks(name):
    """Each batch member's samples pass a KS test against PyTorch's CDF (fixed seed)."""
    ember.manual_seed(2024)
    samples = ALL[name](ED, ember).sample((N,)).numpy().astype(np.float64)
    # the CDF is evaluated at one column's samples for all three members: no validation
    TD.Distribution.set_default_validate_args(False)
    try:
        ref = ALL[name](TD, torch)
        for j in range(samples.shape[1]):

            def cdf(x, j=j):
                v = torch.tensor(np.asarray(x)[:, None].repeat(3, 1), dtype=torch.float32)
                return ref.cdf(v)[:, j].double().numpy()

            p = stats.kstest(samples[:, j], cdf).pvalue
            assert p > 1e-3, f"{name}[{j}] KS p-value {p}"
    finally:
        TD.Distribution.set_default_validate_args(True)


@pytest.mark.parametrize("name", sorted(SCIPY))
def test_continuous_ks_scipy(name):
    """Samples pass a KS test against scipy's CDF for each batch member (fixed seed)."""
    ember.manual_seed(99)
    make, refs = SCIPY[name]
    samples = make(ED, ember).sample((N,)).numpy().astype(np.float64)
    for j, ref in enumerate(refs):
        p = stats.kstest(samples[..., j], ref.cdf).pvalue
        assert p > 1e-3, f"{name}[{j}] KS p-value {p}"


def test_multinomial_counts():
    """Counts sum to total_count; their means and covariances are the multinomial's."""
    ember.manual_seed(8)
    p = np.array([[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]])
    x = ED.Multinomial(6, ember.tensor(p)).sample((N,)).numpy()
    assert np.all(x.sum(-1) == 6) and np.all(x >= 0)
    np.testing.assert_allclose(x.mean(0), 6 * p, atol=5 * np.sqrt(6 * 0.25 / N))
    cov = np.einsum("nbi,nbj->bij", x - x.mean(0), x - x.mean(0)) / N
    expected = 6 * (np.einsum("bi,ij->bij", p, np.eye(3)) - np.einsum("bi,bj->bij", p, p))
    np.testing.assert_allclose(cov, expected, atol=0.05)


@pytest.mark.parametrize("name", sorted(DISCRETE))
def test_discrete_frequencies(name):
    """Frequencies of each small value match PyTorch's pmf within 5 standard errors."""
    ember.manual_seed(7)
    e = ALL[name](ED, ember)
    t = ALL[name](TD, torch)
    t._validate_args = False  # the pmf is also asked for values outside a member's support
    samples = e.sample((N,)).numpy()
    for k in range(2 if name == "Bernoulli" else 6):
        freq = (samples == k).mean(0)
        value = torch.full(tuple(t.batch_shape), float(k))
        if isinstance(t, TD.Categorical):
            if k >= 3:
                continue
            value = value.long()
        pmf = t.log_prob(value).exp().double().numpy()
        se = np.sqrt(pmf * (1 - pmf) / N) + 1e-12
        assert np.all(np.abs(freq - pmf) <= 5 * se + 1e-9), (name, k, freq, pmf)


HEAVY_TAILED = ("Cauchy", "StudentT", "HalfCauchy", "Pareto", "InverseGamma")


@pytest.mark.parametrize("name", sorted(n for n in ALL if n not in HEAVY_TAILED))
def test_moments_of_samples(name):
    """Sample mean and variance agree with the distribution's (which match PyTorch's)."""
    ember.manual_seed(11)
    e = ALL[name](ED, ember)
    x = e.sample((N,)).double()
    if name == "Categorical":
        return _check_categorical_mean(e, x)
    mean, var = e.mean.double(), e.variance.double()
    se_mean = (var / N).sqrt()
    assert bool(((x.mean(0) - mean).abs() <= 5 * se_mean + 1e-9).all()), (x.mean(0), mean)
    # the variance of the sample variance needs the fourth moment; bound it loosely
    assert bool(((x.var(0) - var).abs() <= 0.1 * var + 1e-9).all()), (x.var(0), var)


def _check_categorical_mean(e, x):
    values = ember.arange(3).double()
    expected = (e.probs.double() * values).sum(-1)
    assert bool(((x.mean(0) - expected).abs() < 0.03).all())


def test_seeded_sampling_is_reproducible():
    """The same seed gives the same samples; another seed gives others."""
    d = ED.Normal(ember.zeros(4), ember.ones(4))
    ember.manual_seed(3)
    a = d.sample((2,))
    ember.manual_seed(3)
    b = d.sample((2,))
    ember.manual_seed(4)
    c = d.sample((2,))
    assert bool((a == b).all()) and not bool((a == c).all())


@pytest.mark.parametrize("name", sorted(n for n in CONTINUOUS))
def test_rsample_carries_gradients(name):
    """rsample is differentiable w.r.t. the parameters; sample is not."""
    ember.manual_seed(5)
    d = CONTINUOUS[name](ED, ember)
    params = [v for v in vars(d).values() if isinstance(v, ember.Tensor)]
    params += [v for v in vars(getattr(d, "base_dist", d)).values() if isinstance(v, ember.Tensor)]
    leaves = [p.requires_grad_() for p in params if p.is_leaf]
    d = CONTINUOUS[name](ED, ember) if not leaves else d
    x = d.rsample((4,))
    assert x.requires_grad
    assert not d.sample((4,)).requires_grad
